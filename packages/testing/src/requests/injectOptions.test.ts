import { createWebhooks, type MessageEvent } from "@fineguide-webhooks/core";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { injectOptions } from "./injectOptions.js";

describe("injectOptions", () => {
  const apps: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  function app() {
    const seen: MessageEvent[] = [];
    const webhooks = createWebhooks({
      secret: "s3cret",
      header: "x-auth",
      onMessage: (m) => {
        seen.push(m);
      },
    });
    const fastify = Fastify();
    fastify.post("/hooks/fineguide", async (req, reply) => {
      const answer = await webhooks.receive({
        method: req.method,
        headers: req.headers,
        body: req.body,
      });
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
    apps.push(fastify);
    return { fastify, seen };
  }

  it("delivers an event through fastify.inject", async () => {
    const { fastify, seen } = app();
    const message = createEvent("MESSAGE", { role: "OPERATOR" });
    const res = await fastify.inject(
      injectOptions(message, { url: "/hooks/fineguide", secret: "s3cret", header: "X-Auth" }),
    );
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([message]);
  });

  it("defaults to /webhook and carries the payload as JSON text", () => {
    const message = createEvent("MESSAGE");
    expect(injectOptions(message, { secret: "s" })).toEqual({
      method: "POST",
      url: "/webhook",
      headers: { "content-type": "application/json", "x-webhook-secret": "s" },
      payload: JSON.stringify(message),
    });
  });

  it("answers 401 when the secret is missing", async () => {
    const { fastify, seen } = app();
    const res = await fastify.inject(
      injectOptions(createEvent("MESSAGE"), { url: "/hooks/fineguide" }),
    );
    expect(res.statusCode).toBe(401);
    expect(seen).toEqual([]);
  });
});
