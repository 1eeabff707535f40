import http from "node:http";
import { Readable } from "node:stream";
import { createWebhooks, memoryStore, type WebhooksOptions } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "fastify-test-secret";
const headers = { "content-type": "application/json", "x-webhook-secret": SECRET };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve, to wait for a handler to start. */
const signal = () => {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, fired };
};

const apps: FastifyInstance[] = [];
const fastify = () => {
  const app = Fastify();
  apps.push(app);
  return app;
};
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const inject = (app: FastifyInstance, payload: string | Readable) =>
  app.inject({ method: "POST", url: "/webhook", headers, payload });

describe("app.close() closes the receiver (onClose, started in preClose)", () => {
  it("a delivery in flight finishes 200; one reaching the route after close() started is 503 shutting_down", async () => {
    const started = signal();
    const done: string[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: async (message) => {
        started.fire();
        await sleep(300);
        done.push(message.messageId);
      },
    });
    const app = fastify();
    await app.register(fineguideWebhook, { webhooks });
    const slow = createEvent("MESSAGE");
    const inFlight = inject(app, JSON.stringify(slow));
    // Its head is routed now, its body comes once close() has started.
    const late = new Readable({ read() {} });
    const lateAnswer = inject(app, late);
    await started.fired;

    let closedWith: string[] | undefined;
    const closed = app.close().then(() => {
      closedWith = [...done];
    });
    // Closing has started once the receiver turns new deliveries away.
    await expect
      .poll(() => webhooks.preflight({ method: "POST", headers: { ...headers } })?.outcome)
      .toBe("shutting_down");
    late.push(JSON.stringify(createEvent("MESSAGE")));
    late.push(null);

    const shuttingDown = await lateAnswer;
    expect(shuttingDown.statusCode).toBe(503);
    expect(shuttingDown.headers["retry-after"]).toBe("60");
    expect(shuttingDown.json()).toMatchObject({ ok: false, error: { code: "shutting_down" } });
    const finished = await inFlight;
    expect(finished.statusCode).toBe(200);
    expect(finished.json()).toEqual({ ok: true });
    await closed;
    // close() resolved once the delivery in flight was done, not before.
    expect(closedWith).toEqual([slow.messageId]);
  });

  it("closeTimeoutMs: a handler still running then is answered 503, its signal fires, its claim is released", async () => {
    const store = memoryStore();
    const started = signal();
    const aborted: unknown[] = [];
    const app = fastify();
    await app.register(fineguideWebhook, {
      secret: SECRET,
      dedupe: store,
      closeTimeoutMs: 100,
      onMessage: async (_message, ctx) => {
        started.fire();
        ctx.signal.addEventListener("abort", () => aborted.push(ctx.signal.reason));
        await sleep(3_000);
      },
    });
    const event = createEvent("MESSAGE");
    const answer = inject(app, JSON.stringify(event));
    await started.fired;

    const closingAt = Date.now();
    await app.close();
    expect(Date.now() - closingAt).toBeLessThan(1_500);
    const res = await answer;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: "shutting_down" } });
    expect(aborted).toHaveLength(1);

    // The claim went back to the store: the retry runs the event on another receiver.
    const ran: string[] = [];
    const next = createWebhooks({
      secret: SECRET,
      dedupe: store,
      onMessage: (m) => void ran.push(m.messageId),
    });
    const retry = await next.receive({ method: "POST", headers, body: JSON.stringify(event) });
    expect(retry.status).toBe(200);
    expect(ran).toEqual([event.messageId]);
  });

  it("over a real socket: app.close() waits for the delivery in flight, which is answered 200", async () => {
    const started = signal();
    const app = fastify();
    await app.register(fineguideWebhook, {
      secret: SECRET,
      onMessage: async () => {
        started.fire();
        await sleep(200);
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    // A connection of its own (`Connection: close`): Fastify's close() also waits for
    // kept-alive connections that were busy when it started, until their keep-alive timeout.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`http://127.0.0.1:${address.port}/webhook`, {
        method: "POST",
        headers,
        agent: false,
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.end(JSON.stringify(createEvent("MESSAGE")));
    });
    await started.fired;
    const closed = app.close();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    await closed;
  });

  it("closes a receiver registered on several routes once", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    let closes = 0;
    const close: typeof webhooks.close = (options) => {
      closes++;
      return webhooks.close(options);
    };
    const app = fastify();
    await app.register(fineguideWebhook, { webhooks: { ...webhooks, close }, path: "/a" });
    await app.register(fineguideWebhook({ ...webhooks, close }, { path: "/b" }));
    await app.close();
    expect(closes).toBe(2); // once per route; core's close() is idempotent
    expect(webhooks.preflight({ method: "POST", headers })?.outcome).toBe("shutting_down");
  });

  it("rejects a closeTimeoutMs core would refuse, at registration", async () => {
    for (const closeTimeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const options: WebhooksOptions & { closeTimeoutMs: number } = {
        secret: SECRET,
        closeTimeoutMs,
      };
      await expect(fastify().register(fineguideWebhook, options)).rejects.toThrow(RangeError);
      expect(() => fineguideWebhook({ secret: SECRET }, { closeTimeoutMs })).toThrow(RangeError);
    }
  });
});
