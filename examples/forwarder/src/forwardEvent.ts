import { setTimeout as sleep } from "node:timers/promises";
import { DownstreamError } from "./DownstreamError.js";
import { parseRetryAfter } from "./parseRetryAfter.js";

/** One POST to the downstream: where, what, with which headers. */
export interface ForwardRequest {
  readonly url: string | URL;
  /** Sent as it is (the delivery's body as received). */
  readonly body: string | Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/** The part of the kit's `ctx` that bounds the forwarding in time. */
export interface TimeBudget {
  /** Fires at the receiver's deadline (the kit then answers 503) or on shutdown. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline. */
  timeLeft(): number;
}

/** When to try the downstream again within one delivery. */
export interface RetryPolicy {
  /** Requests per delivery at most, the first included. */
  readonly maxAttempts: number;
  /**
   * The wait before the 2nd, 3rd, ... request after a 5xx or a connection
   * error, or a 429/503 without a usable `Retry-After` (the last value repeats).
   */
  readonly backoffMs: readonly number[];
  /**
   * Time kept for the request after a wait: a retry is made only when its
   * wait plus this fits in the time left; otherwise the delivery fails now.
   */
  readonly reserveMs: number;
}

/** For the receiver's default 25 s deadline. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  backoffMs: Object.freeze([250, 1_000, 3_000]),
  reserveMs: 2_000,
});

/** What one request to the downstream came to, for logs and counters. */
export interface AttemptReport {
  /** 1 for the first request of this delivery. */
  readonly attempt: number;
  /** The downstream's status; `undefined` when it did not answer (connection failed). */
  readonly status: number | undefined;
  /** Why there is no status. */
  readonly error: string | undefined;
  /** Set when another request follows after this wait. */
  readonly retryInMs: number | undefined;
  /** Where the wait comes from. */
  readonly retryReason: "retry-after" | "backoff" | undefined;
}

/** A delivery the downstream accepted. */
export interface ForwardResult {
  readonly status: number;
  readonly attempts: number;
}

/** The wait a failed request asks for, or `undefined` when retrying cannot help. */
function retryAfterFailure(
  res: Response | undefined,
  attempt: number,
  policy: RetryPolicy,
): { ms: number; reason: "retry-after" | "backoff" } | undefined {
  const backoff = policy.backoffMs[Math.min(attempt, policy.backoffMs.length) - 1] ?? 0;
  if (res === undefined) return { ms: backoff, reason: "backoff" };
  if (res.status === 429 || res.status === 503) {
    const asked = parseRetryAfter(res.headers.get("retry-after"));
    if (asked !== undefined) return { ms: asked, reason: "retry-after" };
    return { ms: backoff, reason: "backoff" };
  }
  if (res.status >= 500) return { ms: backoff, reason: "backoff" };
  // 3xx (not followed: a POST redirected may become a GET without its body),
  // and 4xx other than 429: the same request would get the same answer.
  return undefined;
}

const describe = (error: unknown) =>
  error instanceof Error
    ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}`
    : String(error);

/**
 * POSTs one event to the downstream and retries within the time left: on
 * 429 or 503 after `Retry-After` (seconds or an HTTP date), on other 5xx and
 * connection errors after a short backoff, each time only if the wait plus
 * `policy.reserveMs` fits in `budget.timeLeft()`. Every request is cut when
 * `budget.signal` fires (the receiver's deadline).
 *
 * Resolves once the downstream answered 2xx. Rejects with a
 * {@link DownstreamError} when it answered a status retrying cannot change
 * (3xx, 4xx other than 429), when the attempts or the time ran out; with
 * `budget.signal.reason` when the deadline cut a request or a wait.
 *
 * @example
 * ```ts
 * webhooks.onAny((event, ctx) =>
 *   forwardEvent({ url, body: ctx.rawBody ?? JSON.stringify(event), headers }, ctx),
 * );
 * ```
 */
export async function forwardEvent(
  request: ForwardRequest,
  budget: TimeBudget,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  onAttempt?: (report: AttemptReport) => void,
): Promise<ForwardResult> {
  const { signal } = budget;
  // A copy typed for fetch (a Uint8Array may view a SharedArrayBuffer).
  const body = typeof request.body === "string" ? request.body : new Uint8Array(request.body);
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    let res: Response | undefined;
    let error: unknown;
    try {
      // Cut by the deadline itself: a timer of our own would race the kit's
      // deadline and turn its 503 `handler_timeout` into a 500.
      res = await fetch(request.url, {
        method: "POST",
        headers: request.headers,
        body,
        signal,
        redirect: "manual",
      });
      // The body is not needed; cancelling frees the connection.
      res.body?.cancel().catch(() => {});
    } catch (caught) {
      error = caught;
    }
    const report = (retry?: { ms: number; reason: "retry-after" | "backoff" }) =>
      onAttempt?.({
        attempt,
        status: res?.status,
        error: error === undefined ? undefined : describe(error),
        retryInMs: retry?.ms,
        retryReason: retry?.reason,
      });
    if (res === undefined && signal.aborted) {
      report();
      throw signal.reason;
    }

    if (res !== undefined && res.status >= 200 && res.status < 300) {
      report();
      return { status: res.status, attempts: attempt };
    }
    const what =
      res === undefined
        ? `the downstream could not be reached (${describe(error)})`
        : `the downstream answered ${res.status}`;
    const fail = (why: string) => {
      report();
      return new DownstreamError(`${what}${why}`, res?.status, attempt, { cause: error });
    };
    const retry = retryAfterFailure(res, attempt, policy);
    if (retry === undefined)
      throw fail("; not retried (the same request would get the same answer)");
    if (attempt >= policy.maxAttempts) throw fail(`; gave up after ${attempt} requests`);
    const left = budget.timeLeft();
    if (retry.ms + policy.reserveMs > left) {
      throw fail(
        `; a retry in ${retry.ms} ms (${retry.reason}) does not fit in the ${left} ms left before the deadline`,
      );
    }
    report(retry);
    try {
      await sleep(retry.ms, undefined, { signal });
    } catch (caught) {
      if (signal.aborted) throw signal.reason;
      throw caught;
    }
  }
}
