/**
 * `@fineguide-webhooks/core/node`: a receiver as a `node:http` request
 * listener, for `http.createServer()` (or `https`, `http2`'s compatibility
 * API) without a framework.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Webhooks } from "./createWebhooks.js";
import type { WebhookContext } from "./handlers/types.js";
import { readLimited } from "./http/body.js";
import { errorResponse, type WebhookResponse } from "./http/response.js";
import type { WebhooksOptions } from "./options.js";
import { toWebhooks } from "./toWebhooks.js";

/** The `ctx` of handlers behind the listener: `ctx.request` is the `IncomingMessage`. */
export type NodeContext<State = undefined> = WebhookContext<IncomingMessage, State>;

/** `createWebhooks()` options with handlers typed for `node:http`, and an optional `state`. */
export type NodeWebhooksOptions<State = undefined> = WebhooksOptions<NodeContext<State>> & {
  /** Derives your own context from the request: handlers get it as `ctx.state`. */
  readonly state?: (req: IncomingMessage) => State;
};

/** Options of the listener itself, beside the receiver's. */
export interface NodeListenerOptions<State = unknown> {
  /** With a receiver instance: derives `ctx.state` from each request. */
  readonly state?: (req: IncomingMessage) => State;
  /**
   * Called after each answer is written, for logs and metrics. An error it
   * throws is reported with `process.emitWarning` and changes nothing.
   */
  readonly onResponse?: (answer: WebhookResponse, req: IncomingMessage) => void;
}

/** The listener, with the receiver it answers for. */
export interface NodeListener<Ctx = NodeContext> {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The receiver: add handlers with `onTicket(...)`, `on(type, ...)`... */
  readonly webhooks: Webhooks<Ctx>;
}

/**
 * A `node:http` request listener answering FineGuide deliveries on any path
 * and method (405 for all but POST). Core checks method, secret, content type
 * and a declared length before the body is read; the body is read up to
 * `maxBodyBytes`, and a larger one is answered 413 while the rest is drained,
 * so the client reads the 413 and a kept-alive connection stays usable. The
 * returned promise never rejects: an error escaping the receiver is core's
 * JSON 500 `internal_error`, reported with `process.emitWarning`.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createNodeListener } from "@fineguide-webhooks/core/node";
 *
 * const listener = createNodeListener({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   onTicket: async (ticket) => helpdesk.open(ticket.customerEmail),
 * });
 * createServer(listener).listen(3000);
 * ```
 */
export function createNodeListener<Req, State>(
  webhooks: Webhooks<WebhookContext<Req, State>>,
  options?: NodeListenerOptions<State>,
): NodeListener<WebhookContext<Req, State>>;
/** The same, creating the receiver from `createWebhooks()` options. */
export function createNodeListener<State = undefined>(
  options: NodeWebhooksOptions<State>,
  listenerOptions?: NodeListenerOptions<State>,
): NodeListener<NodeContext<State>>;
/** The same, for a value that may be either. */
export function createNodeListener(
  webhooksOrOptions: Webhooks | WebhooksOptions,
  listenerOptions?: NodeListenerOptions<undefined>,
): NodeListener<WebhookContext>;
export function createNodeListener(
  webhooksOrOptions: object,
  listenerOptions: NodeListenerOptions = {},
): NodeListener<never> {
  const webhooks = toWebhooks(webhooksOrOptions as WebhooksOptions) as Webhooks<never>;
  const state = listenerOptions.state ?? (webhooksOrOptions as NodeWebhooksOptions<unknown>).state;
  const limit = webhooks.maxBodyBytes;
  const { onResponse } = listenerOptions;
  const listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let answer: WebhookResponse;
    try {
      answer = await webhooks.receive({
        method: req.method ?? "",
        headers: req.headers,
        // Keep the stream open past the limit, so the client reads the 413, not a reset.
        body: () => readLimited(req.iterator({ destroyOnReturn: false }), limit),
        request: req,
        state: state?.(req),
      });
    } catch (error) {
      answer = unexpected(error);
    }
    try {
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      if (res.headersSent) {
        // No 500 can follow a head already sent: the connection is cut, so no 2xx reaches the vendor.
        report("fineguide-webhooks: the answer could not be written, connection closed", error);
        res.destroy();
      } else {
        answer = unexpected(error);
        res.writeHead(answer.status, answer.headers).end(answer.body);
      }
    }
    req.resume(); // discard what is left of a body nobody read
    if (onResponse) {
      try {
        onResponse(answer, req);
      } catch (error) {
        report("fineguide-webhooks: onResponse threw", error);
      }
    }
  };
  return Object.assign(listener, { webhooks });
}

function report(message: string, error: unknown): void {
  try {
    process.emitWarning(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  } catch {}
}

function unexpected(error: unknown): WebhookResponse {
  report("fineguide-webhooks: unexpected error, answered 500", error);
  return errorResponse("internal_error");
}
