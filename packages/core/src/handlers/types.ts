import type { EventType } from "../eventTypes.js";
import type { ValidationIssue } from "../http/errors.js";
import type { Outcome } from "../http/response.js";
import type { Logger } from "../logger.js";
import type { AnyEvent, EventOf, UnknownEvent } from "../types.js";

/** What every hook learns about the delivery at hand. */
export interface DeliveryInfo {
  /** A unique id of this delivery (not of the event: retries get new ids). */
  readonly deliveryId: string;
  /** When the delivery arrived. */
  readonly receivedAt: Date;
  /** The request headers, lowercase, without the secret header (none for `dispatch()`). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The receiver's logger; when it has `child` (pino does), a child bound to
   * `{ deliveryId, type }`.
   */
  readonly logger: Logger;
  /**
   * The body as received (text or bytes), for verbatim forwarding and
   * archiving; `undefined` when a framework parsed it before the kit saw it,
   * or `dispatch()` was given an object.
   */
  readonly rawBody: string | Uint8Array | undefined;
  /** With a secret per bot (`secret: { [botId]: ... }`): the bot whose secret matched. */
  readonly verifiedBotId: string | undefined;
}

/**
 * What a handler gets beside its event. `Req` is the framework's request (the
 * adapters set it: Express's `Request`, Hono's `Context`, Fastify's
 * `FastifyRequest`), `State` what your own `state` function made of it.
 */
export interface WebhookContext<Req = unknown, State = undefined> extends DeliveryInfo {
  /**
   * The event's dedupe key, stable across retries: use it as a unique
   * constraint downstream (for `latest` keys, upsert on it).
   */
  readonly dedupeKey: string;
  /** For `latest` keys, what tells two versions of the key apart. */
  readonly fingerprint: string | undefined;
  /**
   * The id of this event version: stable across retries of it, different
   * between two versions of a `latest` key (a rating up, then down, then up
   * again: three ids). Use it as a downstream idempotency key. Opaque
   * (base64url), safe in URLs and queue job ids.
   *
   * Versions are told apart by the number the dedupe store counts (the
   * memory and Redis stores do): within the dedupe TTL of the version before.
   * A version arriving after the store forgot its key, or kept by a store
   * that does not count versions, gets the id of the key and fingerprint
   * alone, which a rating's earlier version of the same value had.
   */
  readonly eventId: string;
  /**
   * Whether this delivery is a retry of this event version whose earlier
   * claim was released (a handler failed, the receiver closed) or whose
   * lease lapsed (a crash, a handler past the deadline), within the dedupe
   * TTL: part of the work may already be done. `false` for a first delivery,
   * and always `false` with a store that cannot tell (see `ClaimResult`),
   * without dedupe, and for `dispatch()` without a store.
   *
   * @example
   * ```ts
   * webhooks.onTicket(async (ticket, ctx) => {
   *   // Only a retry can find a half-written ticket: look before creating.
   *   const existing = ctx.retry ? await helpdesk.find(ctx.eventId) : undefined;
   *   if (!existing) await helpdesk.open({ id: ctx.eventId, email: ticket.customerEmail });
   * });
   * ```
   */
  readonly retry: boolean;
  /** Fires at the deadline (default 25 s after arrival, answered 503) or on `close()`. */
  readonly signal: AbortSignal;
  /** When the deadline passes (epoch ms). */
  readonly deadlineAt: number;
  /** Milliseconds left before the deadline (0 once passed): size downstream timeouts with it. */
  timeLeft(): number;
  /** The attempt number `dispatch()` was given (a queue's), else `undefined`. */
  readonly attempt: number | undefined;
  /** The framework's request (set by the adapters; `undefined` for `dispatch()`). */
  readonly request: Req;
  /** What your `state` function made of the request (adapters), or `dispatch()`'s `state`. */
  readonly state: State;
}

/**
 * A function run for an event. The delivery is answered 200 once every handler
 * for it resolved; a throw or rejection answers 500 and the vendor retries.
 */
export type Handler<E = AnyEvent, Ctx = WebhookContext> = (event: E, ctx: Ctx) => unknown;

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
export type DuplicateHook<Ctx = WebhookContext> = (event: AnyEvent, ctx: Ctx) => unknown;
/** Hook for a handler's failure (several failures arrive as one `AggregateError`). */
export type ErrorHook<Ctx = WebhookContext> = (
  error: unknown,
  event: AnyEvent,
  ctx: Ctx,
) => unknown;

/** What one delivery (or `dispatch()`) came to, as `onOutcome` hooks see it. */
export interface OutcomeInfo {
  readonly outcome: Outcome;
  readonly status: number;
  /** The event's `type`, once the body was parsed and had one. */
  readonly type: string | undefined;
  readonly deliveryId: string;
  /** Set once the event was validated and keyed. */
  readonly dedupeKey: string | undefined;
  /** As `ctx.eventId`; set with `dedupeKey`. */
  readonly eventId: string | undefined;
  /** The delivery was a retry of a claim released or lapsed (as `ctx.retry`). */
  readonly retry: boolean;
  /** From arrival to the answer. */
  readonly durationMs: number;
  /**
   * What went wrong, where there is an error: a handler's (one, or an
   * `AggregateError`), the store's, the key function's, or the kit's own.
   */
  readonly error: unknown;
  /** For 400 `missing_type` and `invalid_payload`: the failing paths, without values. */
  readonly issues: readonly ValidationIssue[] | undefined;
}

/**
 * Called once per delivery with its outcome, for every answer (401s, 400s,
 * 503s and 500s included), after the answer is known. Not awaited; a hook
 * that throws is logged and changes nothing.
 */
export type OutcomeHook = (info: OutcomeInfo) => unknown;

/**
 * Wraps the start of a delivery's handlers, for tracing: call `run` once,
 * synchronously, inside whatever context the handlers should run in (an
 * OpenTelemetry span made active with `context.with`), and return. The
 * handlers are started by `run`, so what they do later (after an `await`)
 * stays in that context where the runtime carries it (`AsyncLocalStorage`).
 * Called only when handlers run (not for 401s, 400s or duplicates), after
 * the claim. A wrapper that throws, or returns without calling `run`, is
 * logged and the handlers start anyway. Several wrappers nest, the first
 * registered outermost. None registered: nothing is called or built.
 *
 * @example
 * ```ts
 * import { AsyncLocalStorage } from "node:async_hooks";
 *
 * const delivery = new AsyncLocalStorage<string>();
 * const around: AroundHandlers = (run, _event, ctx) => delivery.run(ctx.deliveryId, run);
 * createWebhooks({ secret, aroundHandlers: around }); // delivery.getStore() inside handlers
 * ```
 */
export type AroundHandlers<Ctx = WebhookContext> = (
  run: () => void,
  event: AnyEvent,
  ctx: Ctx,
) => void;

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
export type TypedHandlerOptions<Ctx = WebhookContext> = {
  readonly [T in EventType as HandlerName<T>]?: OneOrMany<Handler<EventOf<T>, Ctx>>;
};

/** `onMessage`, `onTicket`, ... as methods. */
export type TypedHandlerMethods<Ctx = WebhookContext> = {
  readonly [T in EventType as HandlerName<T>]: (handler: Handler<EventOf<T>, Ctx>) => Unsubscribe;
};

/** Handlers and hooks accepted as options of `createWebhooks`. */
export interface HandlerOptions<Ctx = WebhookContext> extends TypedHandlerOptions<Ctx> {
  readonly onAny?: OneOrMany<Handler<AnyEvent, Ctx>>;
  readonly onUnknown?: OneOrMany<Handler<UnknownEvent, Ctx>>;
  readonly onInvalid?: OneOrMany<InvalidHook>;
  readonly onDuplicate?: OneOrMany<DuplicateHook<Ctx>>;
  readonly onError?: OneOrMany<ErrorHook<Ctx>>;
  readonly onOutcome?: OneOrMany<OutcomeHook>;
  /** Wrappers around the start of the handlers (see {@link AroundHandlers}). */
  readonly aroundHandlers?: OneOrMany<AroundHandlers<Ctx>>;
}
