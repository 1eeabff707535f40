import { createWebhooks } from "@fineguide-webhooks/core";
import express from "express";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  contractShapeProblems,
  hostileBodies,
} from "../../testing/src/testSupport/hostileBodies.js";
import { fineguideWebhook } from "./fineguideWebhook.js";
import { listen, SECRET, ticket } from "./testFixtures.js";

/** Two apps: no body parser (the adapter reads), and express.json() before it (with errorHandler). */
const apps: Record<string, () => express.Express> = {
  "no body parser": () => {
    const app = express();
    app.post("/webhook", fineguideWebhook(receiver()));
    return app;
  },
  "express.json() before it": () => {
    const app = express();
    app.use(express.json({ limit: "1mb" }));
    const webhook = fineguideWebhook(receiver());
    app.post("/webhook", webhook);
    app.use("/webhook", webhook.errorHandler);
    return app;
  },
};

/** Handlers that touch what they get, as real ones would. */
const receiver = () =>
  createWebhooks({
    secret: SECRET,
    onAny: (event) => void Object.keys(event),
    onInvalid: (invalid) => void invalid.issues.length,
  });

describe.each(Object.entries(apps))("Express robustness (%s), over a real socket", (_, make) => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(make());
  });
  afterAll(() => server.close());

  const send = async (body: string) => {
    const res = await fetch(`${server.url}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
      body,
    });
    return {
      status: res.status,
      contentType: res.headers.get("content-type"),
      body: await res.text(),
    };
  };

  it("never answers 5xx, always the contract's JSON, for authenticated hostile bodies, and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(hostileBodies(), async (body) => {
        const answer = await send(body);
        expect(answer.status).toBeLessThan(500);
        expect(contractShapeProblems(answer)).toEqual([]);
        expect(answer.body).not.toContain(SECRET);
      }),
      { numRuns: 100 },
    );
    expect((await send(JSON.stringify(ticket()))).status).toBe(200);
  });
});
