/**
 * The secret header FineGuide users most often configure (and core's default).
 *
 * @example
 * ```ts
 * createDelivery(event, { secret }).headers[DEFAULT_SECRET_HEADER]; // the secret
 * ```
 */
export const DEFAULT_SECRET_HEADER = "x-webhook-secret";

/** How to turn an event into a delivery. */
export interface DeliveryOptions {
  /** The value of the secret header. Omit it to send no secret header at all. */
  readonly secret?: string;
  /** The secret header's name. Default `x-webhook-secret`. */
  readonly header?: string;
  /** The content type. Default `application/json`. */
  readonly contentType?: string;
  /** More headers to send (lowercase names win over the defaults). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A delivery as FineGuide makes it: a POST with JSON text and the secret header. */
export interface Delivery {
  readonly method: "POST";
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/**
 * What a delivery carries: an event (any object, valid or not), serialised as
 * JSON, or a string sent as it is (for malformed bodies).
 */
export type DeliveryPayload = object | string;

/**
 * The delivery FineGuide would make for `event`: method, headers (with the
 * secret) and the JSON body. The request helpers below build on it; use it
 * directly with any other client.
 *
 * @example
 * ```ts
 * import { createDelivery, createEvent } from "@fineguide-webhooks/testing";
 *
 * const { method, headers, body } = createDelivery(createEvent("TICKET"), { secret: "s3cret" });
 * await fetch("http://127.0.0.1:3000/webhook", { method, headers, body });
 * ```
 */
export function createDelivery(event: DeliveryPayload, options: DeliveryOptions = {}): Delivery {
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/json",
  };
  if (options.secret !== undefined) {
    headers[(options.header ?? DEFAULT_SECRET_HEADER).toLowerCase()] = options.secret;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  return {
    method: "POST",
    headers,
    body: typeof event === "string" ? event : JSON.stringify(event),
  };
}
