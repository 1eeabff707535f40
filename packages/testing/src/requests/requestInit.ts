import { createDelivery, type DeliveryOptions, type DeliveryPayload } from "./createDelivery.js";

/** A `RequestInit` for a delivery: POST, headers, JSON text. */
export interface DeliveryInit {
  readonly method: "POST";
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The delivery as a Fetch `RequestInit`, for Hono's `app.request(path, init)`,
 * `fetch(url, init)` or `new Request(url, init)`.
 *
 * @example
 * ```ts
 * import { createEvent, requestInit } from "@fineguide-webhooks/testing";
 *
 * const res = await app.request("/webhook", requestInit(createEvent("SESSION_OPEN"), { secret }));
 * expect(res.status).toBe(200);
 * ```
 */
export function requestInit(event: DeliveryPayload, options?: DeliveryOptions): DeliveryInit {
  const { method, headers, body } = createDelivery(event, options);
  return { method, headers: { ...headers }, body };
}
