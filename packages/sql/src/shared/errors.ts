import { NotProcessedError } from "@fineguide-webhooks/core";

/**
 * Why a transactional delivery's writes were rolled back instead of committed.
 *
 * @example
 * ```ts
 * const code: SqlStoreErrorCode = error instanceof SqlStoreError ? error.code : "claim_lost";
 * ```
 */
export type SqlStoreErrorCode = "claim_lost" | "transaction_aborted";

/**
 * An error of a transactional handler that rolled its transaction back for a
 * reason of the store's (not the handler's own error). `code` tells which:
 * - `claim_lost`: at commit time the delivery no longer owned its claim (its
 *   lease lapsed and another delivery may have taken the event over);
 * - `transaction_aborted`: `ctx.signal` fired first (the deadline passed, or
 *   the receiver closed), so the transaction was rolled back.
 *
 * The receiver answers 500 (or already answered 503) and FineGuide retries.
 *
 * @example
 * ```ts
 * webhooks.onError((error) => {
 *   if (error instanceof SqlStoreError) logger.warn({ code: error.code }, "rolled back");
 * });
 * ```
 */
export class SqlStoreError extends Error {
  readonly code: SqlStoreErrorCode;

  constructor(code: SqlStoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SqlStoreError";
    this.code = code;
  }
}

export const claimLost = (key: string) =>
  new SqlStoreError(
    "claim_lost",
    `fineguide-webhooks/sql: the claim on ${JSON.stringify(key)} was no longer this delivery's at commit ` +
      "(its lease lapsed); the transaction was rolled back",
  );

export const transactionAborted = (reason: unknown) =>
  new SqlStoreError(
    "transaction_aborted",
    "fineguide-webhooks/sql: ctx.signal fired (deadline or shutdown) before the commit; the transaction was rolled back",
    { cause: reason },
  );

/** The wrapped handler runs for a delivery this store did not claim. */
export const notClaimedHere = (deliveryId: string) =>
  new Error(
    `fineguide-webhooks/sql: transactional(): delivery ${deliveryId} holds no claim of this store. ` +
      "Pass the same store as the receiver's `dedupe` option (and keep onStoreError at its default, " +
      '"closed"); a transactional handler cannot run without its claim.',
  );

/**
 * What a store's `complete()` throws when the delivery's transaction did not
 * commit although every handler returned (a transactional handler's error
 * caught by another handler, or one not awaited): core then answers 500
 * `handler_failed` instead of 200, and FineGuide retries the event.
 */
export const notCommitted = (): NotProcessedError =>
  new NotProcessedError(
    "fineguide-webhooks/sql: the delivery's transaction did not commit although every handler returned; " +
      "await each transactional handler and let its error through",
  );
