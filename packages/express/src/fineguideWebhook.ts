import {
  toWebhooks,
  type WebhookContext,
  type WebhookResponse,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { answerUnexpected, answerWith } from "./answerWith.js";
import { fineguideErrorHandler } from "./fineguideErrorHandler.js";
import type { ExpressAdapterOptions, ExpressContext, ExpressWebhooksOptions } from "./options.js";
import { requestBody } from "./requestBody.js";

/**
 * The middleware, with the receiver it feeds and its body-parser error handler.
 *
 * @example
 * ```ts
 * const webhook = fineguideWebhook({ secret });
 * webhook.webhooks.onTicket(async (ticket) => helpdesk.open(ticket.customerEmail));
 * app.post("/webhook", webhook);
 * app.use("/webhook", webhook.errorHandler); // only needed after express.json()
 * ```
 */
export interface FineguideWebhookMiddleware<Ctx = ExpressContext> extends RequestHandler {
  /** The receiver: register more handlers with `.onTicket(...)`, `.on(...)`. */
  readonly webhooks: Webhooks<Ctx>;
  /**
   * Error-handling middleware for when `express.json()` (or another body
   * parser) ran before this one and rejected the body: see
   * {@link fineguideErrorHandler}.
   */
  readonly errorHandler: ErrorRequestHandler;
}

/**
 * Express middleware answering FineGuide deliveries following the receiver
 * contract. Takes a `createWebhooks()` instance or its options. Mount it with
 * `app.post(path, ...)` or `app.use(path, ...)`; it always answers, never calls
 * `next()` (other methods get core's 405), not even for an error: whatever
 * goes wrong on its way (a `webhooks` object whose `receive()` rejects, an
 * answer that cannot be written) is answered with core's 500
 * `internal_error` in the contract's JSON, never Express's HTML error page.
 *
 * It reads the body itself, only after the secret and content type passed,
 * unless a body parser (`express.json()`, `express.raw()`, `express.text()`)
 * already did; then it uses `req.body`.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { fineguideWebhook } from "@fineguide-webhooks/express";
 *
 * const app = express();
 * app.post(
 *   "/webhook",
 *   fineguideWebhook({
 *     secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *     onTicket: async (ticket) => helpdesk.open(ticket.customerEmail, ticket.customerMessage),
 *   }),
 * );
 * app.listen(3000);
 * ```
 */
export function fineguideWebhook<Req, State>(
  webhooks: Webhooks<WebhookContext<Req, State>>,
  adapterOptions?: ExpressAdapterOptions<State>,
): FineguideWebhookMiddleware<WebhookContext<Req, State>>;
export function fineguideWebhook<State = undefined>(
  options: ExpressWebhooksOptions<State>,
  adapterOptions?: ExpressAdapterOptions<State>,
): FineguideWebhookMiddleware<ExpressContext<State>>;
export function fineguideWebhook(
  webhooksOrOptions: object,
  adapterOptions: ExpressAdapterOptions = {},
): FineguideWebhookMiddleware<never> {
  const webhooks = toWebhooks(webhooksOrOptions as WebhooksOptions) as Webhooks<never>;
  const state =
    adapterOptions.state ?? (webhooksOrOptions as ExpressWebhooksOptions<unknown>).state;
  const limit = webhooks.maxBodyBytes;
  const answer = answerWith(adapterOptions);

  // Express and Node call this on arrival, with the body not read yet: the
  // deadline counts from now, so `receivedAt` is left to core.
  const middleware: RequestHandler = (req, res) => {
    let pending: Promise<WebhookResponse>;
    try {
      pending = webhooks.receive({
        method: req.method,
        headers: req.headers,
        body: requestBody(req, limit),
        request: req,
        state: state?.(req),
      });
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending
      .then((response) => answer(response, req, res))
      .catch((error: unknown) => answerUnexpected(answer, error, req, res));
  };
  return Object.assign(middleware, {
    webhooks,
    errorHandler: fineguideErrorHandler(webhooks, adapterOptions),
  });
}
