import type {
  HeadersInput,
  WebhookContext,
  WebhookResponse,
  Webhooks,
  WebhooksOptions,
} from "@fineguide-webhooks/core";
import { errorResponse, toWebhooks } from "@fineguide-webhooks/core";
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { readBody } from "./readBody.js";

/**
 * The `ctx` of handlers behind the Hono adapter: `ctx.request` is Hono's
 * `Context` (`c.req.param()`, `c.env`, `c.get(...)`), `ctx.state` what your
 * `state` function made of it.
 */
export type HonoContext<State = undefined> = WebhookContext<Context, State>;

/**
 * `createWebhooks()` options for `fineguideWebhook(options)`, with handlers
 * typed for Hono and an optional `state` function.
 */
export type HonoWebhooksOptions<State = undefined> = WebhooksOptions<HonoContext<State>> & {
  /**
   * Derives your own typed context from the request (a tenant from the path,
   * a binding from `c.env`): handlers get it as `ctx.state`. Called once per
   * request before the secret check, so keep it cheap; a throw is answered
   * 500 `internal_error`. Put it before the handlers in the object literal,
   * so TypeScript infers its type for them.
   *
   * @example
   * ```ts
   * app.post("/t/:tenant/webhook", fineguideWebhook({
   *   secret,
   *   state: (c) => ({ tenant: c.req.param("tenant") ?? "" }),
   *   onTicket: (ticket, ctx) => helpdesk(ctx.state.tenant).open(ticket),
   * }));
   * ```
   */
  readonly state?: (c: Context) => State;
};

/** Options of the Hono adapter itself, beside the receiver's. */
export interface HonoAdapterOptions<State = unknown> {
  /**
   * With a receiver instance: derives `ctx.state` from each request (see `state` in
   * {@link HonoWebhooksOptions}).
   *
   * @example
   * ```ts
   * const webhooks = createWebhooks<HonoContext<{ tenant: string }>>({ secret });
   * app.post("/t/:tenant/webhook", fineguideWebhook(webhooks, {
   *   state: (c) => ({ tenant: c.req.param("tenant") ?? "" }),
   * }));
   * ```
   */
  readonly state?: (c: Context) => State;
  /**
   * Called with each answer just before it is returned to Hono, for logs and
   * metrics. An error it throws is reported with `console.warn` and changes
   * nothing.
   *
   * @example
   * ```ts
   * fineguideWebhook(webhooks, {
   *   onResponse: (answer) => console.log(answer.status, answer.outcome),
   * });
   * ```
   */
  readonly onResponse?: (answer: WebhookResponse, c: Context) => void;
}

/** The Hono handler, with the receiver it answers for. */
export interface FineguideWebhookHandler<Ctx = HonoContext> extends MiddlewareHandler {
  /** The receiver: add handlers to it with `onTicket(...)`, `on(type, ...)`... */
  readonly webhooks: Webhooks<Ctx>;
}

/**
 * A Hono handler that answers FineGuide webhook deliveries: it hands the
 * request to core's `receive()` (method, secret and content type are checked
 * before the body is read, and the body is read up to `maxBodyBytes`), then
 * copies core's status, headers and JSON body onto the response.
 *
 * Pass a `createWebhooks()` instance, or the same options to create one.
 * Mount it with `app.post(path, ...)`, or with `app.all` / `app.use` so that
 * other methods get the contract's 405 instead of Hono's 404. It never calls
 * `next()`: the delivery is always answered here, and never throws to Hono's
 * `onError`: an error escaping core or the adapter (a receiver object whose
 * `receive()` rejects, an answer Hono cannot build) is answered with core's
 * 500 `internal_error`, as JSON, and reported with `console.warn`.
 *
 * Uses only Fetch APIs (`Request`, `Headers`, `ReadableStream`): it runs
 * wherever Hono and core run (Node, Bun, Deno, Cloudflare Workers with
 * `nodejs_compat`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { fineguideWebhook } from "@fineguide-webhooks/hono";
 *
 * const app = new Hono();
 * app.post(
 *   "/webhook",
 *   fineguideWebhook({
 *     secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *     onTicket: async (ticket) => helpdesk.open(ticket.customerEmail),
 *   }),
 * );
 * ```
 */
export function fineguideWebhook<Req, State>(
  webhooks: Webhooks<WebhookContext<Req, State>>,
  adapterOptions?: HonoAdapterOptions<State>,
): FineguideWebhookHandler<WebhookContext<Req, State>>;
/**
 * The same, creating the receiver from `createWebhooks()` options.
 *
 * @example
 * ```ts
 * app.post("/webhook", fineguideWebhook({ secret, onMessage: (m) => log(m.role) }));
 * ```
 */
export function fineguideWebhook<State = undefined>(
  options: HonoWebhooksOptions<State>,
  adapterOptions?: HonoAdapterOptions<State>,
): FineguideWebhookHandler<HonoContext<State>>;
/**
 * The same, for a value that may be either.
 *
 * @example
 * ```ts
 * const handler = fineguideWebhook(existing ?? { secret });
 * ```
 */
export function fineguideWebhook(
  webhooksOrOptions: Webhooks | WebhooksOptions,
  adapterOptions?: HonoAdapterOptions<undefined>,
): FineguideWebhookHandler<WebhookContext>;
export function fineguideWebhook(
  webhooksOrOptions: object,
  adapterOptions: HonoAdapterOptions = {},
): FineguideWebhookHandler<never> {
  const webhooks = toWebhooks(webhooksOrOptions as WebhooksOptions) as Webhooks<never>;
  const state = adapterOptions.state ?? (webhooksOrOptions as HonoWebhooksOptions<unknown>).state;
  const limit = webhooks.maxBodyBytes;
  const { onResponse } = adapterOptions;
  const tell = (answer: WebhookResponse, c: Context) => {
    if (!onResponse) return;
    try {
      onResponse(answer, c);
    } catch (error) {
      report("fineguide-webhooks: onResponse threw", error);
    }
  };
  // Called on arrival with the body not read yet: the deadline counts from
  // now, so `receivedAt` is left to core.
  const handler: MiddlewareHandler = async (c) => {
    let answer: WebhookResponse;
    try {
      const headers = requestHeaders(c);
      answer = await webhooks.receive({
        method: c.req.method,
        headers,
        body: () => readBody(c.req, headers, limit),
        request: c,
        state: state?.(c),
      });
    } catch (error) {
      answer = unexpected(error);
    }
    let response: Response;
    try {
      response = c.body(answer.body, answer.status as ContentfulStatusCode, answer.headers);
    } catch (error) {
      // An answer Hono cannot build (a wrapped receiver's): core's 500 instead,
      // without the headers of the failed answer, kept by the context's headers.
      try {
        for (const name of Object.keys(answer.headers)) c.header(name, undefined);
      } catch {}
      answer = unexpected(error);
      response = c.body(answer.body, answer.status as ContentfulStatusCode, answer.headers);
    }
    tell(answer, c);
    return response;
  };
  return Object.assign(handler, { webhooks });
}

/** Reports with `console.warn`; never throws. */
function report(message: string, error: unknown): void {
  try {
    console.warn(message, error);
  } catch {}
}

/**
 * The answer to an error that escaped core or the adapter: core's 500
 * `internal_error` in the contract's JSON, instead of Hono's `onError`
 * (plain text "Internal Server Error").
 */
function unexpected(error: unknown): WebhookResponse {
  report("fineguide-webhooks: unexpected error, answered 500", error);
  return errorResponse("internal_error");
}

/**
 * The request headers. On `@hono/node-server`, Node's own header record
 * (`c.env.incoming.headers`): reading `c.req.raw.headers` there builds a Fetch
 * `Headers` object per request, which costs more than all of core's checks.
 * Elsewhere (Bun, Deno, Workers), the Fetch `Headers`. No Node API is used.
 */
function requestHeaders(c: Context): HeadersInput {
  const incoming = (c.env as { incoming?: { headers?: unknown } } | undefined)?.incoming;
  const headers = incoming?.headers;
  return headers !== null && typeof headers === "object"
    ? (headers as Readonly<Record<string, string | string[] | undefined>>)
    : c.req.raw.headers;
}
