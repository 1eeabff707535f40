import { hasBrand, setBrand } from "./brand.js";

/** Marks the errors of stores whose `complete()` found the event not processed, across package copies. */
const BRAND = Symbol.for("fineguide-webhooks.NotProcessedError");

/**
 * Thrown (or rejected) by a dedupe store's `complete()` when the event must
 * not count as processed although every handler returned: a transactional
 * store whose handlers' writes did not commit (a transactional handler whose
 * error another handler caught, or one called without `await`). The
 * receiver then treats it as a failed handler: it releases the claim, answers
 * 500 `handler_failed` instead of 200 so FineGuide retries the event, and
 * reports it (its log line, `onError` hooks, `onOutcome`). Any other error from
 * `complete()` still answers 200: the handlers' work took hold, only its done
 * mark was not recorded.
 *
 * @example
 * ```ts
 * import { NotProcessedError, type DedupeStore } from "@fineguide-webhooks/core";
 *
 * const store: DedupeStore = {
 *   // ...claim, release, renew
 *   async complete(key, token, { ttlMs }) {
 *     const tx = transactions.take(token);
 *     if (tx && !tx.committed) throw new NotProcessedError("the handlers' transaction rolled back");
 *     return markDone(key, token, ttlMs);
 *   },
 * };
 * ```
 */
export class NotProcessedError extends Error {
  override name = "NotProcessedError";

  /**
   * Whether `error` is a {@link NotProcessedError}, from this copy of the
   * package or another (an ESM and a CommonJS build in one process).
   *
   * @example
   * ```ts
   * if (NotProcessedError.is(result.error)) metrics.count("webhook.uncommitted");
   * ```
   */
  static is(error: unknown): error is NotProcessedError {
    return hasBrand(error, BRAND);
  }

  constructor(message = "The event's work did not take hold.", options?: ErrorOptions) {
    super(message, options);
    setBrand(this, BRAND);
  }
}
