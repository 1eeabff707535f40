import {
  createWebhooks,
  errorResponse,
  type Logger,
  type WebhookResponse,
  type Webhooks,
} from "@fineguide-webhooks/core";
import express from "express";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";
import { SECRET, ticket } from "./testFixtures.js";

const INTERNAL = errorResponse("internal_error");
/** What a leaked error would carry: the secret, a host, a stack. */
const leaky = () => new Error(`connect to db.internal:5432 with ${SECRET} failed`);

/** A receiver as a user may wrap one (`toWebhooks` takes any object with `receive`). */
const wrapped = (receive: Webhooks["receive"], preflight?: Webhooks["preflight"]): Webhooks => {
  const webhooks = createWebhooks({ secret: SECRET });
  return { ...webhooks, receive, ...(preflight ? { preflight } : {}) };
};

const post = (
  app: express.Express,
  body = JSON.stringify(ticket()),
  contentType = "application/json",
) =>
  request(app)
    .post("/webhook")
    .set("x-webhook-secret", SECRET)
    .set("content-type", contentType)
    .send(body);

/** Core's 500 `internal_error`, as core makes it, and nothing of the error. */
const expectInternalError = (res: request.Response) => {
  expect(res.status).toBe(500);
  expect(res.headers["content-type"]).toBe(INTERNAL.headers["content-type"]);
  expect(res.text).toBe(INTERNAL.body);
  expect(JSON.parse(res.text)).toEqual({
    ok: false,
    error: { code: "internal_error", message: expect.any(String) },
  });
  expect(res.text).not.toContain(SECRET);
  expect(res.text).not.toContain("db.internal");
  expect(res.text).not.toMatch(/\bat |<|Error/);
};

describe("an error escaping core or the adapter is core's JSON 500, never Express's HTML page", () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => {
      warnings.push(String(warning));
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("receive() rejects (a wrapped receiver)", async () => {
    const app = express();
    app.post("/webhook", fineguideWebhook(wrapped(() => Promise.reject(leaky()))));
    expectInternalError(await post(app));
    expect(warnings).toEqual([expect.stringContaining("unexpected error, answered 500")]);
  });

  it("receive() throws synchronously", async () => {
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook(
        wrapped(() => {
          throw leaky();
        }),
      ),
    );
    expectInternalError(await post(app));
  });

  it("an answer that cannot be written: none of its headers stay on the 500", async () => {
    const broken: WebhookResponse = {
      status: 42,
      headers: { "retry-after": "60", "x-partial": "yes" },
      body: "{}",
      outcome: "processed",
    };
    const app = express();
    app.post("/webhook", fineguideWebhook(wrapped(async () => broken)));
    const res = await post(app);
    expectInternalError(res);
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.headers["x-partial"]).toBeUndefined();
  });

  it("onResponse sees the 500 it answered", async () => {
    const outcomes: string[] = [];
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook(
        wrapped(() => Promise.reject(leaky())),
        {
          onResponse: (answer) => void outcomes.push(answer.outcome),
        },
      ),
    );
    expectInternalError(await post(app));
    expect(outcomes).toEqual(["internal_error"]);
  });

  it("after express.json(): receive() or preflight() failing in errorHandler is the JSON 500 too", async () => {
    const webhooks = wrapped(
      () => Promise.reject(leaky()),
      () => {
        throw leaky();
      },
    );
    const app = express();
    app.use(express.json());
    const webhook = fineguideWebhook(webhooks);
    app.post("/webhook", webhook);
    app.use("/webhook", webhook.errorHandler);
    // Bad JSON: express.json() rejects it, errorHandler hands it to receive(), which rejects.
    expectInternalError(await post(app, "{nope"));
    // A charset express.json() refuses: errorHandler asks preflight(), which throws.
    expectInternalError(await post(app, "{}", "application/json; charset=latin1"));
  });

  it("errors that are not the webhook's still go on to the app's error handler", async () => {
    const app = express();
    const webhook = fineguideWebhook(wrapped(() => Promise.reject(leaky())));
    app.use((_req, _res, next) => next(new Error("auth middleware down")));
    app.post("/webhook", webhook);
    app.use("/webhook", webhook.errorHandler);
    app.use(
      ((_err, _req, res, _next) => void res.status(599).end()) as express.ErrorRequestHandler,
    );
    expect((await post(app)).status).toBe(599);
  });

  it("a logger that throws: whatever core then does, the answer is the contract's JSON", async () => {
    const boom = () => {
      throw leaky();
    };
    const logger: Logger = { debug: boom, info: boom, warn: boom, error: boom };
    const app = express();
    app.post("/webhook", fineguideWebhook({ secret: SECRET, logger, onAny: () => {} }));
    for (const body of [JSON.stringify(ticket()), JSON.stringify({ type: "TICKET" }), "{"]) {
      const res = await post(app, body);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      const answer = JSON.parse(res.text) as { ok: boolean; error?: { code: string } };
      if (res.status >= 500) expectInternalError(res);
      else expect(answer.ok === true || typeof answer.error?.code === "string").toBe(true);
    }
  });

  it("the app keeps serving after an unexpected error", async () => {
    let fail = true;
    const webhooks = createWebhooks({ secret: SECRET });
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook({
        ...webhooks,
        receive: (req) => (fail ? Promise.reject(leaky()) : webhooks.receive(req)),
      }),
    );
    expectInternalError(await post(app));
    fail = false;
    expect((await post(app)).status).toBe(200);
  });
});
