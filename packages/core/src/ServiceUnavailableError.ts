import { hasBrand, setBrand } from "./brand.js";

/** Marks the kit's "come back later" errors across copies of the package (ESM and CommonJS). */
const BRAND = Symbol.for("fineguide-webhooks.ServiceUnavailableError");

/**
 * Thrown (or rejected) by a handler to say "the event is not processed nor
 * stored, come back later": the delivery is answered 503
 * `handler_unavailable` with `Retry-After`, the dedupe claim is released and
 * the vendor retries, as with a store that cannot be reached. Use it when a
 * dependency is away (a queue, a database); a plain throw means a failure of
 * the handler itself (500 `handler_failed`). With several handlers, the
 * answer is 503 only when every failing handler threw this. `onError` hooks
 * see it like any handler error; the log line is a warning.
 *
 * @example
 * ```ts
 * import { ServiceUnavailableError } from "@fineguide-webhooks/core";
 *
 * webhooks.onTicket(async (ticket, ctx) => {
 *   try {
 *     await outbox.insert({ id: ctx.eventId, ticket });
 *   } catch (error) {
 *     throw new ServiceUnavailableError("the outbox database is away", { cause: error });
 *   }
 * });
 * ```
 */
export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError";

  /**
   * Whether `error` is a {@link ServiceUnavailableError}, from this copy of
   * the package or another (an ESM and a CommonJS build in one process).
   *
   * @example
   * ```ts
   * if (ServiceUnavailableError.is(result.error)) metrics.count("webhook.deferred");
   * ```
   */
  static is(error: unknown): error is ServiceUnavailableError {
    return hasBrand(error, BRAND);
  }

  constructor(message = "A dependency of the handler is unavailable.", options?: ErrorOptions) {
    super(message, options);
    setBrand(this, BRAND);
  }
}
