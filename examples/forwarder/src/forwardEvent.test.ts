import { afterEach, describe, expect, it } from "vitest";
import { DownstreamError } from "./DownstreamError.js";
import {
  type AttemptReport,
  type ForwardRequest,
  forwardEvent,
  type RetryPolicy,
  type TimeBudget,
} from "./forwardEvent.js";
import { type DownstreamAnswer, startDownstream } from "./startDownstream.js";

const POLICY: RetryPolicy = { maxAttempts: 4, backoffMs: [40, 80], reserveMs: 100 };
const body = JSON.stringify({ type: "MESSAGE", message: "hi" });

/** A deadline `ms` from now, as the kit's `ctx` describes it. */
function budget(ms: number): TimeBudget & { abort(reason: unknown): void } {
  const controller = new AbortController();
  const deadlineAt = Date.now() + ms;
  return {
    signal: controller.signal,
    timeLeft: () => Math.max(0, deadlineAt - Date.now()),
    abort: (reason) => controller.abort(reason),
  };
}

const status = (code: number, headers?: Record<string, string>): DownstreamAnswer => ({
  status: code,
  ...(headers ? { headers } : {}),
});

/** Whatever the promise rejects with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable("resolved"),
    (error: unknown) => error,
  );

describe("forwardEvent", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A downstream answering `answers` in turn (the last one repeats). */
  const downstream = async (...answers: DownstreamAnswer[]) => {
    const running = await startDownstream({
      respond: (_request, index) => answers[Math.min(index, answers.length - 1)]!,
    });
    cleanup.push(() => running.close());
    return running;
  };
  const request = (url: string, overrides: Partial<ForwardRequest> = {}): ForwardRequest => ({
    url,
    body,
    headers: { "content-type": "application/json", "idempotency-key": "key-1" },
    ...overrides,
  });

  it("POSTs the body as it is with the given headers, once, when the downstream answers 2xx", async () => {
    const down = await downstream(status(202));
    const reports: AttemptReport[] = [];
    const result = await forwardEvent(request(down.url), budget(2000), POLICY, (r) =>
      reports.push(r),
    );
    expect(result).toEqual({ status: 202, attempts: 1 });
    expect(down.received).toHaveLength(1);
    expect(down.received[0]).toMatchObject({
      method: "POST",
      body,
      headers: { "content-type": "application/json", "idempotency-key": "key-1" },
    });
    expect(reports).toEqual([
      { attempt: 1, status: 202, error: undefined, retryInMs: undefined, retryReason: undefined },
    ]);
  });

  it("sends bytes as they are", async () => {
    const down = await downstream(status(200));
    const bytes = new TextEncoder().encode('{ "type" : "MESSAGE",\n  "é": 1 }');
    await forwardEvent(request(down.url, { body: bytes }), budget(2000), POLICY);
    expect(down.received[0]?.body).toBe('{ "type" : "MESSAGE",\n  "é": 1 }');
  });

  it("retries 5xx after the backoff, with the same request", async () => {
    const down = await downstream(status(500), status(502), status(200));
    const reports: AttemptReport[] = [];
    const result = await forwardEvent(request(down.url), budget(2000), POLICY, (r) =>
      reports.push(r),
    );
    expect(result).toEqual({ status: 200, attempts: 3 });
    expect(reports.map((r) => [r.status, r.retryInMs, r.retryReason])).toEqual([
      [500, 40, "backoff"],
      [502, 80, "backoff"],
      [200, undefined, undefined],
    ]);
    const [a, b, c] = down.received;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(39);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(79);
    expect(new Set(down.received.map((r) => r.headers["idempotency-key"]))).toEqual(
      new Set(["key-1"]),
    );
  });

  it("honours Retry-After in seconds on 429 and as an HTTP date on 503", async () => {
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    const down = await downstream(
      status(429, { "retry-after": "1" }),
      status(503, { "retry-after": inTwoSeconds }),
      status(200),
    );
    const reports: AttemptReport[] = [];
    await forwardEvent(request(down.url), budget(5000), POLICY, (r) => reports.push(r));
    expect(reports.map((r) => r.retryReason)).toEqual(["retry-after", "retry-after", undefined]);
    expect(reports[0]?.retryInMs).toBe(1000);
    const [a, b] = down.received;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(999);
  }, 10_000);

  it("falls back to the backoff for a 429 without Retry-After", async () => {
    const down = await downstream(status(429), status(200));
    const reports: AttemptReport[] = [];
    await forwardEvent(request(down.url), budget(2000), POLICY, (r) => reports.push(r));
    expect(reports[0]).toMatchObject({ status: 429, retryInMs: 40, retryReason: "backoff" });
  });

  it("fails at once when Retry-After does not fit in the time left, instead of waiting", async () => {
    const down = await downstream(status(503, { "retry-after": "3" }), status(200));
    const started = Date.now();
    const error = await rejection(forwardEvent(request(down.url), budget(2000), POLICY));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(DownstreamError);
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect((error as Error).message).toMatch(/retry in 3000 ms \(retry-after\) does not fit/);
    expect(down.received).toHaveLength(1);
  });

  it("does not retry a wait that would leave less than `reserveMs` for the request", async () => {
    const down = await downstream(status(500), status(200));
    const policy = { ...POLICY, backoffMs: [400], reserveMs: 700 };
    const error = await rejection(forwardEvent(request(down.url), budget(1000), policy));
    expect((error as Error).message).toMatch(/does not fit in the \d+ ms left/);
    expect(down.received).toHaveLength(1);
  });

  it.each([400, 401, 404, 409, 410, 422])(
    "does not retry %i: the same request would get the same answer",
    async (code) => {
      const down = await downstream(status(code), status(200));
      const error = await rejection(forwardEvent(request(down.url), budget(2000), POLICY));
      expect(error).toMatchObject({ name: "DownstreamError", status: code, attempts: 1 });
      expect(down.received).toHaveLength(1);
    },
  );

  it("does not follow a redirect (a POST may come out of one as a GET without its body)", async () => {
    const elsewhere = await downstream(status(200));
    const down = await downstream(status(307, { location: elsewhere.url }));
    const error = await rejection(forwardEvent(request(down.url), budget(2000), POLICY));
    expect(error).toMatchObject({ status: 307, attempts: 1 });
    expect(elsewhere.received).toHaveLength(0);
  });

  it("gives up after `maxAttempts` requests", async () => {
    const down = await downstream(status(500));
    const error = await rejection(forwardEvent(request(down.url), budget(2000), POLICY));
    expect(error).toMatchObject({ status: 500, attempts: 4 });
    expect((error as Error).message).toMatch(/gave up after 4 requests/);
    expect(down.received).toHaveLength(4);
  });

  it("retries a refused connection, then fails without a status", async () => {
    const gone = await startDownstream();
    await gone.close();
    const reports: AttemptReport[] = [];
    const error = await rejection(
      forwardEvent(request(gone.url), budget(2000), POLICY, (r) => reports.push(r)),
    );
    expect(error).toMatchObject({ name: "DownstreamError", status: undefined, attempts: 4 });
    expect((error as Error).message).toMatch(/could not be reached .*ECONNREFUSED/);
    expect(reports.map((r) => r.status)).toEqual([undefined, undefined, undefined, undefined]);
    expect(reports[0]?.error).toMatch(/ECONNREFUSED/);
  });

  it("a request left hanging is cut when the signal fires, rejecting with its reason", async () => {
    const down = await downstream("hang");
    const deadline = budget(2000);
    const reason = new DOMException("The webhook handler deadline passed.", "TimeoutError");
    setTimeout(() => deadline.abort(reason), 100);
    const reports: AttemptReport[] = [];
    const started = Date.now();
    expect(
      await rejection(forwardEvent(request(down.url), deadline, POLICY, (r) => reports.push(r))),
    ).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(reports).toEqual([
      {
        attempt: 1,
        status: undefined,
        error: "The webhook handler deadline passed.",
        retryInMs: undefined,
        retryReason: undefined,
      },
    ]);
  });

  it("a wait is cut when the signal fires", async () => {
    const down = await downstream(status(429, { "retry-after": "1" }), status(200));
    const deadline = budget(5000);
    const reason = new Error("shutting down");
    setTimeout(() => deadline.abort(reason), 100);
    expect(await rejection(forwardEvent(request(down.url), deadline, POLICY))).toBe(reason);
    expect(down.received).toHaveLength(1);
  });
});
