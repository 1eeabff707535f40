/**
 * How long a worker waits before the next attempt after a failure: a fixed
 * delay in milliseconds, or an exponential one (`delayMs`, then twice that,
 * ...) capped at `maxDelayMs`. `jitter` (0 to 1) takes up to that fraction
 * off each delay at random, so that many jobs failing together (a downstream
 * outage) do not all come back in the same instant.
 *
 * @example
 * ```ts
 * createWorker({ connection, backoff: { type: "exponential", delayMs: 1_000, maxDelayMs: 600_000 } });
 * createWorker({ connection, backoff: 5_000 }); // 5 s after every failure
 * ```
 */
export type Backoff =
  | number
  | {
      readonly type: "fixed" | "exponential";
      /** The first delay (exponential) or every delay (fixed), in milliseconds. */
      readonly delayMs: number;
      /** The longest delay, in milliseconds (exponential). Default 10 minutes. */
      readonly maxDelayMs?: number;
      /** 0 to 1: up to this fraction of each delay is taken off at random. Default 0. */
      readonly jitter?: number;
    };

/** The default: 1 s, 2 s, 4 s, ... up to 10 min, 20 % jitter. */
export const DEFAULT_BACKOFF: Backoff = {
  type: "exponential",
  delayMs: 1_000,
  maxDelayMs: 600_000,
  jitter: 0.2,
};

/** Checks a {@link Backoff} and returns the delay function it describes. */
export function backoffDelay(
  backoff: Backoff,
  random: () => number = Math.random,
): (attemptsMade: number) => number {
  const spec = typeof backoff === "number" ? { type: "fixed" as const, delayMs: backoff } : backoff;
  const { delayMs } = spec;
  const maxDelayMs = spec.maxDelayMs ?? 600_000;
  const jitter = spec.jitter ?? 0;
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new RangeError(
      "createWorker: `backoff` delay must be a number of milliseconds, 0 or more.",
    );
  }
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) {
    throw new RangeError("createWorker: `backoff.maxDelayMs` must be 0 or more.");
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new RangeError("createWorker: `backoff.jitter` must be between 0 and 1.");
  }
  if (spec.type !== "fixed" && spec.type !== "exponential") {
    throw new TypeError('createWorker: `backoff.type` must be "fixed" or "exponential".');
  }
  return (attemptsMade) => {
    const base =
      spec.type === "fixed"
        ? delayMs
        : Math.min(maxDelayMs, delayMs * 2 ** Math.max(0, Math.min(attemptsMade - 1, 52)));
    return Math.round(base * (1 - jitter * random()));
  };
}
