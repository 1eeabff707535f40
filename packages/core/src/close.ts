import type { Receiver } from "./receive.js";

/** How long `close()` waits for the store to take claims back. */
const RELEASE_GRACE_MS = 2_000;

/** Options of `webhooks.close()`. */
export interface CloseOptions {
  /**
   * How long in-flight deliveries may go on before their claims are released
   * and they are answered 503. Default 10 s.
   */
  readonly timeoutMs?: number;
}

/**
 * Shuts a receiver down: from now on deliveries are answered 503
 * `shutting_down` (with `Retry-After`, so the vendor comes back to another
 * instance or after the restart); deliveries in flight may finish until
 * `timeoutMs`; then those still running are answered 503, their signal fires
 * and their claims are released, so the vendor's retry runs them. Resolves
 * once nothing is left in flight.
 */
export async function closeReceiver(
  r: Receiver,
  { timeoutMs = 10_000 }: CloseOptions,
): Promise<void> {
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new RangeError("close(): `timeoutMs` must be a number of milliseconds, 0 or more.");
  }
  r.closing = true;
  const until = Date.now() + timeoutMs;
  while (r.inflight.size > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(r.tickMs, until - Date.now())));
  }
  const releases = Promise.all([...r.inflight].map((run) => run.abandon()));
  r.ticker.stop();
  // Each store bounds its own calls (Redis: 1 s by default); a store that hangs is not waited for.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    releases,
    new Promise((resolve) => {
      timer = setTimeout(resolve, RELEASE_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
}
