import type { z } from "zod";
import type { EventType } from "./eventTypes.js";
import type { eventSchemas } from "./schemas/eventSchemas.js";

/** A MESSAGE event: a message sent or received in a conversation. */
export type MessageEvent = z.infer<typeof eventSchemas.MESSAGE>;
/** A SESSION_OPEN event: a conversation session was created. */
export type SessionOpenEvent = z.infer<typeof eventSchemas.SESSION_OPEN>;
/** A SESSION_CLOSED event: a conversation session was closed. */
export type SessionClosedEvent = z.infer<typeof eventSchemas.SESSION_CLOSED>;
/** A TICKET event: a support ticket was created from a conversation. */
export type TicketEvent = z.infer<typeof eventSchemas.TICKET>;
/** A CREATE_LEAD event: contact information was collected. */
export type CreateLeadEvent = z.infer<typeof eventSchemas.CREATE_LEAD>;
/** A RATE_MESSAGE event: a user rated a message (1 or -1). */
export type RateMessageEvent = z.infer<typeof eventSchemas.RATE_MESSAGE>;
/** A MESSAGE_AUDIO_URL event: a text-to-speech audio URL was generated. */
export type MessageAudioUrlEvent = z.infer<typeof eventSchemas.MESSAGE_AUDIO_URL>;
/** A VARIABLE_UPDATE event: session variables were updated. */
export type VariableUpdateEvent = z.infer<typeof eventSchemas.VARIABLE_UPDATE>;

/** Every documented event, discriminated on `type`. */
export type FineGuideEvent =
  | MessageEvent
  | SessionOpenEvent
  | SessionClosedEvent
  | TicketEvent
  | CreateLeadEvent
  | RateMessageEvent
  | MessageAudioUrlEvent
  | VariableUpdateEvent;

/**
 * The event of one documented type.
 *
 * @example
 * ```ts
 * type Ticket = EventOf<"TICKET">; // TicketEvent
 * ```
 */
export type EventOf<T extends EventType> = Extract<FineGuideEvent, { type: T }>;

/**
 * An event whose `type` is not (yet) documented. Nothing but `type` is checked.
 */
export interface UnknownEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** What `onAny` handlers receive: a documented event, or an unknown one. */
export type AnyEvent = FineGuideEvent | UnknownEvent;
