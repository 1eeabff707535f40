import { once } from "node:events";
import {
  connectionFromUrl,
  createWebhookQueue,
  createWorker,
  type WebhookQueue,
  type WebhookWorker,
  type WorkerOptions,
} from "@fineguide-webhooks/bullmq";
import type { OutcomeInfo } from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { redisStore } from "@fineguide-webhooks/redis";
import express from "express";
import { Redis } from "ioredis";
import { postToSlack } from "./postToSlack.js";
import { leadMessage, ticketMessage } from "./slackMessages.js";

/** Options of {@link createSlackAlerts}. */
export interface SlackAlertsOptions {
  /** The secret header's value FineGuide sends. */
  readonly secret: string;
  readonly redisUrl: string;
  /** Slack's incoming webhook (or the stand-in's URL). */
  readonly slackUrl: string;
  /** Default `slack-alerts`. */
  readonly queueName?: string;
  /**
   * The worker's pace and retries. Default: 4 at once, at most 1 message per
   * second (Slack's incoming webhooks allow about that per channel), 20
   * attempts with backoff from 1 s to 10 min.
   */
  readonly worker?: Pick<
    WorkerOptions,
    "concurrency" | "attempts" | "backoff" | "limiter" | "closeTimeoutMs"
  >;
  /** How long to wait for Slack's answer. Default 10 s. */
  readonly slackTimeoutMs?: number;
  /** Sees every webhook answer. */
  readonly onOutcome?: (info: OutcomeInfo) => void;
  /** Where problems are told (default `console.error`). */
  readonly warn?: (line: string) => void;
}

/** The receiver app, its queue and the worker. */
export interface SlackAlerts {
  /** POST /webhook: TICKET and CREATE_LEAD are handed off; other types answered 200. */
  readonly app: express.Express;
  readonly queue: WebhookQueue;
  readonly worker: WebhookWorker;
  /** Stops the worker (waiting for running posts), then the queue and Redis clients. */
  close(): Promise<void>;
}

/** How long a "posted" mark is kept: far past any retry or replay of the event. */
const SENT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Tickets and leads from FineGuide as Slack messages, through a queue: the
 * receiver answers as soon as the event is stored in Redis; the worker posts
 * to Slack at Slack's pace, waits out 429s (`Retry-After`), retries 500s and
 * timeouts with backoff, and leaves what never got through in the failed set
 * (`fineguide-webhooks queue failed`).
 *
 * @example
 * ```ts
 * const alerts = await createSlackAlerts({ secret, redisUrl, slackUrl: process.env.SLACK_WEBHOOK_URL! });
 * alerts.app.listen(3000);
 * ```
 */
export async function createSlackAlerts(options: SlackAlertsOptions): Promise<SlackAlerts> {
  const { redisUrl, slackUrl } = options;
  const queueName = options.queueName ?? "slack-alerts";
  const warn = options.warn ?? ((line: string) => console.error(line));

  // The receiver's Redis client, for the dedupe store: fail fast when Redis is away (503, retried).
  const dedupeClient = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    retryStrategy: () => 200,
  });
  // The worker's, for the "posted" marks.
  const marks = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1_000 });
  for (const client of [dedupeClient, marks]) client.on("error", () => {}); // they reconnect
  await Promise.all([once(dedupeClient, "ready"), once(marks, "ready")]);

  const connection = connectionFromUrl(redisUrl);
  const queue = createWebhookQueue({ connection, queueName });
  await queue.ready();

  const app = express();
  app.post(
    "/webhook",
    fineguideWebhook({
      secret: options.secret,
      dedupe: redisStore({ client: dedupeClient, prefix: `${queueName}:dedupe:` }),
      onTicket: queue.handOff,
      onCreateLead: queue.handOff,
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    }),
  );

  /**
   * At least once: a worker that died after Slack's 200 and before the job
   * completed runs the job again. Slack's incoming webhooks take no
   * idempotency key, so the worker remembers what it posted, by eventId, and
   * skips it; only a crash between Slack's 200 and this mark can still post
   * twice.
   */
  const sentKey = (eventId: string) => `${queueName}:sent:${eventId}`;
  const post = async (text: { text: string }, eventId: string, signal: AbortSignal) => {
    if ((await marks.exists(sentKey(eventId))) === 1) return;
    await postToSlack(slackUrl, text, {
      signal,
      ...(options.slackTimeoutMs === undefined ? {} : { timeoutMs: options.slackTimeoutMs }),
    });
    await marks.set(sentKey(eventId), "1", "EX", SENT_TTL_SECONDS).catch((error: unknown) => {
      // Posted: do not fail the job (a retry would post again) for want of the mark.
      warn(`slack-alerts: posted ${eventId} but could not remember it: ${String(error)}`);
    });
  };

  const worker = createWorker({
    connection,
    queueName,
    concurrency: 4,
    limiter: { max: 1, duration: 1_000 },
    ...options.worker,
    onTicket: (ticket, ctx) => post(ticketMessage(ticket), ctx.eventId, ctx.signal),
    onCreateLead: (lead, ctx) => post(leadMessage(lead), ctx.eventId, ctx.signal),
  });
  worker.worker.on("failed", (job, error) => {
    if (job)
      warn(
        `slack-alerts: ${job.name} ${job.id} attempt ${job.attemptsMade} failed: ${error.message}`,
      );
  });
  await worker.ready();

  return {
    app,
    queue,
    worker,
    close: async () => {
      await worker.close();
      await queue.close();
      dedupeClient.disconnect();
      marks.disconnect();
    },
  };
}
