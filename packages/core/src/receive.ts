import type { DedupeKey } from "./dedupe/defaultKeys.js";
import { deliver, type Run, runHooks } from "./deliver.js";
import { isEventType } from "./eventTypes.js";
import { DeliveryContext, type DeliveryExtras } from "./handlers/DeliveryContext.js";
import type { Registry } from "./handlers/registry.js";
import type { Ticker } from "./handlers/Ticker.js";
import {
  acceptsContentType,
  BODY_TOO_LARGE,
  INVALID_JSON,
  parseBody,
  rawByteLength,
} from "./http/body.js";
import type { ValidationIssue } from "./http/errors.js";
import { getHeader, type HeadersInput } from "./http/headers.js";
import { nestsDeeperThan } from "./http/nestsDeeperThan.js";
import type { Preflighted } from "./http/Preflighted.js";
import { errorResponse, type WebhookResponse } from "./http/response.js";
import type { ResolvedOptions } from "./options.js";
import { reportOutcome, Trace } from "./outcome.js";
import { eventSchemas, strictEventSchemas } from "./schemas/eventSchemas.js";
import type { AnyEvent, UnknownEvent } from "./types.js";

/** What one `createWebhooks()` instance keeps between deliveries. */
export interface Receiver {
  readonly o: ResolvedOptions;
  readonly registry: Registry;
  readonly ticker: Ticker;
  readonly nextDeliveryId: () => string;
  /** Header objects of requests that passed `preflight()` and await `receive()`. */
  readonly preflighted: Preflighted;
  /** The ticker's interval: how often queued `latest` claims poll the store. */
  readonly tickMs: number;
  /** Runs that went asynchronous and have not finished (for `close()`). */
  readonly inflight: Set<Run>;
  /** Per busy `latest` key, the newer versions waiting for it, in arrival order. */
  readonly waiting: Map<string, Run[]>;
  /** Lets the first version waiting for `key` claim it now. */
  wake(key: string): void;
  /** Set by `close()`: new deliveries are answered 503 `shutting_down`. */
  closing: boolean;
}

/** One delivery, as any framework can describe it. */
export interface WebhookRequest {
  /** The HTTP method; only `POST` is accepted. */
  readonly method: string;
  readonly headers: HeadersInput;
  /**
   * The body: a string, bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`), a value
   * a framework already parsed, `BODY_TOO_LARGE`, or a function returning one
   * of those, called only after the method, secret and content type passed.
   */
  readonly body?: unknown;
  /**
   * When the request arrived (epoch milliseconds, as `Date.now()`), for
   * adapters that call `receive()` only after reading the body: the deadline
   * counts from here. Default: when `receive()` is called.
   */
  readonly receivedAt?: number;
  /** The framework's request, handed to handlers as `ctx.request`. */
  readonly request?: unknown;
  /** The user's own context for this request, handed to handlers as `ctx.state`. */
  readonly state?: unknown;
}

/** The request line and headers only, for checks made before the body is read. */
export type WebhookRequestHead = Pick<WebhookRequest, "method" | "headers">;

/** The index of the secret that matched, or -1 when no secret is configured. */
type Matched = number;

/**
 * Contract rows 1 to 4, which need no body: method, secret, content type and
 * a declared length over the limit. Returns the answer when one fails, else
 * which secret matched.
 */
export function checkHead(r: Receiver, req: WebhookRequestHead): WebhookResponse | Matched {
  const { o } = r;
  if (r.closing) return errorResponse("shutting_down");
  if (req.method !== "POST") return errorResponse("method_not_allowed");
  let matched = -1;
  if (o.secrets) {
    matched = o.secrets.match(getHeader(req.headers, o.header));
    if (matched === -1) return errorResponse("unauthorized");
  }
  if (!acceptsContentType(getHeader(req.headers, "content-type"))) {
    return errorResponse("unsupported_media_type");
  }
  const length = getHeader(req.headers, "content-length");
  if (length !== undefined && Number(length) > o.maxBodyBytes) {
    return errorResponse("payload_too_large");
  }
  return matched;
}

const toIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues.map(
    (issue): ValidationIssue => ({
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
    }),
  );

/**
 * Every row of the receiver contract, in its order. Never throws or rejects:
 * whatever goes wrong inside the kit is answered 500 `internal_error`.
 */
export function receive(r: Receiver, req: WebhookRequest): Promise<WebhookResponse> {
  const arrivedAt = req.receivedAt ?? Date.now();
  const deliveryId = r.nextDeliveryId();
  if (r.registry.outcome.length === 0) return answer(r, req, arrivedAt, deliveryId, undefined);
  const trace = new Trace(deliveryId, arrivedAt);
  return answer(r, req, arrivedAt, deliveryId, trace).then((res) => {
    reportOutcome(r, trace.info(res));
    return res;
  });
}

function answer(
  r: Receiver,
  req: WebhookRequest,
  arrivedAt: number,
  deliveryId: string,
  trace: Trace | undefined,
): Promise<WebhookResponse> {
  try {
    // Headers that just passed `preflight()` (an adapter's early check) are not checked twice.
    let matched = r.closing ? undefined : r.preflighted.take(req.headers);
    if (matched === undefined) {
      const head = checkHead(r, req);
      if (typeof head !== "number") return Promise.resolve(head);
      matched = head;
    }
    const body = req.body;
    const lazy = typeof body === "function";
    const fresh = !lazy && req.receivedAt === undefined;
    const delivery: Delivery = { req, arrivedAt, deliveryId, matched, trace, fresh };
    return lazy
      ? readThenAccept(r, delivery, body as () => unknown)
      : Promise.resolve(accept(r, delivery, body));
  } catch (error) {
    return Promise.resolve(unexpected(r, error, trace));
  }
}

/** One delivery past its head checks. */
export interface Delivery {
  readonly req: WebhookRequest | undefined;
  readonly arrivedAt: number;
  readonly deliveryId: string;
  /** Which secret matched (-1: none configured, or `dispatch()`). */
  readonly matched: Matched;
  readonly trace: Trace | undefined;
  /** Arrived at this very moment: no time can have passed since (no lazy read, no `receivedAt`). */
  readonly fresh: boolean;
  readonly extras?: DeliveryExtras;
}

/** The answer to an error that escaped the kit's own code: logged, answered 500. */
export function unexpected(r: Receiver, error: unknown, trace: Trace | undefined): WebhookResponse {
  r.o.logger.error({ err: error }, "fineguide-webhooks: unexpected error");
  if (trace) trace.error = error;
  return errorResponse("internal_error");
}

async function readThenAccept(
  r: Receiver,
  delivery: Delivery,
  read: () => unknown,
): Promise<WebhookResponse> {
  let body: unknown;
  try {
    body = await read();
  } catch (error) {
    r.o.logger.warn(
      { err: error, deliveryId: delivery.deliveryId },
      "fineguide-webhooks: the body could not be read",
    );
    if (delivery.trace) delivery.trace.error = error;
    return errorResponse("invalid_json");
  }
  try {
    return await accept(r, delivery, body);
  } catch (error) {
    return unexpected(r, error, delivery.trace);
  }
}

const EMPTY_HEADERS: HeadersInput = Object.freeze({});

/** Rows 4 to 14, once the body is at hand. */
export function accept(
  r: Receiver,
  delivery: Delivery,
  body: unknown,
): WebhookResponse | Promise<WebhookResponse> {
  const { o, registry } = r;
  if (body === BODY_TOO_LARGE) return errorResponse("payload_too_large");
  const size = rawByteLength(body, o.maxBodyBytes);
  if (size !== undefined && size > o.maxBodyBytes) return errorResponse("payload_too_large");

  const payload = parseBody(body);
  if (payload === INVALID_JSON) return errorResponse("invalid_json");
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return errorResponse("not_an_object");
  }
  if (nestsDeeperThan(payload, o.maxDepth)) return errorResponse("nesting_too_deep");

  // With a secret per bot, the event must come from the bot whose secret matched.
  const owner = delivery.matched >= 0 ? o.secrets?.owners?.[delivery.matched] : undefined;
  if (owner !== undefined && (payload as { botId?: unknown }).botId !== owner) {
    o.logger.warn(
      { deliveryId: delivery.deliveryId },
      "fineguide-webhooks: the event's botId does not own the secret that matched",
    );
    return errorResponse("unauthorized");
  }

  const { req } = delivery;
  const dispatched = delivery.extras;
  const ctx = new DeliveryContext(
    req?.headers ?? EMPTY_HEADERS,
    o.header,
    o.logger,
    delivery.deliveryId,
    delivery.arrivedAt,
    dispatched?.deadlineMs ?? o.deadlineMs,
    typeof body === "string" || body instanceof Uint8Array
      ? body
      : body instanceof ArrayBuffer
        ? new Uint8Array(body)
        : undefined,
    req?.request,
    req ? req.state : dispatched?.state,
    dispatched?.attempt,
  );
  ctx.verifiedBotId = owner;
  if (dispatched?.signal?.aborted) ctx.abort("shutdown");
  if (delivery.trace) delivery.trace.ctx = ctx;
  const type = (payload as { type?: unknown }).type;
  if (typeof type !== "string") {
    return rejectInvalid(r, ctx, delivery.trace, "missing_type", payload, [
      { path: ["type"], message: "Expected a string event type" },
    ]);
  }
  ctx.type = type;

  let event: AnyEvent;
  const known = isEventType(type);
  if (known) {
    const result = (o.strict ? strictEventSchemas : eventSchemas)[type].safeParse(payload);
    if (!result.success) {
      const issues = toIssues(result.error.issues);
      o.logger.info(
        { type, issues, deliveryId: ctx.deliveryId },
        "fineguide-webhooks: invalid payload",
      );
      return rejectInvalid(r, ctx, delivery.trace, "invalid_payload", payload, issues);
    }
    event = result.data as AnyEvent;
  } else event = payload as UnknownEvent;
  let dedupe: DedupeKey | string;
  try {
    dedupe = (o.keys[known ? type : "UNKNOWN"] as (e: AnyEvent) => DedupeKey | string)(event);
    if (typeof dedupe !== "string" && typeof dedupe?.key !== "string") {
      throw new TypeError("A dedupe key function must return a string or { key, mode }.");
    }
  } catch (error) {
    // A `dedupeKeys` function is the user's code: answered like a failing handler.
    return keyFailed(r, ctx, event, error);
  }
  const key: DedupeKey = typeof dedupe === "string" ? { key: dedupe, mode: "once" } : dedupe;
  ctx.dedupeKey = key.key;
  ctx.fingerprint = key.fingerprint;
  if (dispatched?.eventId !== undefined) ctx.useEventId(dispatched.eventId);
  return deliver(r, event, key, registry.handlersFor(type, known), ctx, !known, delivery.fresh);
}

async function keyFailed(
  r: Receiver,
  ctx: DeliveryContext,
  event: AnyEvent,
  error: unknown,
): Promise<WebhookResponse> {
  ctx.failure = error;
  r.o.logger.error(
    { err: error, type: event.type, deliveryId: ctx.deliveryId },
    "fineguide-webhooks: the dedupe key function threw",
  );
  await runHooks(r.registry.error, [error, event, ctx], r.o.logger);
  return errorResponse("handler_failed");
}

async function rejectInvalid(
  r: Receiver,
  ctx: DeliveryContext,
  trace: Trace | undefined,
  code: "missing_type" | "invalid_payload",
  payload: unknown,
  issues: readonly ValidationIssue[],
): Promise<WebhookResponse> {
  if (trace) trace.issues = issues;
  await runHooks(r.registry.invalid, [{ code, issues, payload }, ctx], r.o.logger);
  return errorResponse(code, issues);
}
