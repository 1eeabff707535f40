import {
  createWebhooks,
  type MessageEvent,
  type TicketEvent,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import { createEvent, injectOptions } from "@fineguide-webhooks/testing";
import Fastify, {
  type FastifyInstance,
  type FastifyPluginCallback,
  type FastifyRequest,
} from "fastify";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type FastifyContext,
  type FineguideWebhookPlugin,
  fineguideWebhook,
} from "./fineguideWebhook.js";

const SECRET = "fastify-test-secret";
const message = (over: Partial<MessageEvent> = {}) => createEvent("MESSAGE", over);
const headers = { "content-type": "application/json", "x-webhook-secret": SECRET };

const apps: FastifyInstance[] = [];
const fastify = () => {
  const app = Fastify();
  apps.push(app);
  return app;
};
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const post = (app: FastifyInstance, url: string, payload: string, extra = {}) =>
  app.inject({ method: "POST", url, headers: { ...headers, ...extra }, payload });

describe("fineguideWebhook (Fastify, inject)", () => {
  it("registers with createWebhooks options and runs typed handlers", async () => {
    const seen: MessageEvent[] = [];
    const app = fastify();
    await app.register(fineguideWebhook, {
      path: "/webhook",
      secret: SECRET,
      onMessage: (event) => void seen.push(event),
    });
    const event = message();
    const res = await post(app, "/webhook", JSON.stringify(event));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.json()).toEqual({ ok: true });
    expect(seen).toEqual([event]);
  });

  it("registers with a Webhooks instance, as options or through the factory form", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const seen: string[] = [];
    webhooks.onMessage((event) => void seen.push(event.messageId));
    const app = fastify();
    await app.register(fineguideWebhook, { path: "/a", webhooks });
    await app.register(fineguideWebhook(webhooks, { path: "/b" }));
    await app.register(fineguideWebhook({ secret: "other-secret" }));
    const first = message();
    const second = message();
    expect((await post(app, "/a", JSON.stringify(first))).statusCode).toBe(200);
    expect((await post(app, "/b", JSON.stringify(second))).statusCode).toBe(200);
    // Same instance, same dedupe store, wherever it is mounted.
    expect((await post(app, "/b", JSON.stringify(first))).json()).toEqual({
      ok: true,
      duplicate: true,
    });
    expect(seen).toEqual([first.messageId, second.messageId]);
    // The default path, with its own secret.
    expect((await post(app, "/webhook", JSON.stringify(message()))).statusCode).toBe(401);
    const own = await post(app, "/webhook", JSON.stringify(message()), {
      "x-webhook-secret": "other-secret",
    });
    expect(own.statusCode).toBe(200);
  });

  it("answers other methods with core's 405", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, { secret: SECRET });
    for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] as const) {
      const res = await app.inject({ method, url: "/webhook", headers });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe("POST");
      expect(res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    }
  });

  it("checks the secret in onRequest, before the body is read", async () => {
    const app = fastify();
    let parsing = 0;
    app.addHook("preParsing", async () => {
      parsing++;
    });
    await app.register(fineguideWebhook, { secret: SECRET });
    const wrong = await post(app, "/webhook", "{not json", { "x-webhook-secret": "wrong" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect(parsing).toBe(0);
    const html = await post(app, "/webhook", "{}", { "content-type": "text/html" });
    expect(html.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    expect(parsing).toBe(0);
    expect((await post(app, "/webhook", JSON.stringify(message()))).statusCode).toBe(200);
    expect(parsing).toBe(1);
  });

  it("gives core's answers, not Fastify's error shapes, for bad bodies", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, { secret: SECRET, maxBodyBytes: 64 });
    const cases: [string, Record<string, string>, number, string][] = [
      ["{not json", {}, 400, "invalid_json"],
      ["", {}, 400, "invalid_json"],
      ["[1]", {}, 400, "not_an_object"],
      ["x".repeat(65), {}, 413, "payload_too_large"],
    ];
    for (const [payload, extra, status, code] of cases) {
      const res = await post(app, "/webhook", payload, extra);
      expect(res.statusCode, code).toBe(status);
      expect(res.json()).toEqual({ ok: false, error: { code, message: expect.any(String) } });
    }
  });

  it("answers a body Fastify could not read with core's 400 invalid_json, and runs no handler", async () => {
    const seen: string[] = [];
    const app = fastify();
    await app.register(fineguideWebhook, {
      secret: SECRET,
      onMessage: (e) => void seen.push(e.messageId),
    });
    // More bytes than the declared length: Fastify's FST_ERR_CTP_INVALID_CONTENT_LENGTH.
    const body = JSON.stringify(message());
    const res = await post(app, "/webhook", body, { "content-length": String(body.length - 5) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({
      ok: false,
      error: { code: "invalid_json", message: expect.any(String) },
    });
    expect(seen).toEqual([]);
    expect((await post(app, "/webhook", body)).statusCode).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it("reads the body itself for a content type core accepts and Fastify cannot parse", async () => {
    const seen: string[] = [];
    const app = fastify();
    await app.register(fineguideWebhook, {
      secret: SECRET,
      onMessage: (e) => void seen.push(e.messageId),
    });
    const event = message();
    // An empty media type is tolerated by core (row 3); Fastify calls it invalid.
    const res = await post(app, "/webhook", JSON.stringify(event), {
      "content-type": "; charset=utf-8",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(seen).toEqual([event.messageId]);
  });

  it("answers a chunked body over the limit 413 (Fastify's bodyLimit, core's answer)", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, { secret: SECRET, maxBodyBytes: 1024 });
    const { Readable } = await import("node:stream");
    const res = await app.inject({
      method: "POST",
      url: "/webhook",
      headers,
      payload: Readable.from([Buffer.alloc(700, 120), Buffer.alloc(700, 120)]),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("leaves errors that are not about the body to the app's error handler", async () => {
    const app = fastify();
    app.addHook("preHandler", async () => {
      throw Object.assign(new Error("slow down"), { statusCode: 429 });
    });
    await app.register(fineguideWebhook, { secret: SECRET });
    const res = await post(app, "/webhook", JSON.stringify(message()));
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ message: "slow down" });
  });

  it("honours a parent plugin's prefix", async () => {
    const app = fastify();
    await app.register(
      async (instance) => {
        await instance.register(fineguideWebhook, { path: "/webhook", secret: SECRET });
      },
      { prefix: "/hooks" },
    );
    expect((await post(app, "/hooks/webhook", JSON.stringify(message()))).statusCode).toBe(200);
    expect((await post(app, "/webhook", JSON.stringify(message()))).statusCode).toBe(404);
  });

  it("honours its own prefix option, in both forms", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, { prefix: "/a", path: "/webhook", secret: SECRET });
    await app.register(fineguideWebhook({ secret: SECRET }, { path: "/in" }), { prefix: "/b" });
    expect((await post(app, "/a/webhook", JSON.stringify(message()))).statusCode).toBe(200);
    expect((await post(app, "/b/in", JSON.stringify(message()))).statusCode).toBe(200);
    expect((await post(app, "/webhook", JSON.stringify(message()))).statusCode).toBe(404);
  });

  it("keeps its content-type parser and error handling out of sibling routes", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, { secret: SECRET });
    app.post("/other", async (request) => ({ got: request.body }));
    const json = await post(app, "/other", '{"a":1}');
    expect(json.json()).toEqual({ got: { a: 1 } });
    // Fastify's own answers there: its JSON error and its 415, not core's.
    const bad = await post(app, "/other", "{not json");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "FST_ERR_CTP_INVALID_JSON_BODY" });
    const html = await post(app, "/other", "<p>", { "content-type": "text/html" });
    expect(html.statusCode).toBe(415);
    expect(html.json()).toMatchObject({ code: "FST_ERR_CTP_INVALID_MEDIA_TYPE" });
  });

  it("exposes the receiver a factory call created, to add handlers later", async () => {
    const plugin = fineguideWebhook({ secret: SECRET });
    const seen: string[] = [];
    plugin.webhooks.onMessage((event) => void seen.push(event.messageId));
    const app = fastify();
    await app.register(plugin);
    const event = message();
    expect((await post(app, "/webhook", JSON.stringify(event))).statusCode).toBe(200);
    expect(seen).toEqual([event.messageId]);
  });

  it("calls onResponse with each answer; its errors are logged and change nothing", async () => {
    const answers: string[] = [];
    const logs: string[] = [];
    const app = Fastify({
      logger: {
        level: "warn",
        stream: { write: (line: string) => void logs.push(JSON.parse(line).msg) },
      },
    });
    apps.push(app);
    await app.register(fineguideWebhook, {
      secret: SECRET,
      onResponse: (answer, request, reply) => {
        answers.push(`${request.method} ${answer.status} ${answer.outcome} ${reply.statusCode}`);
        throw new Error("metrics down");
      },
    });
    expect((await post(app, "/webhook", JSON.stringify(message()))).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/webhook" })).statusCode).toBe(405);
    expect((await post(app, "/webhook", "{", { "x-webhook-secret": "x" })).statusCode).toBe(401);
    expect(answers).toEqual([
      "POST 200 processed 200",
      "GET 405 method_not_allowed 405",
      "POST 401 unauthorized 401",
    ]);
    expect(logs.filter((m) => m === "fineguide-webhooks: onResponse threw")).toHaveLength(3);
  });

  it("throws at registration when the options are wrong", async () => {
    const app = fastify();
    await expect(app.register(fineguideWebhook, { secret: "" })).rejects.toThrow(TypeError);
    expect(() => fineguideWebhook({ secret: "" })).toThrow(TypeError);
  });
});

describe("fineguideWebhook (Fastify on a real socket)", () => {
  const listen = async (options: WebhooksOptions): Promise<string> => {
    const app = fastify();
    await app.register(fineguideWebhook, { path: "/webhook", ...options });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return `http://127.0.0.1:${address.port}/webhook`;
  };

  const chunked = (url: string, chunks: string[]) =>
    fetch(url, {
      method: "POST",
      headers,
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);

  it("answers deliveries, duplicates, bad secrets and other methods", async () => {
    const seen: string[] = [];
    const url = await listen({ secret: SECRET, onMessage: (e) => void seen.push(e.messageId) });
    const event = message();
    const ok = await fetch(url, { method: "POST", headers, body: JSON.stringify(event) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    const again = await fetch(url, { method: "POST", headers, body: JSON.stringify(event) });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    expect(seen).toEqual([event.messageId]);

    const wrong = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-webhook-secret": "nope" },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
    const get = await fetch(url);
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  it("reads chunked uploads with the limit", async () => {
    const url = await listen({ secret: SECRET, maxBodyBytes: 1024 });
    const text = JSON.stringify(message());
    const ok = await chunked(url, [text.slice(0, 20), text.slice(20)]);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    const big = await chunked(url, ["x".repeat(700), "x".repeat(700)]);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });
});

describe("types", () => {
  it("keeps typed handlers typed through register and the factory", async () => {
    const app = fastify();
    await app.register(fineguideWebhook, {
      path: "/webhook",
      secret: SECRET,
      onTicket: (ticket) => {
        expectTypeOf(ticket).toEqualTypeOf<TicketEvent>();
      },
    });
    const plugin = fineguideWebhook({
      secret: SECRET,
      onTicket: (ticket) => expectTypeOf(ticket).toEqualTypeOf<TicketEvent>(),
    });
    expectTypeOf(plugin).toEqualTypeOf<FineguideWebhookPlugin>();
    expectTypeOf(plugin).toMatchTypeOf<FastifyPluginCallback>();
    expectTypeOf(plugin.webhooks).toEqualTypeOf<Webhooks<FastifyContext>>();

    const webhooks = createWebhooks({ secret: SECRET });
    webhooks.onTicket((ticket) => expectTypeOf(ticket).toEqualTypeOf<TicketEvent>());
    await app.register(fineguideWebhook, { path: "/x", webhooks });
    await app.register(fineguideWebhook(webhooks, { path: "/y" }), { prefix: "/p" });

    const typeOnly = () => {
      // @ts-expect-error either `webhooks` or its options, not both
      void app.register(fineguideWebhook, { webhooks, secret: SECRET });
      // @ts-expect-error a secret is a string
      void app.register(fineguideWebhook, { secret: 42 });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it("types ctx.request as the FastifyRequest and ctx.state from the state function", async () => {
    const seen: { tenant: string; url: string }[] = [];
    const app = fastify();
    await app.register(
      fineguideWebhook(
        {
          secret: SECRET,
          state: (request) => ({ tenant: (request.params as { tenant: string }).tenant }),
          onMessage: (_m, ctx) => {
            expectTypeOf(ctx.state).toEqualTypeOf<{ tenant: string }>();
            expectTypeOf(ctx.request).toEqualTypeOf<FastifyRequest>();
            seen.push({ tenant: ctx.state.tenant, url: ctx.request.url });
          },
        },
        { path: "/t/:tenant/webhook" },
      ),
    );
    const webhooks = createWebhooks<FastifyContext<{ n: number }>>({ secret: SECRET });
    // @ts-expect-error: the state function must make what the receiver's handlers expect
    fineguideWebhook(webhooks, { state: () => "not a number record" });
    const res = await app.inject(
      injectOptions(createEvent("MESSAGE"), { secret: SECRET, url: "/t/acme/webhook" }),
    );
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([{ tenant: "acme", url: "/t/acme/webhook" }]);
  });
});
