import type { EventType } from "../eventTypes.js";
import type { ValidationIssue } from "../http/errors.js";
import type { Logger } from "../logger.js";
import type { AnyEvent, EventOf, UnknownEvent } from "../types.js";

/** What every hook learns about the delivery at hand. */
export interface DeliveryInfo {
  /** A unique id of this delivery (not of the event: retries get new ids). */
  readonly deliveryId: string;
  /** When the delivery arrived. */
  readonly receivedAt: Date;
  /** The request headers, lowercase, without the secret header. */
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

/** What a handler gets beside its event. */
export interface WebhookContext extends DeliveryInfo {
  /**
   * The event's dedupe key, stable across retries: use it as a unique
   * constraint downstream (for `latest` keys, upsert on it).
   */
  readonly dedupeKey: string;
  /** For `latest` keys, what tells two versions of the key apart. */
  readonly fingerprint: string | undefined;
  /** Fires at the deadline (default 25 s), when the vendor is answered 503. */
  readonly signal: AbortSignal;
}

/**
 * A function run for an event. The delivery is answered 200 once every handler
 * for it resolved; a throw or rejection answers 500 and the vendor retries.
 */
export type Handler<E = AnyEvent> = (event: E, ctx: WebhookContext) => unknown;

/** A payload that failed validation (contract rows 6 and 7). */
export interface InvalidDelivery {
  readonly code: "missing_type" | "invalid_payload";
  readonly issues: readonly ValidationIssue[];
  /** The parsed JSON body, for inspection. */
  readonly payload: unknown;
}

/** Hook for payloads that fail validation; the delivery is answered 400. */
export type InvalidHook = (invalid: InvalidDelivery, info: DeliveryInfo) => unknown;
/** Hook for a delivery of an event already processed; handlers did not run. */
export type DuplicateHook = (event: AnyEvent, ctx: WebhookContext) => unknown;
/** Hook for a handler's failure (several failures arrive as one `AggregateError`). */
export type ErrorHook = (error: unknown, event: AnyEvent, ctx: WebhookContext) => unknown;

/**
 * The typed method (and option) name of each event type.
 *
 * @example
 * ```ts
 * HANDLER_NAMES.CREATE_LEAD; // "onCreateLead"
 * ```
 */
export const HANDLER_NAMES = {
  MESSAGE: "onMessage",
  SESSION_OPEN: "onSessionOpen",
  SESSION_CLOSED: "onSessionClosed",
  TICKET: "onTicket",
  CREATE_LEAD: "onCreateLead",
  RATE_MESSAGE: "onRateMessage",
  MESSAGE_AUDIO_URL: "onMessageAudioUrl",
  VARIABLE_UPDATE: "onVariableUpdate",
} as const satisfies Record<EventType, `on${string}`>;

type HandlerName<T extends EventType> = (typeof HANDLER_NAMES)[T];

/** Removes the handler it was returned for. */
export type Unsubscribe = () => void;

/** One or several handlers, as options accept them. */
export type OneOrMany<F> = F | readonly F[];

/** `onMessage`, `onTicket`, ... as options. */
export type TypedHandlerOptions = {
  readonly [T in EventType as HandlerName<T>]?: OneOrMany<Handler<EventOf<T>>>;
};

/** `onMessage`, `onTicket`, ... as methods. */
export type TypedHandlerMethods = {
  readonly [T in EventType as HandlerName<T>]: (handler: Handler<EventOf<T>>) => Unsubscribe;
};

/** Handlers and hooks accepted as options of `createWebhooks`. */
export interface HandlerOptions extends TypedHandlerOptions {
  readonly onAny?: OneOrMany<Handler<AnyEvent>>;
  readonly onUnknown?: OneOrMany<Handler<UnknownEvent>>;
  readonly onInvalid?: OneOrMany<InvalidHook>;
  readonly onDuplicate?: OneOrMany<DuplicateHook>;
  readonly onError?: OneOrMany<ErrorHook>;
}
