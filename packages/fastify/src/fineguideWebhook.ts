import {
  BODY_TOO_LARGE,
  errorResponse,
  readLimited,
  toWebhooks,
  type WebhookContext,
  type WebhookResponse,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import fp from "fastify-plugin";

type KeepTextDone = (error: Error | null, body?: unknown) => void;

/**
 * The `ctx` of handlers behind the Fastify adapter: `ctx.request` is the
 * `FastifyRequest` (`request.log`, `request.params`, decorations),
 * `ctx.state` what your `state` function made of it.
 */
export type FastifyContext<State = undefined> = WebhookContext<FastifyRequest, State>;

/**
 * What the route uses of a receiver: the parts that do not depend on its
 * handlers' context type, so a receiver of any context fits.
 */
export type FastifyReceiver = Pick<
  Webhooks,
  "receive" | "preflight" | "close" | "maxBodyBytes" | "secretHeader"
>;

/**
 * `createWebhooks()` options for `fineguideWebhook(options)`, with handlers
 * typed for Fastify and an optional `state` function.
 */
export type FastifyWebhooksOptions<State = undefined> = WebhooksOptions<FastifyContext<State>> & {
  /**
   * Derives your own typed context from the request (a tenant from the path,
   * a decoration): handlers get it as `ctx.state`. Called once per delivery
   * once Fastify read the body, after the secret check; a throw is answered
   * 500 `internal_error`. Put it before the handlers in the object literal,
   * so TypeScript infers its type for them.
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook({
   *   secret,
   *   state: (request) => ({ tenant: (request.params as { tenant: string }).tenant }),
   *   onTicket: (ticket, ctx) => helpdesk(ctx.state.tenant).open(ticket),
   * }, { path: "/t/:tenant/webhook" }));
   * ```
   */
  readonly state?: (request: FastifyRequest) => State;
};

/** Options of the Fastify adapter itself, beside the receiver's. */
export interface FastifyAdapterOptions<State = unknown> {
  /**
   * With a receiver instance: derives `ctx.state` from each request (see `state` in
   * {@link FastifyWebhooksOptions}).
   *
   * @example
   * ```ts
   * const webhooks = createWebhooks<FastifyContext<{ tenant: string }>>({ secret });
   * await app.register(fineguideWebhook(webhooks, {
   *   path: "/t/:tenant/webhook",
   *   state: (request) => ({ tenant: (request.params as { tenant: string }).tenant }),
   * }));
   * ```
   */
  readonly state?: (request: FastifyRequest) => State;
  /** The route's path, inside the plugin's prefix. Default `"/webhook"`. */
  readonly path?: string;
  /**
   * Called with each answer once it is handed to Fastify, for logs and
   * metrics. An error it throws is logged with `request.log.warn` and
   * changes nothing.
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook, {
   *   webhooks,
   *   onResponse: (answer, request) => request.log.info({ outcome: answer.outcome }),
   * });
   * ```
   */
  readonly onResponse?: (
    answer: WebhookResponse,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => void;
  /**
   * How long `app.close()` lets deliveries in flight finish (core's
   * `webhooks.close({ timeoutMs })`): once `close()` starts, new deliveries
   * reaching the route are answered 503 `shutting_down`; those still running
   * at the timeout are answered 503 and their claims released, so the
   * vendor's retry runs them. Default: core's (10 s).
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook, { secret, closeTimeoutMs: 5_000 });
   * process.on("SIGTERM", () => void app.close());
   * ```
   */
  readonly closeTimeoutMs?: number;
}

/**
 * What `app.register(fineguideWebhook, options)` takes: the adapter's options
 * (`path`, `onResponse`, `closeTimeoutMs`) and Fastify's own (`prefix`, `logLevel`...), plus
 * either `webhooks` (a `createWebhooks()` instance) or the options of
 * `createWebhooks()` themselves, not both. Handlers given here see
 * `ctx.request` as the `FastifyRequest`; for a typed `ctx.state`, register
 * the factory form `fineguideWebhook(options)`, whose type parameter carries it.
 */
export type FineguideWebhookPluginOptions = FastifyAdapterOptions &
  (
    | ({ readonly webhooks: FastifyReceiver } & {
        readonly [K in keyof WebhooksOptions]?: never;
      })
    | (Omit<FastifyWebhooksOptions<never>, "state"> & {
        readonly webhooks?: undefined;
        /** Makes `ctx.state` (untyped here: for a typed one, register `fineguideWebhook(options)`). */
        readonly state?: (request: FastifyRequest) => unknown;
      })
  );

/** A plugin made by calling `fineguideWebhook(...)`, with the receiver it answers for. */
export interface FineguideWebhookPlugin<Ctx = FastifyContext> extends FastifyPluginCallback {
  /** The receiver: add handlers to it with `onTicket(...)`, `on(type, ...)`... */
  readonly webhooks: Webhooks<Ctx>;
}

/**
 * The Fastify plugin, usable two ways:
 * `app.register(fineguideWebhook, { path, ...options })`, or
 * `app.register(fineguideWebhook(webhooksOrOptions, { path }))`.
 */
export interface FineguideWebhook {
  /**
   * A plugin answering deliveries for `webhooks` on `adapterOptions.path`.
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook(webhooks, { path: "/webhook" }));
   * ```
   */
  <Req, State>(
    webhooks: Webhooks<WebhookContext<Req, State>>,
    adapterOptions?: FastifyAdapterOptions<State>,
  ): FineguideWebhookPlugin<WebhookContext<Req, State>>;
  /**
   * A plugin answering deliveries for a receiver created from `options`.
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook({ secret, onTicket }, { path: "/webhook" }));
   * ```
   */
  <State = undefined>(
    options: FastifyWebhooksOptions<State>,
    adapterOptions?: FastifyAdapterOptions<State>,
  ): FineguideWebhookPlugin<FastifyContext<State>>;
  /**
   * The plugin itself, called by `app.register(fineguideWebhook, options)`.
   *
   * @example
   * ```ts
   * await app.register(fineguideWebhook, { path: "/webhook", secret, onTicket });
   * ```
   */
  (
    instance: FastifyInstance,
    options: FineguideWebhookPluginOptions,
    done: (error?: Error) => void,
  ): void;
}

/** Where the route's `onRequest` hook notes when a request arrived (epoch ms). */
const ARRIVED = Symbol("fineguide-webhooks.arrivedAt");
type Arrived = FastifyRequest & { [ARRIVED]: number };

/** Throws core's error for a `closeTimeoutMs` it would reject, at registration. */
function checkAdapterOptions({ closeTimeoutMs }: FastifyAdapterOptions): void {
  if (closeTimeoutMs !== undefined && !(Number.isFinite(closeTimeoutMs) && closeTimeoutMs >= 0)) {
    throw new RangeError(
      "fineguideWebhook: `closeTimeoutMs` must be a number of milliseconds, 0 or more.",
    );
  }
}

/**
 * The route, in the plugin's own encapsulated context: a content-type parser
 * for every type that keeps the raw text (core decides about the type and
 * parses it), core's preflight in `onRequest` before the body is read, and
 * the route's `bodyLimit` set to the receiver's `maxBodyBytes`. Errors of
 * its own never reach Fastify's error handling: they are core's JSON 500.
 * `app.close()` closes the receiver.
 */
function route(
  instance: FastifyInstance,
  webhooks: FastifyReceiver,
  { path = "/webhook", onResponse, closeTimeoutMs, state }: FastifyAdapterOptions,
): void {
  instance.removeAllContentTypeParsers();
  const keepText = (_request: FastifyRequest, body: string | Buffer, done: KeepTextDone) => {
    done(null, body);
  };
  // The usual types by name too: Fastify caches a parser found by name, and
  // parses the content type of every request that only the catch-all serves.
  instance.addContentTypeParser(
    ["application/json", "text/plain"],
    { parseAs: "string" },
    keepText,
  );
  instance.addContentTypeParser("*", { parseAs: "string" }, keepText);

  instance.decorateRequest(ARRIVED, 0);

  /** Sends core's answer; never throws (what cannot be sent becomes core's 500). */
  const send = (request: FastifyRequest, reply: FastifyReply, answer: WebhookResponse) => {
    try {
      reply.code(answer.status).headers(answer.headers).send(answer.body);
    } catch (error) {
      if (reply.sent) return reply;
      // An answer Fastify refuses (a wrapped receiver's): core's 500, without its headers.
      for (const name of Object.keys(answer.headers)) reply.removeHeader(name);
      answer = unexpected(request, error);
      try {
        reply.code(answer.status).headers(answer.headers).send(answer.body);
      } catch {
        reply.raw.destroy();
        return reply;
      }
    }
    if (onResponse) {
      try {
        onResponse(answer, request, reply);
      } catch (err) {
        log(request, "warn", err, "fineguide-webhooks: onResponse threw");
      }
    }
    return reply;
  };
  const receive = async (request: FastifyRequest, reply: FastifyReply, body: unknown) => {
    let answer: WebhookResponse;
    try {
      answer = await webhooks.receive({
        method: request.method,
        headers: request.headers,
        body,
        // Fastify read the body before this: the deadline counts from the arrival.
        receivedAt: (request as Arrived)[ARRIVED] || Date.now(),
        request,
        state: state?.(request),
      });
    } catch (error) {
      answer = unexpected(request, error);
    }
    return send(request, reply, answer);
  };

  // `app.close()`: preClose (before Fastify waits for requests in flight)
  // starts closing the receiver, so what is in flight gets `closeTimeoutMs`
  // to finish and the rest is answered 503; onClose waits until it is done.
  // Never rejects, so `app.close()` always completes.
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.resolve()
      .then(() => webhooks.close(closeTimeoutMs === undefined ? {} : { timeoutMs: closeTimeoutMs }))
      .catch((err: unknown) => {
        try {
          instance.log.error({ err }, "fineguide-webhooks: close failed");
        } catch {}
      });
    return closing;
  };
  instance.addHook("preClose", (done) => {
    void close();
    done();
  });
  instance.addHook("onClose", (_instance, done) => {
    void close().then(() => done());
  });

  instance.all(
    path,
    {
      bodyLimit: webhooks.maxBodyBytes,
      onRequest: (request, reply, done) => {
        (request as Arrived)[ARRIVED] = Date.now();
        let rejected: WebhookResponse | undefined;
        try {
          rejected = webhooks.preflight({ method: request.method, headers: request.headers });
        } catch (error) {
          rejected = unexpected(request, error);
        }
        if (rejected) send(request, reply, rejected);
        else done();
      },
      // Fastify's own body errors, handed to core as a body it can judge:
      // too large (only a chunked body can get here: a declared length was
      // checked in onRequest), a type Fastify cannot parse though core
      // accepts it (the body is read here), or an unreadable body (core
      // answers invalid_json). Every other error goes to the app's handler:
      // it is not this route's (a parent's hook threw it); errors of the
      // plugin's own code are answered where they happen, never thrown.
      errorHandler: async (error: FastifyError, request, reply) => {
        if (!error.code?.startsWith("FST_ERR_CTP_")) throw error;
        if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          return receive(request, reply, BODY_TOO_LARGE);
        }
        if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
          // Kept open past the limit (Fastify drains it), so the client reads the 413.
          const chunks = request.raw.iterator({ destroyOnReturn: false });
          return receive(request, reply, () => readLimited(chunks, webhooks.maxBodyBytes));
        }
        return receive(request, reply, () => {
          throw error;
        });
      },
    },
    (request, reply) => receive(request, reply, request.body),
  );
}

/** Logs with the request's logger; a logger that throws changes nothing. */
function log(request: FastifyRequest, level: "warn" | "error", err: unknown, msg: string): void {
  try {
    request.log[level]({ err }, msg);
  } catch {}
}

/**
 * The answer to an error that escaped core or the adapter: logged, answered
 * with core's 500 `internal_error` in the contract's JSON instead of going to
 * Fastify's error handling (its own JSON shape, or the app's handler).
 */
function unexpected(request: FastifyRequest, error: unknown): WebhookResponse {
  log(request, "error", error, "fineguide-webhooks: unexpected error, answered 500");
  return errorResponse("internal_error");
}

/** `app.register(fineguideWebhook, options)`. */
function plugin(
  instance: FastifyInstance,
  options: FineguideWebhookPluginOptions,
  done: (error?: Error) => void,
): void {
  const { path, onResponse, closeTimeoutMs, webhooks, state, ...rest } = options;
  const adapterOptions = { path, onResponse, closeTimeoutMs, state };
  let receiver: FastifyReceiver;
  try {
    checkAdapterOptions(adapterOptions);
    receiver = webhooks ?? toWebhooks(rest as WebhooksOptions);
  } catch (error) {
    // A misconfiguration fails `register()` (and `ready()`) with createWebhooks' error.
    done(error as Error);
    return;
  }
  route(instance, receiver, adapterOptions);
  done();
}

const META = { name: "@fineguide-webhooks/fastify", fastify: "5.x", encapsulate: true } as const;

function dualUse(
  webhooksOrOptions: FastifyReceiver | FastifyWebhooksOptions<unknown>,
  adapterOptions?: FastifyAdapterOptions,
): FineguideWebhookPlugin<never>;
function dualUse(
  instance: FastifyInstance,
  options: FineguideWebhookPluginOptions,
  done: (error?: Error) => void,
): void;
function dualUse(
  first: FastifyInstance | FastifyReceiver | FastifyWebhooksOptions<unknown>,
  second?: FineguideWebhookPluginOptions | FastifyAdapterOptions,
  done?: (error?: Error) => void,
): FineguideWebhookPlugin<never> | undefined {
  // Fastify calls a plugin with (instance, options, done); users call it with one or two.
  if (typeof done === "function") {
    plugin(first as FastifyInstance, second as FineguideWebhookPluginOptions, done);
    return undefined;
  }
  // Called by the user: the receiver is made now, so wrong options throw here.
  const webhooks = toWebhooks(first as WebhooksOptions) as Webhooks<never>;
  const adapterOptions: FastifyAdapterOptions = {
    ...second,
    state: second?.state ?? (first as FastifyWebhooksOptions<unknown>).state,
  };
  checkAdapterOptions(adapterOptions);
  const bound = fp((instance, _options, next) => {
    route(instance, webhooks, adapterOptions);
    next();
  }, META);
  return Object.assign(bound, { webhooks });
}

/**
 * Receives FineGuide webhook deliveries in Fastify: one route (every method,
 * so other methods get the contract's 405) in its own encapsulated context.
 * The secret, method, content type and declared length are checked by core
 * in an `onRequest` hook, before the body is read; the body is read up to
 * `maxBodyBytes` by Fastify and handed as text to core's `receive()`, whose
 * status, headers and JSON body are sent as they are.
 *
 * Register it with options (`webhooks`, or `createWebhooks()` options, plus
 * `path`, default `"/webhook"`), or call it with them to get a plugin.
 * An error escaping core or the plugin is answered with core's 500
 * `internal_error` (JSON), never Fastify's error shape. `app.close()` closes
 * the receiver: deliveries in flight may finish for `closeTimeoutMs`, new ones
 * get 503 `shutting_down`.
 * `prefix` is honoured either way, and its content-type parser stays inside
 * its own context.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { fineguideWebhook } from "@fineguide-webhooks/fastify";
 *
 * const app = Fastify();
 * await app.register(fineguideWebhook, {
 *   path: "/webhook",
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   onTicket: async (ticket) => helpdesk.open(ticket.customerEmail),
 * });
 * // or: await app.register(fineguideWebhook(webhooks, { path: "/webhook" }));
 * ```
 */
export const fineguideWebhook: FineguideWebhook = fp(dualUse, META);
