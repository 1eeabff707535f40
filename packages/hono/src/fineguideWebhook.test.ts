import type { AddressInfo } from "node:net";
import {
  createWebhooks,
  type MessageEvent,
  type TicketEvent,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import { createEvent, requestInit } from "@fineguide-webhooks/testing";
import { createAdaptorServer } from "@hono/node-server";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  type FineguideWebhookHandler,
  fineguideWebhook,
  type HonoContext,
} from "./fineguideWebhook.js";

const SECRET = "hono-test-secret";
const message = (over: Partial<MessageEvent> = {}) => createEvent("MESSAGE", over);
const headers = { "content-type": "application/json", "x-webhook-secret": SECRET };

/** A body stream that records whether it was read and cancelled. */
const probeStream = (chunks: string[]) => {
  const state = { pulls: 0, cancelled: false };
  const encoder = new TextEncoder();
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        const chunk = chunks[i++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(encoder.encode(chunk));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
};

describe("fineguideWebhook (Hono, app.request)", () => {
  it("answers a valid delivery 200 and runs the typed handler (options form)", async () => {
    const seen: MessageEvent[] = [];
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({ secret: SECRET, onMessage: (event) => void seen.push(event) }),
    );
    const event = message();
    const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toEqual([event]);
  });

  it("takes a Webhooks instance, and handlers added to it later run", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const app = new Hono().post("/webhook", fineguideWebhook(webhooks));
    const seen: string[] = [];
    webhooks.onMessage((event) => void seen.push(event.messageId));
    const event = message();
    const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(seen).toEqual([event.messageId]);
  });

  it("copies core's status, headers and body text as they are", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const app = new Hono().all("/webhook", fineguideWebhook(webhooks));
    for (const init of [
      { method: "GET", headers },
      { method: "POST", headers: { ...headers, "x-webhook-secret": "wrong" }, body: "{}" },
      { method: "POST", headers: { ...headers, "content-type": "text/html" }, body: "{}" },
      { method: "POST", headers, body: "{not json" },
    ]) {
      const res = await app.request("/webhook", init);
      const expected = await webhooks.receive({
        method: init.method,
        headers: init.headers,
        body: init.body,
      });
      expect(res.status).toBe(expected.status);
      expect(Object.fromEntries(res.headers)).toEqual(expected.headers);
      expect(await res.text()).toBe(expected.body);
    }
  });

  it("gives other methods core's 405 when mounted with app.all or app.use", async () => {
    const handler = fineguideWebhook({ secret: SECRET });
    for (const app of [new Hono().all("/webhook", handler), new Hono().use("/webhook", handler)]) {
      const res = await app.request("/webhook", { method: "GET" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    }
    // With app.post, another method never reaches the handler: Hono answers 404.
    const postOnly = new Hono().post("/webhook", handler);
    expect((await postOnly.request("/webhook", { method: "GET" })).status).toBe(404);
  });

  it("does not read the body before the secret passed", async () => {
    const app = new Hono().post("/webhook", fineguideWebhook({ secret: SECRET }));
    const { stream, state } = probeStream([JSON.stringify(message())]);
    const res = await app.request("/webhook", {
      method: "POST",
      headers: { ...headers, "x-webhook-secret": "wrong" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(state.pulls).toBe(0);
  });

  it("reads a body without Content-Length as a stream, up to the limit", async () => {
    const seen: string[] = [];
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({
        secret: SECRET,
        maxBodyBytes: 1024,
        onMessage: (e) => void seen.push(e.message),
      }),
    );
    const text = JSON.stringify(message({ message: "split across chunks" }));
    const ok = probeStream([text.slice(0, 10), text.slice(10, 50), text.slice(50)]);
    const res = await app.request("/webhook", {
      method: "POST",
      headers,
      body: ok.stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(seen).toEqual(["split across chunks"]);

    // 600 + 600 bytes: the read stops at the second chunk and the stream is cancelled.
    const big = probeStream(["x".repeat(600), "x".repeat(600), "x".repeat(600)]);
    const tooLarge = await app.request("/webhook", {
      method: "POST",
      headers,
      body: big.stream,
      duplex: "half",
    } as RequestInit);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: "payload_too_large" } });
    await expect.poll(() => big.state.cancelled).toBe(true);
    expect(big.state.pulls).toBeLessThan(4);
  });

  it("answers a POST with no body at all 400 invalid_json, and runs no handler", async () => {
    const seen: string[] = [];
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({ secret: SECRET, onAny: (e) => void seen.push(e.type) }),
    );
    // No body and no Content-Length: the Request's body is null.
    const res = await app.request("/webhook", { method: "POST", headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "invalid_json", message: expect.any(String) },
    });
    expect(seen).toEqual([]);
  });

  it("answers 413 for a declared length over the limit without reading the body", async () => {
    const app = new Hono().post("/webhook", fineguideWebhook({ secret: SECRET, maxBodyBytes: 16 }));
    const res = await app.request("/webhook", {
      method: "POST",
      headers: { ...headers, "content-length": "17" },
      body: "x".repeat(17),
    });
    expect(res.status).toBe(413);
  });

  it("still works when an earlier middleware already read the body", async () => {
    const seen: string[] = [];
    const app = new Hono();
    let logged: unknown;
    app.use("/webhook", async (c, next) => {
      logged = await c.req.json();
      await next();
    });
    app.post(
      "/webhook",
      fineguideWebhook({ secret: SECRET, onMessage: (e) => void seen.push(e.messageId) }),
    );
    const event = message();
    const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(logged).toEqual(event);
    expect(seen).toEqual([event.messageId]);
  });

  it("keeps headers set by earlier middleware", async () => {
    const app = new Hono();
    app.use("/webhook", async (c, next) => {
      c.header("x-request-id", "abc");
      await next();
    });
    app.post("/webhook", fineguideWebhook({ secret: SECRET }));
    const res = await app.request("/webhook", requestInit(message(), { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("abc");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("exposes the receiver it created, to add handlers later", async () => {
    const handler = fineguideWebhook({ secret: SECRET });
    const seen: string[] = [];
    handler.webhooks.onMessage((event) => void seen.push(event.messageId));
    const event = message();
    const app = new Hono().post("/webhook", handler);
    const res = await app.request("/webhook", requestInit(event, { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(seen).toEqual([event.messageId]);
  });

  it("calls onResponse with each answer; its errors change nothing", async () => {
    const answers: string[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const app = new Hono().all(
        "/webhook",
        fineguideWebhook(
          { secret: SECRET },
          {
            onResponse: (answer, c) => {
              answers.push(`${c.req.method} ${answer.status} ${answer.outcome}`);
              throw new Error("metrics down");
            },
          },
        ),
      );
      const ok = await app.request("/webhook", requestInit(message(), { secret: SECRET }));
      expect(ok.status).toBe(200);
      expect((await app.request("/webhook")).status).toBe(405);
      expect(answers).toEqual(["POST 200 processed", "GET 405 method_not_allowed"]);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it("throws at setup, not per request, when the options are wrong", () => {
    expect(() => fineguideWebhook({ secret: "" })).toThrow(TypeError);
  });
});

describe("fineguideWebhook (Hono on @hono/node-server, real socket)", () => {
  const servers: ReturnType<typeof createAdaptorServer>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const listen = async (app: Hono): Promise<string> => {
    const server = createAdaptorServer({ fetch: app.fetch });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/webhook`;
  };

  it("answers deliveries, bad secrets and other methods over HTTP", async () => {
    const seen: string[] = [];
    const url = await listen(
      new Hono().all(
        "/webhook",
        fineguideWebhook({ secret: SECRET, onMessage: (e) => void seen.push(e.messageId) }),
      ),
    );
    const event = message();
    const ok = await fetch(url, { method: "POST", headers, body: JSON.stringify(event) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expect(seen).toEqual([event.messageId]);

    const again = await fetch(url, { method: "POST", headers, body: JSON.stringify(event) });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });

    const wrong = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-webhook-secret": "nope" },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();

    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    await get.body?.cancel();
  });

  it("reads chunked uploads with a limit", async () => {
    const url = await listen(
      new Hono().post("/webhook", fineguideWebhook({ secret: SECRET, maxBodyBytes: 1024 })),
    );
    const chunked = (chunks: string[]) =>
      fetch(url, {
        method: "POST",
        headers,
        body: probeStream(chunks).stream,
        duplex: "half",
      } as RequestInit);

    const text = JSON.stringify(message());
    const ok = await chunked([text.slice(0, 20), text.slice(20)]);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();

    const big = await chunked(["x".repeat(700), "x".repeat(700)]);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });
});

describe("types", () => {
  it("keeps typed handlers typed through the adapter", () => {
    const handler = fineguideWebhook({
      secret: SECRET,
      onTicket: (ticket) => {
        expectTypeOf(ticket).toEqualTypeOf<TicketEvent>();
      },
      onMessage: [(m) => expectTypeOf(m.messageId).toEqualTypeOf<string>()],
    });
    expectTypeOf(handler).toEqualTypeOf<FineguideWebhookHandler>();
    expectTypeOf(handler).toMatchTypeOf<MiddlewareHandler>();
    expectTypeOf(handler.webhooks).toEqualTypeOf<Webhooks<HonoContext>>();
    expectTypeOf(fineguideWebhook).toBeCallableWith({ secret: SECRET });
    expectTypeOf(fineguideWebhook).toBeCallableWith(createWebhooks({ secret: SECRET }));
    const options: WebhooksOptions = { secret: SECRET };
    expectTypeOf(fineguideWebhook).toBeCallableWith(options);
    const either = options as Webhooks | WebhooksOptions;
    expectTypeOf(fineguideWebhook).toBeCallableWith(either);

    const webhooks = createWebhooks({ secret: SECRET });
    webhooks.onTicket((ticket) => expectTypeOf(ticket).toEqualTypeOf<TicketEvent>());
    const app = new Hono()
      .post("/webhook", fineguideWebhook(webhooks))
      .use("/other", fineguideWebhook(webhooks))
      .all("/any", fineguideWebhook(webhooks));
    expectTypeOf(app).toMatchTypeOf<Hono>();
    const typeOnly = () => {
      // @ts-expect-error a secret must be a string
      fineguideWebhook({ secret: 42 });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it("types ctx.request as Hono's Context and ctx.state from the state function", () => {
    fineguideWebhook({
      secret: SECRET,
      state: (c) => ({ tenant: c.req.param("tenant") ?? "" }),
      onTicket: (_t, ctx) => {
        expectTypeOf(ctx.state).toEqualTypeOf<{ tenant: string }>();
        expectTypeOf(ctx.request).toEqualTypeOf<Context>();
      },
    });
    const webhooks = createWebhooks<HonoContext<{ tenant: string }>>({ secret: SECRET });
    fineguideWebhook(webhooks, { state: (c) => ({ tenant: c.req.path }) });
    // @ts-expect-error: the state function must make what the receiver's handlers expect
    fineguideWebhook(webhooks, { state: () => 42 });
  });
});

describe("ctx.request and ctx.state (Hono)", () => {
  it("hands handlers Hono's Context and the state made from it", async () => {
    const seen: { tenant: string; path: string }[] = [];
    const app = new Hono().post(
      "/t/:tenant/webhook",
      fineguideWebhook({
        secret: SECRET,
        state: (c) => ({ tenant: c.req.param("tenant") ?? "" }),
        onMessage: (_m, ctx) =>
          void seen.push({ tenant: ctx.state.tenant, path: ctx.request.req.path }),
      }),
    );
    const res = await app.request("/t/acme/webhook", requestInit(message(), { secret: SECRET }));
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ tenant: "acme", path: "/t/acme/webhook" }]);
  });

  it("answers 500 internal_error when the state function throws", async () => {
    let ran = 0;
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({
        secret: SECRET,
        state: (): number => {
          throw new Error("lookup broke");
        },
        onAny: () => void ran++,
      }),
    );
    const res = await app.request("/webhook", requestInit(message(), { secret: SECRET }));
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: "internal_error" } });
    expect(ran).toBe(0);
  });
});
