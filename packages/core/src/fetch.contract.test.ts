import type { AddressInfo } from "node:net";
import { contractSuite, fetchSender, requestSender } from "@fineguide-webhooks/testing/contract";
import { createAdaptorServer } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { createFetchHandler } from "./fetch.js";

// Every row with the handler called directly on a `Request`, as a route handler is...
contractSuite("fetch handler (Request in, Response out)", (webhooks) => {
  const handler = createFetchHandler(webhooks);
  return requestSender(
    { request: (path, init) => handler(new Request(`http://receiver.test${path}`, init)) },
    "/webhook",
  );
});

// ...and on a real socket, with Node's HTTP server turned into Requests by @hono/node-server.
contractSuite("fetch handler (on a socket)", async (webhooks) => {
  const server = createAdaptorServer({ fetch: createFetchHandler(webhooks) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    send: fetchSender(`http://127.0.0.1:${port}/webhook`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});

describe("createFetchHandler", () => {
  const secret = "s3cret";
  const event = {
    type: "SESSION_OPEN",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  };
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://receiver.test/webhook", {
      method: "POST",
      headers: { "x-webhook-secret": secret, "content-type": "application/json", ...headers },
      body,
    });

  it("takes options, exposes its receiver, hands handlers the Request and state", async () => {
    const seen: unknown[] = [];
    const handler = createFetchHandler({
      secret,
      state: (request) => new URL(request.url).pathname,
      onSessionOpen: (_event, ctx) => void seen.push(ctx.request.method, ctx.state),
    });
    expect(typeof handler.webhooks.receive).toBe("function");
    const res = await handler(post(JSON.stringify(event)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toEqual(["POST", "/webhook"]);
  });

  it("cancels a chunked body past the limit: 413", async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const handler = createFetchHandler(createWebhooks({ secret }));
    const res = await handler(
      new Request("http://receiver.test/webhook", {
        method: "POST",
        headers: { "x-webhook-secret": secret },
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(40);
  });

  it("answers core's JSON 500 when a wrapped receiver rejects, and reports onResponse", async () => {
    const answers: number[] = [];
    const broken = Object.assign(createWebhooks({ secret }), {
      receive: () => Promise.reject(new Error("boom")),
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      const handler = createFetchHandler(broken, {
        onResponse: (answer) => void answers.push(answer.status),
      });
      const res = await handler(post(JSON.stringify(event)));
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: "internal_error" } });
    } finally {
      console.warn = warn;
    }
    expect(answers).toEqual([500]);
  });
});
