import type { AnyEvent, WebhookContext, Webhooks } from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/hono";
import { Hono } from "hono";
import { localTime } from "../../shared/src/localTime.js";
import { ForwarderMetrics } from "./ForwarderMetrics.js";
import {
  type AttemptReport,
  DEFAULT_RETRY_POLICY,
  forwardEvent,
  type RetryPolicy,
} from "./forwardEvent.js";

/** Options of {@link createForwarderApp}. */
export interface ForwarderAppOptions {
  /**
   * Per assistant, the Header Value set on its webhook in FineGuide:
   * `{ [botId]: secret }` (or several secrets during a rotation). An event is
   * accepted only with its own bot's secret; another bot's is a 401.
   */
  readonly secrets: Readonly<Record<string, string | readonly string[]>>;
  /** Where every event is POSTed (an automation tool's webhook trigger URL). */
  readonly downstreamUrl: string | URL;
  /** Extra headers for the downstream, e.g. `{ authorization: "Bearer ..." }`. */
  readonly downstreamHeaders?: Readonly<Record<string, string>>;
  /** The receiver's deadline from arrival (core's `deadlineMs`, default 25 s, under 30 s). */
  readonly deadlineMs?: number;
  /** Core's `leaseMs` (default 45 s): longer than `deadlineMs`, under 60 s. */
  readonly leaseMs?: number;
  /** Retries within one delivery; see {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: Partial<RetryPolicy>;
  /** One line per delivery and per retry; default none. */
  readonly log?: (line: string) => void;
}

/** The forwarder: its Hono app, the kit's receiver and the counters. */
export interface ForwarderApp {
  /** `ALL /webhook` (the kit), `GET /metrics` (the counters), `GET /`. */
  readonly app: Hono;
  readonly webhooks: Webhooks;
  readonly metrics: ForwarderMetrics;
}

const errorMessage = (error: unknown) =>
  error === undefined ? "" : `  ${error instanceof Error ? error.message : String(error)}`;

const describeRetry = (type: string, report: AttemptReport) =>
  `retry         ${type.padEnd(17)}  downstream ${report.status ?? report.error}; ` +
  `request ${report.attempt + 1} in ${report.retryInMs} ms (${report.retryReason})`;

/**
 * An automation forwarder: FineGuide delivers the events of several
 * assistants (a secret each) to `/webhook`; the kit checks the secret against
 * the event's `botId`, validates and deduplicates; every accepted event,
 * undocumented types included, is POSTed as received to `downstreamUrl` with
 * `idempotency-key: <ctx.eventId>`, retried within the time left (see
 * `forwardEvent`). When the downstream does not take it in time the delivery
 * fails (500, or 503 at the deadline) and FineGuide retries it later, with the
 * same idempotency key. `GET /metrics` answers the counters as JSON, or in
 * Prometheus' text format for `Accept: text/plain` or `?format=prometheus`.
 *
 * @example
 * ```ts
 * const { app } = createForwarderApp({
 *   secrets: { [botA]: secretA, [botB]: secretB },
 *   downstreamUrl: "https://hooks.example.com/catch/123",
 * });
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function createForwarderApp(options: ForwarderAppOptions): ForwarderApp {
  const log = options.log ?? (() => {});
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const metrics = new ForwarderMetrics();
  const extraHeaders = Object.fromEntries(
    Object.entries(options.downstreamHeaders ?? {}).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );

  const forward = async (event: AnyEvent, ctx: WebhookContext) => {
    // Set for every accepted event: each bot has its own secret.
    const bot = ctx.verifiedBotId ?? "";
    await forwardEvent(
      {
        url: options.downstreamUrl,
        // Verbatim: the downstream sees what FineGuide sent, unknown fields included.
        body: ctx.rawBody ?? JSON.stringify(event),
        headers: {
          ...extraHeaders,
          "content-type": "application/json",
          "idempotency-key": ctx.eventId,
          "x-fineguide-bot": bot,
          "user-agent": "fineguide-webhooks-forwarder",
        },
      },
      ctx,
      policy,
      (report) => {
        metrics.recordRequest(report.attempt, report.status);
        if (report.retryInMs !== undefined) {
          log(`${localTime(new Date())}  ${describeRetry(event.type, report)}`);
        }
      },
    );
    metrics.recordForwarded(bot);
  };

  const webhook = fineguideWebhook({
    secret: options.secrets,
    deadlineMs: options.deadlineMs,
    leaseMs: options.leaseMs,
    onAny: forward,
    onOutcome: (info) => {
      metrics.recordOutcome(info);
      log(
        `${localTime(new Date())}  ${info.status} ${info.outcome.padEnd(16)}  ` +
          `${(info.type ?? "-").padEnd(17)}  ${Math.round(info.durationMs)} ms${errorMessage(info.error)}`,
      );
    },
  });

  const app = new Hono();
  // `all`, not `post`: other methods get the contract's 405 instead of Hono's 404.
  app.all("/webhook", webhook);
  app.get("/metrics", (c) => {
    c.header("cache-control", "no-store");
    const accept = c.req.header("accept") ?? "";
    if (c.req.query("format") === "prometheus" || /text\/plain|openmetrics/.test(accept)) {
      return c.text(metrics.prometheus(), 200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      });
    }
    return c.json(metrics.snapshot());
  });
  app.get("/", (c) =>
    c.text("FineGuide forwarder: POST events to /webhook; counters at GET /metrics\n"),
  );
  return { app, webhooks: webhook.webhooks, metrics };
}
