/**
 * `@fineguide-webhooks/core/fetch`: a receiver as a Fetch handler,
 * `(request: Request) => Promise<Response>`, for every server that speaks
 * Fetch without a framework: `Bun.serve`, `Deno.serve`, Cloudflare Workers,
 * Next.js and Remix route handlers. Uses only Fetch APIs.
 *
 * @module
 */

import type { Webhooks } from "./createWebhooks.js";
import type { WebhookContext } from "./handlers/types.js";
import { type BODY_TOO_LARGE, readLimited } from "./http/body.js";
import { errorResponse, type WebhookResponse } from "./http/response.js";
import type { WebhooksOptions } from "./options.js";
import { toWebhooks } from "./toWebhooks.js";

/** The `ctx` of handlers behind the Fetch handler: `ctx.request` is the `Request`. */
export type FetchContext<State = undefined> = WebhookContext<Request, State>;

/** `createWebhooks()` options with handlers typed for Fetch, and an optional `state` function. */
export type FetchWebhooksOptions<State = undefined> = WebhooksOptions<FetchContext<State>> & {
  /**
   * Derives your own context from the request (a tenant from the URL): handlers
   * get it as `ctx.state`. Called once per request, before the secret check.
   */
  readonly state?: (request: Request) => State;
};

/** Options of the Fetch handler itself, beside the receiver's. */
export interface FetchHandlerOptions<State = unknown> {
  /** With a receiver instance: derives `ctx.state` from each request. */
  readonly state?: (request: Request) => State;
  /**
   * Called with each answer before it is returned, for logs and metrics. An
   * error it throws is reported with `console.warn` and changes nothing.
   */
  readonly onResponse?: (answer: WebhookResponse, request: Request) => void;
}

/** The Fetch handler, with the receiver it answers for. */
export interface FetchHandler<Ctx = FetchContext> {
  (request: Request): Promise<Response>;
  /** The receiver: add handlers with `onTicket(...)`, `on(type, ...)`... */
  readonly webhooks: Webhooks<Ctx>;
}

/**
 * A Fetch handler answering FineGuide deliveries: core's `receive()` checks
 * method, secret, content type and size before the body is read, reads the
 * body as a stream up to `maxBodyBytes` (cancelled past it: 413), and its
 * answer becomes the `Response`. It answers every method (405 for all but
 * POST) and never rejects: an error escaping the receiver is core's JSON 500
 * `internal_error`, reported with `console.warn`.
 *
 * @example
 * ```ts
 * import { createFetchHandler } from "@fineguide-webhooks/core/fetch";
 *
 * const handler = createFetchHandler({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   onTicket: async (ticket) => helpdesk.open(ticket.customerEmail),
 * });
 * Bun.serve({ fetch: handler }); // or Deno.serve(handler), export default { fetch: handler }
 * ```
 */
export function createFetchHandler<Req, State>(
  webhooks: Webhooks<WebhookContext<Req, State>>,
  options?: FetchHandlerOptions<State>,
): FetchHandler<WebhookContext<Req, State>>;
/** The same, creating the receiver from `createWebhooks()` options. */
export function createFetchHandler<State = undefined>(
  options: FetchWebhooksOptions<State>,
  handlerOptions?: FetchHandlerOptions<State>,
): FetchHandler<FetchContext<State>>;
/** The same, for a value that may be either. */
export function createFetchHandler(
  webhooksOrOptions: Webhooks | WebhooksOptions,
  handlerOptions?: FetchHandlerOptions<undefined>,
): FetchHandler<WebhookContext>;
export function createFetchHandler(
  webhooksOrOptions: object,
  handlerOptions: FetchHandlerOptions = {},
): FetchHandler<never> {
  const webhooks = toWebhooks(webhooksOrOptions as WebhooksOptions) as Webhooks<never>;
  const state = handlerOptions.state ?? (webhooksOrOptions as FetchWebhooksOptions<unknown>).state;
  const limit = webhooks.maxBodyBytes;
  const { onResponse } = handlerOptions;
  const handler = async (request: Request): Promise<Response> => {
    let answer: WebhookResponse;
    try {
      answer = await webhooks.receive({
        method: request.method,
        headers: request.headers,
        body: () => readBody(request, limit),
        request,
        state: state?.(request),
      });
    } catch (error) {
      answer = unexpected(error);
    }
    let response: Response;
    try {
      response = new Response(answer.body, { status: answer.status, headers: answer.headers });
    } catch (error) {
      answer = unexpected(error);
      response = new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    if (onResponse) {
      try {
        onResponse(answer, request);
      } catch (error) {
        report("fineguide-webhooks: onResponse threw", error);
      }
    }
    return response;
  };
  return Object.assign(handler, { webhooks });
}

/** The body as bytes, read with the stream's reader and cancelled past `limit`. */
function readBody(
  request: Request,
  limit: number,
): Promise<Uint8Array | typeof BODY_TOO_LARGE> | undefined {
  const stream = request.body;
  if (stream === null) return undefined;
  return readLimited(chunksOf(stream), limit);
}

/**
 * The chunks of a stream, read with its reader (not every runtime makes a
 * `ReadableStream` async-iterable); cancels the stream when the reading stops early.
 */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function report(message: string, error: unknown): void {
  try {
    console.warn(message, error);
  } catch {}
}

function unexpected(error: unknown): WebhookResponse {
  report("fineguide-webhooks: unexpected error, answered 500", error);
  return errorResponse("internal_error");
}
