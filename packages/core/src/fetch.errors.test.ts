import { afterEach, describe, expect, it, vi } from "vitest";
import { createWebhooks, type Webhooks } from "./createWebhooks.js";
import { createFetchHandler } from "./fetch.js";
import type { OutcomeInfo } from "./handlers/types.js";
import type { WebhookResponse } from "./http/response.js";
import type { Logger } from "./logger.js";
import { sessionOpenJson as event, INTERNAL_ERROR_BODY as INTERNAL_ERROR } from "./test/samples.js";

// The Fetch handler's own error paths, on real Request and Response objects: a receiver
// that throws, an answer the Fetch API refuses, `onResponse`, and a Request without a body.
const secret = "s3cret";
const post = (body?: string) =>
  new Request("http://receiver.test/webhook", {
    method: "POST",
    headers: { "x-webhook-secret": secret, "content-type": "application/json" },
    ...(body === undefined ? {} : { body }),
  });

/** A user's receiver object (what `toWebhooks` takes as an instance) answering as told. */
const answering = (receive: Webhooks["receive"]): Webhooks => ({
  ...createWebhooks({ secret }),
  receive,
});

/** What the handler reports with `console.warn` (the console is the runtime's, not ours). */
const watchConsoleWarn = () => vi.spyOn(console, "warn").mockImplementation(() => {});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createFetchHandler error paths", () => {
  it("answers 500 internal_error when the receiver throws or rejects", async () => {
    const warn = watchConsoleWarn();
    const exploded = new Error("receiver exploded");
    for (const receive of [
      () => {
        throw exploded;
      },
      () => Promise.reject(exploded),
    ]) {
      const res = await createFetchHandler(answering(receive))(post(event));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual(INTERNAL_ERROR);
    }
    expect(warn.mock.calls).toEqual([
      ["fineguide-webhooks: unexpected error, answered 500", exploded],
      ["fineguide-webhooks: unexpected error, answered 500", exploded],
    ]);
  });

  it.each([
    ["header name", { "bad header": "x" }, 200],
    ["header value", { "x-injected": "a\r\nset-cookie: x=1" }, 200],
    ["status", {}, 99],
  ])(
    "answers core's 500 when the Fetch API refuses the answer's %s",
    async (_what, extra, status) => {
      const warn = watchConsoleWarn();
      const seen: WebhookResponse[] = [];
      const refused: WebhookResponse = {
        status,
        headers: { "content-type": "application/json", "x-from-receiver": "1", ...extra },
        body: '{"ok":true}',
        outcome: "processed",
      };
      const handler = createFetchHandler(
        answering(async () => refused),
        { onResponse: (answer) => void seen.push(answer) },
      );
      const res = await handler(post(event));
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("x-from-receiver")).toBeNull();
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.json()).toEqual(INTERNAL_ERROR);
      // onResponse is told what went out, not what the receiver answered.
      expect(seen.map((answer) => [answer.status, answer.outcome])).toEqual([
        [500, "internal_error"],
      ]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toBe("fineguide-webhooks: unexpected error, answered 500");
      expect(warn.mock.calls[0]![1]).toBeInstanceOf(Error);
    },
  );
});

describe("createFetchHandler onResponse", () => {
  it("is called once per answer with the answer and the Request", async () => {
    const seen: [WebhookResponse, Request][] = [];
    const handler = createFetchHandler(createWebhooks({ secret }), {
      onResponse: (answer, request) => void seen.push([answer, request]),
    });
    const request = post(event);
    const res = await handler(request);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ status: 200, outcome: "processed", body: '{"ok":true}' });
    expect(seen[0]![1]).toBe(request);
  });

  it("changes nothing when it throws: the answer is returned, the error reported", async () => {
    const warn = watchConsoleWarn();
    const broke = new Error("metrics backend down");
    let handled = 0;
    const handler = createFetchHandler(
      createWebhooks({ secret, onSessionOpen: () => void handled++ }),
      {
        onResponse: () => {
          throw broke;
        },
      },
    );
    const res = await handler(post(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(handled).toBe(1);
    expect(warn.mock.calls).toEqual([["fineguide-webhooks: onResponse threw", broke]]);
  });

  it("never rejects, even when reporting the error throws", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {
      throw new Error("console closed");
    });
    const handler = createFetchHandler(createWebhooks({ secret }), {
      onResponse: () => {
        throw new Error("metrics backend down");
      },
    });
    const res = await handler(post(event));
    expect(res.status).toBe(200);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe("createFetchHandler and a Request without a body", () => {
  it("answers 400 invalid_json, having read nothing and failed nothing", async () => {
    const warnings: unknown[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (obj, msg) => void warnings.push([obj, msg]),
      error: (obj, msg) => void warnings.push([obj, msg]),
    };
    const outcomes: OutcomeInfo[] = [];
    let handled = 0;
    const handler = createFetchHandler({
      secret,
      logger,
      onSessionOpen: () => void handled++,
      onOutcome: (info) => void outcomes.push(info),
    });
    const request = post();
    expect(request.body).toBeNull();
    const res = await handler(request);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    expect(handled).toBe(0);
    // No body is not a body that failed to read: no error, nothing logged as a failure.
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: "invalid_json", status: 400 });
    expect(outcomes[0]!.error).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});
