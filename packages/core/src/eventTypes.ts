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
 * Narrows an `onAny` event to the documented union, so `switch (event.type)`
 * then types each case exactly.
 *
 * @example
 * ```ts
 * webhooks.onAny((event) => {
 *   if (isKnownEvent(event) && event.type === "TICKET") console.log(event.customerEmail);
 * });
 * ```
 */
export function isKnownEvent(event: AnyEvent): event is FineGuideEvent {
  return isEventType(event.type);
}
