import type { EventType } from "./eventTypes.js";
import type { MessageRole } from "./schemas/fields.js";

/*
 * The documented events, declared field by field (descriptions from the
 * vendor's page) rather than inferred from the schemas, so that they are exact
 * (no index signature: a misspelled field does not compile) and keep their
 * names in hovers and errors. `types.test.ts` checks that each agrees with its
 * schema's output both ways, apart from the schema's index signature: the
 * schemas keep unknown fields at runtime; read those with `extraFields(event)`.
 *
 * They are object type aliases, not interfaces: an interface is not assignable
 * to `Record<string, unknown>` (no implicit index signature), which would break
 * `fingerprint(event)`, `UnknownEvent`-typed code and users' generic helpers.
 */

/**
 * A MESSAGE event: a message was sent or received in a conversation.
 * Unknown fields: `extraFields(event)`.
 */
export type MessageEvent = {
  /** Event type: `MESSAGE`. */
  readonly type: "MESSAGE";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /**
   * Who sent the message: `USER`, `ASSISTANT` or `OPERATOR`. A role the vendor
   * adds is accepted too (any string), unless `strict: true`.
   */
  readonly role: MessageRole;
  /** The message content. */
  readonly message: string;
  /** Unique identifier (UUID) of this message. */
  readonly messageId: string;
};

/**
 * A SESSION_OPEN event: a new conversation session was created.
 * Unknown fields: `extraFields(event)`.
 */
export type SessionOpenEvent = {
  /** Event type: `SESSION_OPEN`. */
  readonly type: "SESSION_OPEN";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the new conversation session. */
  readonly sessionId: string;
};

/**
 * A SESSION_CLOSED event: a conversation session was closed.
 * Unknown fields: `extraFields(event)`.
 */
export type SessionClosedEvent = {
  /** Event type: `SESSION_CLOSED`. */
  readonly type: "SESSION_CLOSED";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the closed conversation session. */
  readonly sessionId: string;
};

/**
 * A TICKET event: a support ticket was created from a conversation.
 * Unknown fields: `extraFields(event)`.
 */
export type TicketEvent = {
  /** Event type: `TICKET`. */
  readonly type: "TICKET";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /** Name provided by the user. */
  readonly customerName: string;
  /**
   * Email provided by the user, as typed: not checked to be a valid address
   * unless `strict: true`.
   */
  readonly customerEmail: string;
  /** The user's message/request. */
  readonly customerMessage: string;
};

/**
 * A CREATE_LEAD event: contact information was collected from a user.
 * Unknown fields: `extraFields(event)`.
 */
export type CreateLeadEvent = {
  /** Event type: `CREATE_LEAD`. */
  readonly type: "CREATE_LEAD";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /**
   * The organization's id. Documented as a UUID, but the vendor's own example
   * is `"org-abc123"`, so any string is accepted.
   */
  readonly organizationId: string;
  /** User's name (if provided; may be `null`). */
  readonly name?: string | null;
  /** User's email address (if provided; may be `null`; not checked unless `strict: true`). */
  readonly email?: string | null;
  /** User's phone number (if provided; may be `null`). */
  readonly phone?: string | null;
  /** User's location (if detected; may be `null`). */
  readonly location?: string | null;
  /** What the user was interested in. */
  readonly intent: string;
  /** Lead source (e.g. `"website"`, `"widget"`). */
  readonly source: string;
  /** Custom properties object (if configured; may be `null`). */
  readonly props?: Record<string, unknown> | null;
};

/**
 * A RATE_MESSAGE event: a user rated a message (thumbs up or down).
 * Unknown fields: `extraFields(event)`.
 */
export type RateMessageEvent = {
  /** Event type: `RATE_MESSAGE`. */
  readonly type: "RATE_MESSAGE";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /** ID (UUID) of the rated message. */
  readonly messageId: string;
  /** `1` (positive, thumbs up) or `-1` (negative, thumbs down). */
  readonly rating: 1 | -1;
};

/**
 * A MESSAGE_AUDIO_URL event: a text-to-speech audio URL was generated for a message.
 * Unknown fields: `extraFields(event)`.
 */
export type MessageAudioUrlEvent = {
  /** Event type: `MESSAGE_AUDIO_URL`. */
  readonly type: "MESSAGE_AUDIO_URL";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /** ID (UUID) of the message with audio. */
  readonly messageId: string;
  /** Public URL to the audio file (not checked to be a URL unless `strict: true`). */
  readonly audioUrl: string;
};

/**
 * A VARIABLE_UPDATE event: session variables were updated during a conversation.
 * Unknown fields: `extraFields(event)`.
 */
export type VariableUpdateEvent = {
  /** Event type: `VARIABLE_UPDATE`. */
  readonly type: "VARIABLE_UPDATE";
  /** UUID of the assistant. */
  readonly botId: string;
  /** UUID of the conversation session. */
  readonly sessionId: string;
  /** Object containing all updated session variables. */
  readonly variables: Record<string, unknown>;
};

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
 * An event whose `type` is not (yet) documented. Nothing but `type` is checked;
 * every field may be read, as `unknown`.
 */
export interface UnknownEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * What `onAny` handlers receive: a documented event, or an unknown one.
 *
 * Comparing `event.type` alone does not narrow it to a documented event (an
 * unknown event's `type` is any string, `"TICKET"` included): narrow with
 * `isKnownEvent(event)` first, then `switch (event.type)` types each case.
 *
 * @example
 * ```ts
 * webhooks.onAny((event) => {
 *   if (!isKnownEvent(event)) return; // event: UnknownEvent
 *   switch (event.type) {
 *     case "TICKET": // event: TicketEvent
 *       return helpdesk.open(event.customerEmail);
 *   }
 * });
 * ```
 */
export type AnyEvent = FineGuideEvent | UnknownEvent;
