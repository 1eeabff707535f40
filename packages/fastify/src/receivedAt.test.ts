import { Readable } from "node:stream";
import { createWebhooks, type WebhookRequest } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "fastify-test-secret";
const headers = { "content-type": "application/json", "x-webhook-secret": SECRET };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body whose bytes come `delayMs` after the request's head; `sentAt` says when. */
const slowBody = (text: string, delayMs: number) => {
  const stream = new Readable({ read() {} });
  const body = { stream, sentAt: Number.POSITIVE_INFINITY };
  setTimeout(() => {
    body.sentAt = Date.now();
    stream.push(text);
    stream.push(null);
  }, delayMs);
  return body;
};

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe("receivedAt: Fastify reads the body before receive(), so the arrival is passed", () => {
  it("receive() gets when the request arrived, not when Fastify finished reading its body", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const calls: { receivedAt: number | undefined; calledAt: number }[] = [];
    const receive = (request: WebhookRequest) => {
      calls.push({ receivedAt: request.receivedAt, calledAt: Date.now() });
      return webhooks.receive(request);
    };
    const app = Fastify();
    apps.push(app);
    await app.register(fineguideWebhook, { webhooks: { ...webhooks, receive } });

    await app.inject({ method: "GET", url: "/webhook" }); // warm up (inject loads lazily)

    const startedAt = Date.now();
    const body = slowBody(JSON.stringify(createEvent("MESSAGE")), 200);
    const res = await app.inject({
      method: "POST",
      url: "/webhook",
      headers,
      payload: body.stream,
    });

    expect(res.statusCode).toBe(200);
    const [call] = calls;
    // Noted before the body was even sent; receive() itself ran after it came.
    expect(call?.receivedAt).toBeGreaterThanOrEqual(startedAt);
    expect(call?.receivedAt).toBeLessThan(body.sentAt);
    expect(call?.calledAt).toBeGreaterThanOrEqual(body.sentAt);
  });

  it("the deadline counts from the arrival: a slow body plus a slow handler is 503 handler_timeout", async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fineguideWebhook, {
      secret: SECRET,
      deadlineMs: 300,
      leaseMs: 1_000,
      onMessage: () => sleep(200),
    });
    // 250 ms of body, then 200 ms of handler: past 300 ms from the arrival,
    // though within 300 ms of the moment the body was read.
    const res = await app.inject({
      method: "POST",
      url: "/webhook",
      headers,
      payload: slowBody(JSON.stringify(createEvent("MESSAGE")), 250).stream,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: "handler_timeout" } });
    expect(res.headers["retry-after"]).toBe("60");
  });
});
