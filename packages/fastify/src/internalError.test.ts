import { Readable } from "node:stream";
import {
  createWebhooks,
  errorResponse,
  type Logger,
  type WebhookResponse,
  type Webhooks,
} from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "fastify-test-secret";
const headers = { "content-type": "application/json", "x-webhook-secret": SECRET };
const INTERNAL = errorResponse("internal_error");
/** What a leaked error would carry: the secret, a host, a stack. */
const leaky = () => new Error(`connect to db.internal:5432 with ${SECRET} failed`);

/** A receiver as a user may wrap one (`toWebhooks` takes any object with `receive`). */
const wrapped = (overrides: Partial<Webhooks>): Webhooks => ({
  ...createWebhooks({ secret: SECRET }),
  ...overrides,
});

const apps: FastifyInstance[] = [];
/** An app whose logger collects its lines, so tests can see what was logged. */
const fastify = () => {
  const logs: { level: number; msg: string }[] = [];
  const app = Fastify({
    logger: {
      level: "warn",
      stream: { write: (line: string) => void logs.push(JSON.parse(line)) },
    },
  });
  apps.push(app);
  return { app, logs };
};
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const post = (
  app: FastifyInstance,
  payload: string | Readable = JSON.stringify(createEvent("MESSAGE")),
) => app.inject({ method: "POST", url: "/webhook", headers, payload });

/** Core's 500 `internal_error`, as core makes it, and nothing of the error. */
const expectInternalError = (res: LightMyRequestResponse) => {
  expect(res.statusCode).toBe(500);
  expect(res.headers["content-type"]).toBe(INTERNAL.headers["content-type"]);
  expect(res.body).toBe(INTERNAL.body);
  expect(res.json()).toEqual({
    ok: false,
    error: { code: "internal_error", message: expect.any(String) },
  });
  expect(res.body).not.toContain(SECRET);
  expect(res.body).not.toMatch(/db\.internal|\bat |Error|statusCode/);
};

describe("an error escaping core or the adapter is core's JSON 500, never Fastify's error shape", () => {
  it("receive() rejects (a wrapped receiver), and it is logged", async () => {
    const { app, logs } = fastify();
    await app.register(fineguideWebhook, {
      webhooks: wrapped({ receive: () => Promise.reject(leaky()) }),
    });
    expectInternalError(await post(app));
    expect(logs.map((l) => l.msg)).toContain("fineguide-webhooks: unexpected error, answered 500");
  });

  it("receive() throws synchronously", async () => {
    const { app } = fastify();
    const receive = () => {
      throw leaky();
    };
    await app.register(fineguideWebhook(wrapped({ receive })));
    expectInternalError(await post(app));
  });

  it("preflight() throws in the onRequest hook", async () => {
    const { app } = fastify();
    const preflight = () => {
      throw leaky();
    };
    await app.register(fineguideWebhook, { webhooks: wrapped({ preflight }) });
    expectInternalError(await post(app));
  });

  it("receive() rejects while answering one of Fastify's body errors (a chunked body too large)", async () => {
    const { app } = fastify();
    await app.register(fineguideWebhook, {
      webhooks: { ...wrapped({ receive: () => Promise.reject(leaky()) }), maxBodyBytes: 1024 },
    });
    expectInternalError(
      await post(app, Readable.from([Buffer.alloc(700, 32), Buffer.alloc(700, 32)])),
    );
  });

  it("an answer Fastify refuses: none of its headers stay on the 500", async () => {
    const broken: WebhookResponse = {
      status: 42,
      headers: { "retry-after": "60", "x-partial": "yes" },
      body: "{}",
      outcome: "processed",
    };
    const { app } = fastify();
    await app.register(fineguideWebhook, { webhooks: wrapped({ receive: async () => broken }) });
    const res = await post(app);
    expectInternalError(res);
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.headers["x-partial"]).toBeUndefined();
  });

  it("the app's own error handler is not reached; onResponse sees the 500 once", async () => {
    const outcomes: string[] = [];
    const { app } = fastify();
    app.setErrorHandler((_error, _request, reply) => reply.code(418).send("app's own"));
    await app.register(fineguideWebhook, {
      webhooks: wrapped({ receive: () => Promise.reject(leaky()) }),
      onResponse: (answer) => void outcomes.push(answer.outcome),
    });
    expectInternalError(await post(app));
    expect(outcomes).toEqual(["internal_error"]);
  });

  it("a logger that throws: whatever core then does, the answer is the contract's JSON", async () => {
    const boom = () => {
      throw leaky();
    };
    const logger: Logger = { debug: boom, info: boom, warn: boom, error: boom };
    const { app } = fastify();
    await app.register(fineguideWebhook, { secret: SECRET, logger, onAny: () => {} });
    for (const body of [createEvent("MESSAGE"), { type: "MESSAGE" }, { type: "NEW" }]) {
      const res = await post(app, JSON.stringify(body));
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      if (res.statusCode >= 500) expectInternalError(res);
      else expect(res.json()).toHaveProperty("ok");
    }
  });

  it("the app keeps serving after an unexpected error", async () => {
    let fail = true;
    const webhooks = createWebhooks({ secret: SECRET });
    const { app } = fastify();
    await app.register(fineguideWebhook, {
      webhooks: {
        ...webhooks,
        receive: (req) => (fail ? Promise.reject(leaky()) : webhooks.receive(req)),
      },
    });
    expectInternalError(await post(app));
    fail = false;
    expect((await post(app)).statusCode).toBe(200);
  });
});
