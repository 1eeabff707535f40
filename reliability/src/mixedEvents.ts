import { EVENT_TYPES } from "@fineguide-webhooks/core";
import { createEvent, createUnknownEvent } from "@fineguide-webhooks/testing";

/** An event to send, and the id its handler records (its `sessionId`). */
export interface SentPayload {
  readonly id: string;
  readonly payload: object;
}

/**
 * `count` events of every documented type in turn, and one of an undocumented
 * type in ten, each with a fresh `sessionId` (so the id tells events apart
 * whatever their dedupe key).
 *
 * @example
 * ```ts
 * mixedEvents(3).map((e) => e.payload); // MESSAGE, SESSION_OPEN, SESSION_CLOSED
 * ```
 */
export function mixedEvents(count: number): SentPayload[] {
  return Array.from({ length: count }, (_, i) => {
    const payload =
      i % 10 === 9
        ? createUnknownEvent("CALL_TRANSFERRED", { agent: "Ana" })
        : createEvent(EVENT_TYPES[i % EVENT_TYPES.length]!);
    return { id: payload.sessionId as string, payload };
  });
}
