import { setTimeout as sleep } from "node:timers/promises";
import {
  createDelivery,
  type DeliveryOptions,
  type DeliveryPayload,
} from "../requests/createDelivery.js";

/**
 * The vendor's delays before its 1st, 2nd and 3rd retry: 1, 5 and 15 minutes.
 *
 * @example
 * ```ts
 * const window = VENDOR_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0); // 21 minutes
 * ```
 */
export const VENDOR_RETRY_DELAYS_MS: readonly number[] = Object.freeze([60_000, 300_000, 900_000]);
/**
 * The vendor waits this long for an answer before counting the attempt failed.
 *
 * @example
 * ```ts
 * createWebhooks({ secret, deadlineMs: VENDOR_TIMEOUT_MS - 5_000 });
 * ```
 */
export const VENDOR_TIMEOUT_MS = 30_000;

/** A fetch-like function: the global `fetch`, or e.g. `(url, init) => app.request(url, init)`. */
export type FetchLike = (
  url: string,
  init: RequestInit,
) => Promise<{ readonly status: number; text(): Promise<string> }>;

/** Options of {@link simulateDelivery}. */
export interface SimulateDeliveryOptions extends DeliveryOptions {
  /** Where to deliver. Required unless `fetch` is given (then default `/webhook`). */
  readonly url?: string;
  /** How to send, instead of the global `fetch` (e.g. Hono's `app.request`). */
  readonly fetch?: FetchLike;
  /** The event (or a raw JSON string) to deliver, the same on every attempt. */
  readonly event: DeliveryPayload;
  /**
   * Multiplies every vendor duration: the retry delays and the default 30 s
   * timeout. `0.001` makes a minute 60 ms. Default 1 (real time).
   */
  readonly timeScale?: number;
  /**
   * The attempt timeout in real milliseconds, NOT scaled. Default
   * `30_000 * timeScale`. Set it when a scaled 30 s is too short for your
   * receiver (a busy CI machine).
   */
  readonly timeoutMs?: number;
  /** Called after every attempt, e.g. to log progress. */
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
  /** Stops the simulation (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

interface AttemptBase {
  /** 1 for the first delivery, 2 to 4 for the retries. */
  readonly attempt: number;
  /** When the attempt was sent. */
  readonly at: Date;
  /** The (scaled) wait before this attempt, after the previous one ended. */
  readonly delayMs: number;
  /** How long the attempt took, in real milliseconds. */
  readonly durationMs: number;
}

/** An attempt that got an HTTP answer in time. */
export interface AnsweredAttempt extends AttemptBase {
  readonly status: number;
  /** Whether the status is 2xx. */
  readonly ok: boolean;
  /** The answer's body as text. */
  readonly body: string;
  readonly error?: undefined;
}

/** An attempt that got no answer in time, or no answer at all. */
export interface FailedAttempt extends AttemptBase {
  readonly status?: undefined;
  readonly ok: false;
  /** `timeout`: no answer within the timeout; `network`: the connection failed. */
  readonly error: "timeout" | "network";
  /** What failed, e.g. `connect ECONNREFUSED 127.0.0.1:3000`. */
  readonly message: string;
}

/** One attempt of a simulated delivery. */
export type DeliveryAttempt = AnsweredAttempt | FailedAttempt;

/** What happened to a simulated delivery. */
export interface DeliveryResult {
  /** Some attempt got a 2xx in time. */
  readonly delivered: boolean;
  /** Four attempts failed: the vendor marks the webhook failed and the event is lost. */
  readonly givenUp: boolean;
  /** Every attempt, in order. */
  readonly attempts: readonly DeliveryAttempt[];
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
};

/**
 * Delivers one event the way FineGuide does: a POST that must get a 2xx within
 * 30 s, retried after 1, 5 and 15 minutes (each delay counted from the end of
 * the previous attempt) on any other status (redirects are not followed), a
 * timeout or a connection error,
 * then given up. Real timers, scaled by `timeScale`, so a test can run the
 * whole policy in milliseconds.
 *
 * @example
 * ```ts
 * import { createEvent, simulateDelivery } from "@fineguide-webhooks/testing";
 *
 * const result = await simulateDelivery({
 *   url: "http://127.0.0.1:3000/webhook",
 *   event: createEvent("TICKET"),
 *   secret: "s3cret",
 *   timeScale: 0.001, // 1 min = 60 ms
 * });
 * expect(result.delivered).toBe(true);
 * expect(result.attempts.map((a) => a.status)).toEqual([500, 200]);
 * ```
 */
export async function simulateDelivery(options: SimulateDeliveryOptions): Promise<DeliveryResult> {
  const scale = options.timeScale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError("simulateDelivery: `timeScale` must be a positive number.");
  }
  if (options.url === undefined && options.fetch === undefined) {
    throw new TypeError("simulateDelivery: pass `url`, `fetch`, or both.");
  }
  const url = options.url ?? "/webhook";
  // FineGuide's handling of redirects is not documented: a 3xx counts as a failed attempt.
  const send: FetchLike = options.fetch ?? ((u, init) => fetch(u, { ...init, redirect: "manual" }));
  const timeoutMs = options.timeoutMs ?? VENDOR_TIMEOUT_MS * scale;
  const { method, headers, body } = createDelivery(options.event, options);
  const delays = [0, ...VENDOR_RETRY_DELAYS_MS.map((ms) => ms * scale)];

  const attempts: DeliveryAttempt[] = [];
  for (const [index, delayMs] of delays.entries()) {
    if (delayMs > 0) {
      try {
        await sleep(delayMs, undefined, { signal: options.signal });
      } catch (error) {
        options.signal?.throwIfAborted();
        throw error;
      }
    }
    options.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const at = new Date();
    const started = performance.now();
    let attempt: DeliveryAttempt;
    try {
      // Raced against the signal too, for fetch-likes that ignore it.
      const answer = await untilAborted(
        signal,
        send(url, { method, headers: { ...headers }, body, signal }).then(
          async (res) => [res.status, await res.text()] as const,
        ),
      );
      const [status, text] = answer;
      attempt = {
        attempt: index + 1,
        at,
        delayMs,
        durationMs: performance.now() - started,
        status,
        ok: status >= 200 && status < 300,
        body: text,
      };
    } catch (error) {
      options.signal?.throwIfAborted();
      const timedOut = timeout.aborted;
      attempt = {
        attempt: index + 1,
        at,
        delayMs,
        durationMs: performance.now() - started,
        ok: false,
        error: timedOut ? "timeout" : "network",
        message: timedOut
          ? `no answer within ${Number(timeoutMs.toFixed(3))} ms`
          : describeError(error),
      };
    }
    attempts.push(attempt);
    options.onAttempt?.(attempt);
    if (attempt.ok) return { delivered: true, givenUp: false, attempts };
  }
  return { delivered: false, givenUp: true, attempts };
}
