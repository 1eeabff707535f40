import type { AnyEvent, FineGuideEvent } from "./types.js";

/**
 * The event types FineGuide documents, in the order of the vendor's page.
 *
 * @example
 * ```ts
 * import { EVENT_TYPES } from "@fineguide-webhooks/core";
 * for (const type of EVENT_TYPES) console.log(type);
 * ```
 */
export const EVENT_TYPES = [
  "MESSAGE",
  "SESSION_OPEN",
  "SESSION_CLOSED",
  "TICKET",
  "CREATE_LEAD",
  "RATE_MESSAGE",
  "MESSAGE_AUDIO_URL",
  "VARIABLE_UPDATE",
] as const;

/** One of the documented event types. */
export type EventType = (typeof EVENT_TYPES)[number];

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Whether a `type` string is one of the documented event types.
 *
 * @example
 * ```ts
 * isEventType("TICKET"); // true
 * isEventType("NEW_THING"); // false
 * ```
 */
export function isEventType(type: unknown): type is EventType {
  return typeof type === "string" && known.has(type);
}

/**
 * The one guard that narrows an `onAny` event (`AnyEvent`) to the documented
 * union `FineGuideEvent`, after which `switch (event.type)` types each case
 * exactly (`TicketEvent`, ...). Without it, `event.type === "TICKET"` does not
 * narrow: an unknown event's `type` is any string, so the event stays
 * `TicketEvent | UnknownEvent`. When it answers `false`, the event is an
 * `UnknownEvent`.
 *
 * @example
 * ```ts
 * webhooks.onAny((event) => {
 *   if (!isKnownEvent(event)) return metrics.count("unknown", event.type);
 *   switch (event.type) {
 *     case "TICKET":
 *       return helpdesk.open(event.customerEmail); // event: TicketEvent
 *     case "MESSAGE":
 *       return metrics.count(event.role); // event: MessageEvent
 *   }
 * });
 * ```
 */
export function isKnownEvent(event: AnyEvent): event is FineGuideEvent {
  return isEventType(event.type);
}
