import { createDelivery, type DeliveryOptions, type DeliveryPayload } from "./createDelivery.js";

/** Options of {@link injectOptions}: the delivery's, plus the path. */
export interface InjectDeliveryOptions extends DeliveryOptions {
  /** The route to inject into. Default `/webhook`. */
  readonly url?: string;
}

/** What Fastify's `app.inject()` takes for a delivery. */
export interface InjectDelivery {
  readonly method: "POST";
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload: string;
}

/**
 * The delivery as options for Fastify's `app.inject()` (no socket).
 *
 * @example
 * ```ts
 * import { createEvent, injectOptions } from "@fineguide-webhooks/testing";
 *
 * const res = await app.inject(injectOptions(createEvent("MESSAGE"), { secret }));
 * expect(res.statusCode).toBe(200);
 * ```
 */
export function injectOptions(
  event: DeliveryPayload,
  options: InjectDeliveryOptions = {},
): InjectDelivery {
  const { method, headers, body } = createDelivery(event, options);
  return { method, url: options.url ?? "/webhook", headers: { ...headers }, payload: body };
}
