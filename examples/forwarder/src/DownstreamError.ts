/**
 * The downstream did not accept an event within the time left. Thrown by
 * `forwardEvent`, so the kit answers FineGuide 500 and FineGuide retries the
 * delivery (after 1, 5 and 15 minutes). The message names the status and the
 * attempts, never the payload.
 *
 * @example
 * ```ts
 * webhooks.onError((error) => {
 *   if (error instanceof DownstreamError) console.warn(error.message, error.status);
 * });
 * ```
 */
export class DownstreamError extends Error {
  override readonly name = "DownstreamError";

  constructor(
    message: string,
    /** The last status the downstream answered; `undefined` when it did not answer. */
    readonly status: number | undefined,
    /** How many requests were made for this delivery. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
