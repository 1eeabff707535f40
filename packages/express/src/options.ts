import type { WebhookContext, WebhookResponse, WebhooksOptions } from "@fineguide-webhooks/core";
import type { Request, Response } from "express";

/**
 * The `ctx` of handlers behind the Express adapter: `ctx.request` is the
 * Express `Request` (`req.params`, `req.log` of pino-http, ...), `ctx.state`
 * what your `state` function made of it.
 */
export type ExpressContext<State = undefined> = WebhookContext<Request, State>;

/**
 * `createWebhooks()` options for `fineguideWebhook(options)`, with handlers
 * typed for Express and an optional `state` function.
 */
export type ExpressWebhooksOptions<State = undefined> = WebhooksOptions<ExpressContext<State>> & {
  /**
   * Derives your own typed context from the request (a tenant from the path,
   * a user from an earlier middleware): handlers get it as `ctx.state`.
   * Called once per request before the secret check, so keep it cheap; a
   * throw is answered 500 `internal_error`. Put it before the handlers in
   * the object literal, so TypeScript infers its type for them.
   *
   * @example
   * ```ts
   * app.post("/t/:tenant/webhook", fineguideWebhook({
   *   secret,
   *   state: (req) => ({ tenant: req.params.tenant }),
   *   onTicket: (ticket, ctx) => helpdesk(ctx.state.tenant).open(ticket),
   * }));
   * ```
   */
  readonly state?: (req: Request) => State;
};

/** Options of the Express adapter itself (the receiver's options go to core). */
export interface ExpressAdapterOptions<State = unknown> {
  /**
   * With a receiver instance: derives `ctx.state` from each request (see `state` in
   * {@link ExpressWebhooksOptions}).
   *
   * @example
   * ```ts
   * const webhooks = createWebhooks<ExpressContext<{ tenant: string }>>({ secret });
   * app.post("/t/:tenant/webhook", fineguideWebhook(webhooks, {
   *   state: (req) => ({ tenant: req.params.tenant }),
   * }));
   * ```
   */
  readonly state?: (req: Request) => State;
  /**
   * Called after every answer is written, for logging or metrics. It cannot
   * change the answer; an error it throws is reported with
   * `process.emitWarning` and otherwise ignored.
   *
   * @example
   * ```ts
   * fineguideWebhook(webhooks, {
   *   onResponse: (answer) => console.log(answer.status, answer.outcome),
   * });
   * ```
   */
  readonly onResponse?: (answer: WebhookResponse, req: Request, res: Response) => void;
}
