import { type CloseOptions, closeReceiver } from "./close.js";
import type { Run } from "./deliver.js";
import { EVENT_TYPES, type EventType } from "./eventTypes.js";
import { createDeliveryIds } from "./handlers/deliveryIds.js";
import { Registry } from "./handlers/registry.js";
import { Ticker } from "./handlers/Ticker.js";
import {
  type DuplicateHook,
  type ErrorHook,
  HANDLER_NAMES,
  type Handler,
  type InvalidHook,
  type TypedHandlerMethods,
  type Unsubscribe,
} from "./handlers/types.js";
import { Preflighted } from "./http/Preflighted.js";
import type { WebhookResponse } from "./http/response.js";
import { resolveOptions, type WebhooksOptions } from "./options.js";
import {
  preflight,
  type Receiver,
  receive,
  type WebhookRequest,
  type WebhookRequestHead,
} from "./receive.js";
import type { AnyEvent, EventOf, UnknownEvent } from "./types.js";

/** A receiver: register handlers, then hand it every delivery with `receive()`. */
export interface Webhooks extends TypedHandlerMethods {
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
  /** Runs `handler` for every event of `type`. */
  on<T extends EventType>(type: T, handler: Handler<EventOf<T>>): Unsubscribe;
  /** Runs `handler` for every accepted event, documented or not. */
  onAny(handler: Handler<AnyEvent>): Unsubscribe;
  /** Runs `handler` for events whose `type` is not documented (yet). */
  onUnknown(handler: Handler<UnknownEvent>): Unsubscribe;
  /** Called for payloads answered 400 for their content (rows 6 and 7). */
  onInvalid(hook: InvalidHook): Unsubscribe;
  /** Called for deliveries of an event already processed. */
  onDuplicate(hook: DuplicateHook): Unsubscribe;
  /** Called when handlers fail (answered 500; the vendor retries). */
  onError(hook: ErrorHook): Unsubscribe;
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
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const resolved = resolveOptions(options);
  const registry = new Registry();
  for (const type of EVENT_TYPES)
    registry.addAll(registry.listFor(type), options[HANDLER_NAMES[type]]);
  registry.addAll(registry.any, options.onAny);
  registry.addAll(registry.unknown, options.onUnknown);
  registry.addAll(registry.invalid, options.onInvalid);
  registry.addAll(registry.duplicate, options.onDuplicate);
  registry.addAll(registry.error, options.onError);

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

  const on = <T extends EventType>(type: T, handler: Handler<EventOf<T>>): Unsubscribe => {
    if (!EVENT_TYPES.includes(type)) {
      throw new TypeError(`on(): "${String(type)}" is not a documented event type; use onUnknown.`);
    }
    return registry.add(registry.listFor(type), handler as Handler<never>);
  };
  const typed = Object.fromEntries(
    EVENT_TYPES.map((type) => [
      HANDLER_NAMES[type],
      (h: Handler<never>) => registry.add(registry.listFor(type), h),
    ]),
  ) as unknown as TypedHandlerMethods;

  return {
    ...typed,
    receive: (request) => receive(receiver, request),
    preflight: (request) => {
      const rejected = preflight(receiver, request);
      if (!rejected) receiver.preflighted.add(request.headers);
      return rejected;
    },
    on,
    onAny: (handler) => registry.add(registry.any, handler),
    onUnknown: (handler) => registry.add(registry.unknown, handler as Handler<never>),
    onInvalid: (hook) => registry.add(registry.invalid, hook),
    onDuplicate: (hook) => registry.add(registry.duplicate, hook),
    onError: (hook) => registry.add(registry.error, hook),
    close: (options = {}) => {
      closed ??= closeReceiver(receiver, options);
      return closed;
    },
    maxBodyBytes: resolved.maxBodyBytes,
    secretHeader: resolved.header,
  };
}
