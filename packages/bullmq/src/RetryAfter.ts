/**
 * Thrown (or rejected) by a handler run by {@link createWorker} to say "try
 * this event again in `delayMs`": a Slack 429 with `Retry-After`, a CRM quota.
 * The job is moved to BullMQ's delayed set for that long and comes back with
 * the same attempt number: it burns neither an attempt nor a step of the
 * backoff. After `maxRetryAfters` such delays of one job (worker option,
 * default 25) a further `RetryAfter` counts as an ordinary failure, so a
 * downstream that always says "later" cannot keep a job forever.
 *
 * @example
 * ```ts
 * import { RetryAfter, createWorker } from "@fineguide-webhooks/bullmq";
 *
 * createWorker({
 *   connection,
 *   onTicket: async (ticket, ctx) => {
 *     const res = await fetch(slackUrl, { method: "POST", body: JSON.stringify({ text: ticket.customerMessage }) });
 *     if (res.status === 429) throw RetryAfter.fromHeader(res.headers.get("retry-after"), 30_000);
 *     if (!res.ok) throw new Error(`Slack answered ${res.status}`);
 *   },
 * });
 * ```
 */
export class RetryAfter extends Error {
  override readonly name = "RetryAfter";
  /** How long to wait before the next try, in milliseconds (0 or more). */
  readonly delayMs: number;

  /**
   * @param delayMs how long to wait, in milliseconds; negative or not finite throws.
   * @param message what to log; default "retry after N ms".
   */
  constructor(delayMs: number, message?: string, options?: ErrorOptions) {
    super(message ?? `retry after ${Math.round(delayMs)} ms`, options);
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
      throw new RangeError("RetryAfter: `delayMs` must be a number of milliseconds, 0 or more.");
    }
    this.delayMs = delayMs;
  }

  /**
   * A `RetryAfter` for an HTTP `Retry-After` header (delay-seconds such as
   * `"30"`, or an HTTP date), or for `fallbackMs` when the header is missing
   * or unreadable.
   *
   * @example
   * ```ts
   * RetryAfter.fromHeader("2", 30_000).delayMs; // 2000
   * RetryAfter.fromHeader(null, 30_000).delayMs; // 30000
   * ```
   */
  static fromHeader(
    value: string | null | undefined,
    fallbackMs: number,
    now: number = Date.now(),
  ): RetryAfter {
    return new RetryAfter(parseRetryAfter(value, now) ?? fallbackMs);
  }
}

/**
 * How long a `Retry-After` header asks to wait, in milliseconds: delay-seconds
 * (`"120"`) or an HTTP date (0 when already past); `undefined` when missing or
 * neither form (RFC 9110, section 10.2.3).
 *
 * @example
 * ```ts
 * parseRetryAfter("2"); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"); // 0 (past)
 * parseRetryAfter("soon"); // undefined
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday or month; this keeps "1.5" or "-1" (which
  // Date.parse reads as years) out.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The `RetryAfter` in what handlers threw: the error itself, or the longest
 * among several (an `AggregateError` when several handlers failed) when every
 * failure is a `RetryAfter`. `undefined` when any failure is something else:
 * that is an ordinary failure, retried with backoff.
 */
export function retryAfterIn(error: unknown): RetryAfter | undefined {
  if (error instanceof RetryAfter) return error;
  if (error instanceof AggregateError && error.errors.length > 0) {
    let longest: RetryAfter | undefined;
    for (const inner of error.errors) {
      if (!(inner instanceof RetryAfter)) return undefined;
      if (!longest || inner.delayMs > longest.delayMs) longest = inner;
    }
    return longest;
  }
  return undefined;
}
