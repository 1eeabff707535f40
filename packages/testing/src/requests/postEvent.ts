import type { DeliveryOptions, DeliveryPayload } from "./createDelivery.js";
import { requestInit } from "./requestInit.js";

/** Options of {@link postEvent}. */
export interface PostEventOptions extends DeliveryOptions {
  /** Gives up on the request (e.g. `AbortSignal.timeout(30_000)`). */
  readonly signal?: AbortSignal;
  /** The fetch to use. Default the global `fetch`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/**
 * Delivers an event over HTTP with `fetch`, as FineGuide would (one attempt;
 * see `simulateDelivery` for retries).
 *
 * @example
 * ```ts
 * import { createEvent, postEvent } from "@fineguide-webhooks/testing";
 *
 * const res = await postEvent("http://127.0.0.1:3000/webhook", createEvent("TICKET"), { secret });
 * expect(res.status).toBe(200);
 * ```
 */
export function postEvent(
  url: string,
  event: DeliveryPayload,
  options: PostEventOptions = {},
): Promise<Response> {
  const init: RequestInit = requestInit(event, options);
  if (options.signal) init.signal = options.signal;
  return (options.fetch ?? fetch)(url, init);
}
