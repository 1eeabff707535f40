import {
  BODY_TOO_LARGE,
  errorResponse,
  type WebhookResponse,
  type Webhooks,
} from "@fineguide-webhooks/core";
import type { ErrorRequestHandler } from "express";
import { answerUnexpected, answerWith } from "./answerWith.js";
import type { ExpressAdapterOptions } from "./options.js";

/** What body-parser (behind `express.json()`, `.raw()`, `.text()`) puts on its errors. */
interface BodyParserError {
  readonly type: string;
  readonly body?: unknown;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === "object" &&
  error !== null &&
  typeof (error as { type?: unknown }).type === "string";

/**
 * Error-handling middleware for apps that run a body parser before the webhook:
 * when `express.json()` rejects a delivery (bad JSON, over its `limit`, an
 * unsupported charset), Express would answer with its own HTML page. This
 * answers with the contract instead, through core, in the contract's order
 * (a wrong secret is still a 401, never a 400):
 *
 * - invalid JSON: core `receive()` gets the text the parser rejected (400);
 * - over the parser's limit: core gets `BODY_TOO_LARGE` (413);
 * - charset or content encoding the parser refuses: `unsupported_media_type` (415)
 *   after core's checks that need no body.
 *
 * Any other error is not the webhook's (a failing auth middleware, your own
 * code): it goes to `next(error)`, on to your app's error handling. An error
 * while answering one of the parser's (core's `receive()` rejecting, an
 * answer that cannot be written) is answered with core's 500
 * `internal_error`, as JSON. Mount it after the parser, on the webhook's path
 * only: `app.use("/webhook", webhook.errorHandler)`.
 * `fineguideWebhook(...).errorHandler` is this handler, bound to its receiver.
 *
 * @example
 * ```ts
 * app.use(express.json({ limit: "1mb" }));
 * const webhook = fineguideWebhook({ secret, onTicket });
 * app.post("/webhook", webhook);
 * app.use("/webhook", webhook.errorHandler);
 * ```
 */
export function fineguideErrorHandler(
  webhooks: Webhooks,
  adapterOptions: ExpressAdapterOptions = {},
): ErrorRequestHandler {
  const answer = answerWith(adapterOptions);
  return (error, req, res, next) => {
    if (res.headersSent || !isBodyParserError(error)) return next(error);
    const head = { method: req.method, headers: req.headers };
    let pending: Promise<WebhookResponse>;
    try {
      switch (error.type) {
        case "entity.parse.failed":
          if (typeof error.body !== "string") return next(error);
          pending = webhooks.receive({ ...head, body: error.body });
          break;
        case "entity.too.large":
          pending = webhooks.receive({ ...head, body: BODY_TOO_LARGE });
          break;
        case "charset.unsupported":
        case "encoding.unsupported":
          pending = Promise.resolve(
            webhooks.preflight(head) ?? errorResponse("unsupported_media_type"),
          );
          break;
        default:
          return next(error);
      }
    } catch (unexpected) {
      pending = Promise.reject(unexpected);
    }
    pending
      .then((response) => answer(response, req, res))
      .catch((unexpected: unknown) => answerUnexpected(answer, unexpected, req, res));
  };
}
