import { createWebhooks, type MessageEvent } from "@fineguide-webhooks/core";
import { createEvent, requestInit } from "@fineguide-webhooks/testing";
import { Hono as Hono4_13 } from "hono";
import { Hono as Hono4_0 } from "hono40";
import { Hono as Hono4_1 } from "hono41";
import { describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "hono-versions-secret";

/** What the test uses of a Hono app: the same calls on every 4.x line. */
interface HonoApp {
  use(
    path: string,
    middleware: (
      c: { req: Record<"json" | "text" | "arrayBuffer", () => Promise<unknown>> },
      next: () => Promise<void>,
    ) => Promise<void>,
  ): unknown;
  post(path: string, handler: unknown): unknown;
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/** The three Hono lines the peer range covers, each with its own `Hono` class. */
const versions = [
  ["4.0", Hono4_0],
  ["4.1", Hono4_1],
  ["4.13", Hono4_13],
] as unknown as readonly (readonly [string, new () => HonoApp])[];

describe.each(versions)("on Hono %s", (_version, Hono) => {
  const mount = (readFirst?: "json" | "text" | "arrayBuffer") => {
    const seen: MessageEvent[] = [];
    const webhooks = createWebhooks({ secret: SECRET, onMessage: (m) => void seen.push(m) });
    const app = new Hono();
    if (readFirst) {
      // An earlier middleware that read the body (a logger, a validator).
      app.use("*", async (c, next) => {
        await c.req[readFirst]().catch(() => {});
        await next();
      });
    }
    // The adapter is typed against the newest Hono; the older lines call it the same way.
    app.post("/webhook", fineguideWebhook(webhooks));
    return { app, seen };
  };

  it("answers a delivery 200 and runs the handler", async () => {
    const { app, seen } = mount();
    const event = createEvent("MESSAGE");
    const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(seen).toEqual([event]);
  });

  it.each(["json", "text", "arrayBuffer"] as const)(
    "reads a body an earlier middleware read with c.req.%s()",
    async (method) => {
      const { app, seen } = mount(method);
      const event = createEvent("MESSAGE");
      const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
      expect(res.status).toBe(200);
      expect(seen).toEqual([event]);
    },
  );

  it("answers 400 invalid_json for a body an earlier c.req.json() could not parse", async () => {
    const { app, seen } = mount("json");
    const res = await app.request("/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    expect(seen).toEqual([]);
  });
});
