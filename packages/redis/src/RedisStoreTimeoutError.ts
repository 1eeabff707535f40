/**
 * The rejection of a store operation Redis did not answer within `timeoutMs`.
 * The receiver treats it like any store failure: 503, no handler runs.
 *
 * @example
 * ```ts
 * try {
 *   await store.claim(key, request);
 * } catch (error) {
 *   if (error instanceof RedisStoreTimeoutError) console.warn(error.operation, error.timeoutMs);
 * }
 * ```
 */
export class RedisStoreTimeoutError extends Error {
  override readonly name = "RedisStoreTimeoutError";

  constructor(
    /** `claim`, `complete`, `release` or `renew`. */
    readonly operation: string,
    /** How long the store waited, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`fineguide-webhooks/redis: ${operation} got no answer from Redis within ${timeoutMs} ms`);
  }
}
