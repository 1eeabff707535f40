import { EVENT_TYPES } from "./eventTypes.js";
import { eventSchemas } from "./schemas/eventSchemas.js";
import type { AnyEvent } from "./types.js";

/** The fields the vendor documents for every event ("Common Fields"). */
const COMMON: ReadonlySet<string> = new Set(["type", "botId", "sessionId"]);

// A Map, not an object: an undocumented type named "constructor" or "__proto__" finds nothing.
const DOCUMENTED: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  EVENT_TYPES.map((type) => [type, new Set(Object.keys(eventSchemas[type].shape))]),
);

const empty = (): Record<string, unknown> => Object.create(null);
const NONE: Readonly<Record<string, unknown>> = Object.freeze(empty());

/**
 * The fields of an event that its type does not document: what FineGuide
 * added and the kit kept (the default, lenient schemas keep unknown fields;
 * with `strict: true` there are none). For an undocumented type, every field
 * but the common `type`, `botId` and `sessionId`.
 *
 * This is the one way to reach unknown fields of a documented event: its type
 * (`TicketEvent`, ...) is exact, so `ticket.priority` does not compile. The
 * answer is computed on each call (nothing is paid when it is not called), is
 * frozen, and has no prototype (a field named `constructor` or `__proto__` is
 * an ordinary own field). Values are as received: check them before use.
 *
 * @example
 * ```ts
 * import { extraFields } from "@fineguide-webhooks/core";
 *
 * webhooks.onTicket(async (ticket) => {
 *   const { priority } = extraFields(ticket); // unknown: not (yet) documented
 *   await helpdesk.open(ticket.customerEmail, {
 *     priority: typeof priority === "string" ? priority : "normal",
 *   });
 * });
 * ```
 */
export function extraFields(event: AnyEvent): Readonly<Record<string, unknown>> {
  const documented = DOCUMENTED.get(event.type) ?? COMMON;
  let extra: Record<string, unknown> | undefined;
  const entries: [string, unknown][] = Object.entries(event);
  for (const [key, value] of entries) {
    if (documented.has(key)) continue;
    extra ??= empty();
    extra[key] = value;
  }
  return extra ? Object.freeze(extra) : NONE;
}
