import { type CloseOptions, closeReceiver } from "./close.js";
import type { Run } from "./deliver.js";
import { dispatchEvent } from "./dispatch.js";
import { EVENT_TYPES, type EventType } from "./eventTypes.js";
import type { DeliveryContext, DeliveryExtras } from "./handlers/DeliveryContext.js";
import { createDeliveryIds } from "./handlers/deliveryIds.js";
import { Registry, type StoredHandler } from "./handlers/registry.js";
import { Ticker } from "./handlers/Ticker.js";
import {
  type AroundHandlers,
  type DuplicateHook,
  type ErrorHook,
  HANDLER_NAMES,
  type Handler,
  type InvalidHook,
  type OneOrMany,
  type OutcomeHook,
  type OutcomeInfo,
  type TypedHandlerMethods,
  type Unsubscribe,
  type WebhookContext,
} from "./handlers/types.js";
import { Preflighted } from "./http/Preflighted.js";
import type { WebhookResponse } from "./http/response.js";
import { resolveOptions, type WebhooksOptions } from "./options.js";
import {
  checkHead,
  type Receiver,
  receive,
  type WebhookRequest,
  type WebhookRequestHead,
} from "./receive.js";
import type { AnyEvent, EventOf, UnknownEvent } from "./types.js";

/** Options of `webhooks.dispatch()`. */
export interface DispatchOptions<State = undefined> {
  /**
   * When the handlers must be done, from now (or `receivedAt`): `ctx.signal`
   * fires then and the outcome is `handler_timeout`. Default the receiver's
   * `deadlineMs`; a queue worker may allow longer (the lease is renewed
   * until then).
   */
  readonly deadlineMs?: number;
  /** When the event was received (epoch ms), if earlier than the call. */
  readonly receivedAt?: number;
  /** Fires `ctx.signal` when it aborts (a worker shutting down). */
  readonly signal?: AbortSignal;
  /** Handed to handlers as `ctx.attempt` (a queue's attempt number). */
  readonly attempt?: number;
  /** Handed to handlers as `ctx.state`. */
  readonly state?: State;
  /**
   * The event's id as the caller knows it (a queue's job id, which the
   * receiver made from its `ctx.eventId`): handlers and `onOutcome` see this
   * instead of an id computed here, where the store's version count may
   * differ from the receiver's.
   */
  readonly eventId?: string;
}

/**
 * A receiver: register handlers, then hand it every delivery with `receive()`.
 * `Ctx` is the context handlers get: `WebhookContext<Req, State>` (the
 * adapters set `Req` to the framework's request).
 */
export interface Webhooks<Ctx = WebhookContext> extends TypedHandlerMethods<Ctx> {
  /**
   * Answers one delivery following the receiver contract. Never throws.
   *
   * @example
   * ```ts
   * const res = await webhooks.receive({ method: "POST", headers, body });
   * reply.status(res.status).headers(res.headers).send(res.body);
   * ```
   */
  receive(request: WebhookRequest): Promise<WebhookResponse>;
  /**
   * The checks that need no body (method, secret, content type, declared
   * length), for adapters that can answer before reading the body.
   * Returns the answer when a check fails, `undefined` otherwise; then the
   * following `receive()` with the same `headers` object skips them.
   */
  preflight(request: WebhookRequestHead): WebhookResponse | undefined;
  /**
   * Runs an event through validation, dedupe and the handlers without an
   * HTTP request or a secret: for queue consumers, replays and tests. `event`
   * is a parsed object or JSON text. Resolves with the outcome `receive()`
   * would report (`processed`, `duplicate`, `invalid_payload`,
   * `handler_failed` with its `error`, ...); never rejects.
   *
   * @example
   * ```ts
   * const result = await webhooks.dispatch(job.data, { attempt: job.attemptsMade + 1 });
   * if (result.status >= 500) throw result.error ?? new Error(result.outcome);
   * ```
   */
  dispatch(
    event: unknown,
    options?: DispatchOptions<Ctx extends WebhookContext<unknown, infer S> ? S : undefined>,
  ): Promise<OutcomeInfo>;
  /** Runs `handler` for every event of `type`. */
  on<T extends EventType>(type: T, handler: Handler<EventOf<T>, Ctx>): Unsubscribe;
  /** Runs `handler` for every accepted event, documented or not. */
  onAny(handler: Handler<AnyEvent, Ctx>): Unsubscribe;
  /** Runs `handler` for events whose `type` is not documented (yet). */
  onUnknown(handler: Handler<UnknownEvent, Ctx>): Unsubscribe;
  /** Called for payloads answered 400 for their content (rows 6 and 7). */
  onInvalid(hook: InvalidHook): Unsubscribe;
  /** Called for deliveries of an event already processed. */
  onDuplicate(hook: DuplicateHook<Ctx>): Unsubscribe;
  /** Called when handlers fail (answered 500; the vendor retries). */
  onError(hook: ErrorHook<Ctx>): Unsubscribe;
  /**
   * Called once per delivery with its outcome, status, duration, ids and
   * error, for every answer (401, 400, 503 and 500 included). Not awaited.
   *
   * @example
   * ```ts
   * webhooks.onOutcome((o) => metrics.count(`webhook.${o.type ?? "none"}.${o.outcome}`));
   * ```
   */
  onOutcome(hook: OutcomeHook): Unsubscribe;
  /**
   * Wraps the start of every delivery's handlers, so they run inside a
   * context of yours: what `@fineguide-webhooks/otel` uses to make spans the
   * handlers start children of the delivery's span. Call `run` once,
   * synchronously. Costs nothing while none is registered.
   *
   * @example
   * ```ts
   * import { context, trace } from "@opentelemetry/api";
   *
   * webhooks.aroundHandlers((run, event, ctx) => {
   *   const span = tracer.startSpan(`handle ${event.type}`, { attributes: { id: ctx.eventId } });
   *   context.with(trace.setSpan(context.active(), span), run);
   *   ctx.signal.addEventListener("abort", () => span.end());
   * });
   * ```
   */
  aroundHandlers(wrapper: AroundHandlers<Ctx>): Unsubscribe;
  /**
   * Shuts the receiver down gracefully: new deliveries are answered 503
   * `shutting_down` with `Retry-After`; deliveries in flight may finish for
   * `timeoutMs` (default 10 s); those still running then are answered 503,
   * their `ctx.signal` fires and their claims are released, so the vendor's
   * retry runs them here or on another instance. Call it after your server
   * stopped accepting connections. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => {
   *   server.close();
   *   webhooks.close({ timeoutMs: 10_000 }).then(() => process.exit(0));
   * });
   * ```
   */
  close(options?: CloseOptions): Promise<void>;
  /** The largest accepted body in bytes, for adapters reading it themselves. */
  readonly maxBodyBytes: number;
  /** The secret header's name, lowercase. */
  readonly secretHeader: string;
}

/**
 * Creates a receiver for FineGuide AI-Assistant webhooks.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   onTicket: async (ticket, ctx) => {
 *     await helpdesk.open({ id: ctx.dedupeKey, email: ticket.customerEmail });
 *   },
 * });
 * webhooks.onCreateLead(async (lead) => crm.upsert(lead.email, lead.name));
 *
 * const res = await webhooks.receive({ method: "POST", headers, body });
 * ```
 */
export function createWebhooks<Ctx = WebhookContext>(options: WebhooksOptions<Ctx>): Webhooks<Ctx> {
  const resolved = resolveOptions(options);
  const registry = new Registry();
  // Kept with the registry's own types: each is called with what its type promised.
  const stored = <F>(fns: unknown) => fns as OneOrMany<F> | undefined;
  for (const type of EVENT_TYPES)
    registry.addAll(registry.listFor(type), stored<StoredHandler>(options[HANDLER_NAMES[type]]));
  registry.addAll(registry.any, stored<StoredHandler>(options.onAny));
  registry.addAll(registry.unknown, stored<StoredHandler>(options.onUnknown));
  registry.addAll(registry.invalid, options.onInvalid);
  registry.addAll(registry.duplicate, stored<DuplicateHook<DeliveryContext>>(options.onDuplicate));
  registry.addAll(registry.error, stored<ErrorHook<DeliveryContext>>(options.onError));
  registry.addAll(registry.outcome, options.onOutcome);
  registry.addAll(registry.around, stored<AroundHandlers<DeliveryContext>>(options.aroundHandlers));

  // One timer for every delivery in flight, fine enough for the deadline and the lease.
  const tickMs = Math.max(1, Math.min(250, resolved.deadlineMs / 5, resolved.leaseMs / 6));
  const waiting = new Map<string, Run[]>();
  const receiver: Receiver = {
    o: resolved,
    registry,
    ticker: new Ticker(tickMs),
    nextDeliveryId: createDeliveryIds(),
    preflighted: new Preflighted(),
    tickMs,
    inflight: new Set(),
    waiting,
    wake: (key) => waiting.get(key)?.[0]?.claimNow(),
    closing: false,
  };
  let closed: Promise<void> | undefined;

  const on = <T extends EventType>(type: T, handler: Handler<EventOf<T>, Ctx>): Unsubscribe => {
    if (!EVENT_TYPES.includes(type)) {
      throw new TypeError(`on(): "${String(type)}" is not a documented event type; use onUnknown.`);
    }
    return registry.add(registry.listFor(type), handler as unknown as StoredHandler);
  };
  const typed = Object.fromEntries(
    EVENT_TYPES.map((type) => [
      HANDLER_NAMES[type],
      (h: StoredHandler) => registry.add(registry.listFor(type), h),
    ]),
  ) as unknown as TypedHandlerMethods<Ctx>;

  return {
    ...typed,
    receive: (request) => receive(receiver, request),
    preflight: (request) => {
      const head = checkHead(receiver, request);
      if (typeof head !== "number") return head;
      receiver.preflighted.add(request.headers, head);
      return undefined;
    },
    dispatch: (event, dispatchOptions = {}) => {
      const extras: DeliveryExtras & { receivedAt?: number } = {
        state: dispatchOptions.state,
        attempt: dispatchOptions.attempt,
        deadlineMs: dispatchOptions.deadlineMs,
        receivedAt: dispatchOptions.receivedAt,
        eventId: dispatchOptions.eventId,
        signal: dispatchOptions.signal,
      };
      return dispatchEvent(receiver, event, extras);
    },
    on,
    onAny: (handler) => registry.add(registry.any, handler as unknown as StoredHandler),
    onUnknown: (handler) => registry.add(registry.unknown, handler as unknown as StoredHandler),
    onInvalid: (hook) => registry.add(registry.invalid, hook),
    onDuplicate: (hook) =>
      registry.add(registry.duplicate, hook as unknown as DuplicateHook<DeliveryContext>),
    onError: (hook) => registry.add(registry.error, hook as unknown as ErrorHook<DeliveryContext>),
    onOutcome: (hook) => registry.add(registry.outcome, hook),
    aroundHandlers: (wrapper) =>
      registry.add(registry.around, wrapper as unknown as AroundHandlers<DeliveryContext>),
    close: (options = {}) => {
      closed ??= closeReceiver(receiver, options);
      return closed;
    },
    maxBodyBytes: resolved.maxBodyBytes,
    secretHeader: resolved.header,
  };
}
