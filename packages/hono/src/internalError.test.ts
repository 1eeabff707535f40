import {
  createWebhooks,
  errorResponse,
  type Logger,
  type WebhookResponse,
  type Webhooks,
} from "@fineguide-webhooks/core";
import { createEvent, requestInit } from "@fineguide-webhooks/testing";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "hono-test-secret";
const INTERNAL = errorResponse("internal_error");
/** What a leaked error would carry: the secret, a host, a stack. */
const leaky = () => new Error(`connect to db.internal:5432 with ${SECRET} failed`);

/** A receiver as a user may wrap one (`toWebhooks` takes any object with `receive`). */
const wrapped = (receive: Webhooks["receive"]): Webhooks => ({
  ...createWebhooks({ secret: SECRET }),
  receive,
});

const post = (app: Hono, body: object = createEvent("MESSAGE")) =>
  app.request("/webhook", requestInit(body, { secret: SECRET }));

/** Core's 500 `internal_error`, as core makes it, and nothing of the error. */
const expectInternalError = async (res: Response) => {
  expect(res.status).toBe(500);
  expect(Object.fromEntries(res.headers)).toEqual(INTERNAL.headers);
  const text = await res.text();
  expect(text).toBe(INTERNAL.body);
  expect(JSON.parse(text)).toEqual({
    ok: false,
    error: { code: "internal_error", message: expect.any(String) },
  });
  expect(text).not.toContain(SECRET);
  expect(text).not.toMatch(/db\.internal|\bat |Error/);
};

describe("an error escaping core or the adapter is core's JSON 500, never Hono's onError text", () => {
  let warnings: unknown[][];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
      warnings.push(args);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("receive() rejects (a wrapped receiver)", async () => {
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook(wrapped(() => Promise.reject(leaky()))),
    );
    await expectInternalError(await post(app));
    expect(warnings).toEqual([
      ["fineguide-webhooks: unexpected error, answered 500", expect.any(Error)],
    ]);
  });

  it("receive() throws synchronously", async () => {
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook(
        wrapped(() => {
          throw leaky();
        }),
      ),
    );
    await expectInternalError(await post(app));
  });

  it("an answer Hono cannot build: none of its headers stay on the 500", async () => {
    const broken: WebhookResponse = {
      status: 42,
      headers: { "retry-after": "60", "x-partial": "yes" },
      body: "{}",
      outcome: "processed",
    };
    const app = new Hono();
    app.use("/webhook", async (c, next) => {
      c.header("x-request-id", "abc"); // Hono keeps headers set before in the context
      await next();
    });
    app.post("/webhook", fineguideWebhook(wrapped(async () => broken)));
    const res = await post(app);
    expect(res.headers.get("x-request-id")).toBe("abc");
    res.headers.delete("x-request-id");
    await expectInternalError(res);
  });

  it("onResponse sees the 500 it answered, once", async () => {
    const outcomes: string[] = [];
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook(
        wrapped(() => Promise.reject(leaky())),
        {
          onResponse: (answer) => void outcomes.push(answer.outcome),
        },
      ),
    );
    await expectInternalError(await post(app));
    expect(outcomes).toEqual(["internal_error"]);
  });

  it("an app-wide onError is not reached", async () => {
    const app = new Hono();
    app.onError((_err, c) => c.text("app's own error page", 418));
    app.post("/webhook", fineguideWebhook(wrapped(() => Promise.reject(leaky()))));
    await expectInternalError(await post(app));
  });

  it("a logger that throws: whatever core then does, the answer is the contract's JSON", async () => {
    const boom = () => {
      throw leaky();
    };
    const logger: Logger = { debug: boom, info: boom, warn: boom, error: boom };
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({ secret: SECRET, logger, onAny: () => {} }),
    );
    for (const body of [createEvent("MESSAGE"), { type: "MESSAGE" }, { type: "NEW" }]) {
      const res = await post(app, body);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      if (res.status >= 500) await expectInternalError(res);
      else expect(JSON.parse(await res.text())).toHaveProperty("ok");
    }
  });

  it("the app keeps serving after an unexpected error", async () => {
    let fail = true;
    const webhooks = createWebhooks({ secret: SECRET });
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook({
        ...webhooks,
        receive: (req) => (fail ? Promise.reject(leaky()) : webhooks.receive(req)),
      }),
    );
    await expectInternalError(await post(app));
    fail = false;
    expect((await post(app)).status).toBe(200);
  });
});
