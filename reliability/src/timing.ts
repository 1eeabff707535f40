import { VENDOR_RETRY_DELAYS_MS, VENDOR_TIMEOUT_MS } from "@fineguide-webhooks/testing";

/** The vendor's and the receiver's durations at one time scale, in real milliseconds. */
export interface Timing {
  /** 1 is real time; 0.01 makes the vendor's minute 600 ms. */
  readonly scale: number;
  /** The receiver's deadline: core's default 25 s, scaled. */
  readonly deadlineMs: number;
  /** The receiver's lease: core's default 45 s, scaled (over the deadline, under the first retry delay). */
  readonly leaseMs: number;
  /** The vendor's waits before its retries: 1, 5 and 15 min, scaled. */
  readonly retryDelaysMs: readonly number[];
  /**
   * How long the sender waits for an answer: the vendor's 30 s scaled, but at
   * least {@link MIN_ATTEMPT_TIMEOUT_MS}, since a busy machine can take longer
   * than a scaled 30 s to answer a healthy request. The receiver still answers
   * at its own scaled deadline.
   */
  readonly attemptTimeoutMs: number;
  /** From an event's first attempt to the end of its last possible one. */
  readonly windowMs: number;
}

/** The floor of the sender's attempt timeout, in real milliseconds. */
export const MIN_ATTEMPT_TIMEOUT_MS = 1000;

/**
 * The durations at `scale`.
 *
 * @example
 * ```ts
 * scaledTiming(0.01); // deadline 250 ms, lease 450 ms, retries after 0.6, 3 and 9 s
 * ```
 */
export function scaledTiming(scale: number): Timing {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError("scale must be positive");
  const retryDelaysMs = VENDOR_RETRY_DELAYS_MS.map((ms) => ms * scale);
  const attemptTimeoutMs = Math.max(VENDOR_TIMEOUT_MS * scale, MIN_ATTEMPT_TIMEOUT_MS);
  return {
    scale,
    deadlineMs: 25_000 * scale,
    leaseMs: 45_000 * scale,
    retryDelaysMs,
    attemptTimeoutMs,
    windowMs: retryDelaysMs.reduce((a, b) => a + b, 0) + 4 * attemptTimeoutMs,
  };
}
