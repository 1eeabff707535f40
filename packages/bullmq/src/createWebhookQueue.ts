import {
  type AnyEvent,
  ServiceUnavailableError,
  type WebhookContext,
} from "@fineguide-webhooks/core";
import { type ConnectionOptions, type Job, Queue } from "bullmq";
import { producerConnection } from "./connection.js";
import {
  BACKOFF_TYPE,
  DEFAULT_QUEUE_NAME,
  eventOf,
  JOB_ATTEMPTS,
  type WebhookJobData,
  type WebhookJobResult,
} from "./jobs.js";

/** Options of {@link createWebhookQueue}. */
export interface WebhookQueueOptions {
  /**
   * The Redis the queue lives in: ioredis options (e.g. from
   * `connectionFromUrl(process.env.REDIS_URL)`) or a client. Options get
   * `enableOfflineQueue: false`, so a delivery arriving while Redis is away
   * fails at once (answered 5xx, the vendor retries) instead of waiting.
   */
  readonly connection: ConnectionOptions;
  /** Default `"fineguide-webhooks"`; the worker must use the same. */
  readonly queueName?: string;
  /** BullMQ's key prefix (default `"bull"`); the worker must use the same. */
  readonly prefix?: string;
  /**
   * How long a hand-off waits for Redis to store the job before giving up
   * (the delivery is answered 5xx and retried). Default 5 s, and never past
   * the delivery's deadline (`ctx.timeLeft()`).
   */
  readonly enqueueTimeoutMs?: number;
  /**
   * How long completed jobs are kept (milliseconds). While a job is kept, a
   * duplicate enqueue of its event is a no-op. Default 1 hour: longer than
   * the vendor's retry window (about 21 minutes) and the dedupe store's
   * memory (30 minutes by default). Failed jobs are always kept (dead letters).
   */
  readonly keepCompletedMs?: number;
}

/** The part of a handler's `ctx` a hand-off reads. Every `WebhookContext` has it. */
export type HandOffContext = Pick<WebhookContext, "eventId" | "receivedAt" | "timeLeft">;

/**
 * A handler that enqueues the event as a job whose id is `ctx.eventId`, and
 * resolves once Redis has stored it. Register it like any handler: `onAny`,
 * or `onTicket` and the other types you want to hand off.
 */
export type HandOff = (event: AnyEvent, ctx: HandOffContext) => Promise<void>;

/** Job counts of a queue, by state. */
export interface QueueStatus {
  readonly waiting: number;
  readonly active: number;
  /** Waiting out a backoff or a `RetryAfter`. */
  readonly delayed: number;
  readonly prioritized: number;
  /** Dead letters: exhausted their attempts, or failed for good. */
  readonly failed: number;
  /** Still kept (see `keepCompletedMs`). */
  readonly completed: number;
  /** Whether the queue is paused (BullMQ's `queue.pause()`). */
  readonly paused: boolean;
}

/** A job in the failed set (a dead letter). */
export interface FailedWebhookJob {
  /** The job id: the event's `eventId`. */
  readonly id: string;
  /** The event's `type` (the job's name). */
  readonly type: string;
  readonly attemptsMade: number;
  /** The last error's message. */
  readonly failedReason: string;
  /** The last error's stack (BullMQ keeps one per attempt, newest last). */
  readonly stacktrace: readonly string[];
  readonly failedAt: Date | undefined;
  /** When the delivery that enqueued it arrived. */
  readonly receivedAt: Date | undefined;
  /** The event itself (customers' words included: mind where you print it). */
  readonly event: unknown;
}

/** Options of {@link WebhookQueue.failed}. */
export interface FailedListOptions {
  /** Skip this many, newest first. Default 0. */
  readonly offset?: number;
  /** At most this many. Default 50. */
  readonly limit?: number;
}

/** A queue of webhook events: the receiver's hand-off and the dead-letter tools. */
export interface WebhookQueue {
  /** The queue's name. */
  readonly name: string;
  /** The BullMQ queue underneath, for anything not covered here. */
  readonly queue: Queue<WebhookJobData, WebhookJobResult>;
  /**
   * The receiver's handler: enqueues the event under `ctx.eventId` and
   * resolves once stored, so core answers 200 and completes the claim only
   * then. A failure (Redis away, or slower than `enqueueTimeoutMs`) rejects
   * with a {@link HandOffError}: the delivery is answered 503
   * `handler_unavailable` with `Retry-After` (core's answer to a
   * `ServiceUnavailableError`), the claim is released, and the vendor's retry
   * enqueues again (a no-op if the slow add did land after all: same job id).
   *
   * @example
   * ```ts
   * const queue = createWebhookQueue({ connection: connectionFromUrl(process.env.REDIS_URL!) });
   * app.post("/webhook", fineguideWebhook({ secret, dedupe: redisStore({ client }), onAny: queue.handOff }));
   * ```
   */
  readonly handOff: HandOff;
  /**
   * Enqueues `event` as the job `eventId` (a no-op when that job exists).
   * Resolves once Redis stored it; rejects with a {@link HandOffError}.
   *
   * @example
   * ```ts
   * await queue.enqueue(event, { eventId: ctx.eventId });
   * ```
   */
  enqueue(
    event: AnyEvent,
    options: {
      readonly eventId: string;
      readonly receivedAt?: number;
      readonly timeoutMs?: number;
    },
  ): Promise<void>;
  /**
   * Job counts by state.
   *
   * @example
   * ```ts
   * const { waiting, failed } = await queue.status();
   * ```
   */
  status(): Promise<QueueStatus>;
  /**
   * The failed jobs (dead letters), newest first.
   *
   * @example
   * ```ts
   * for (const job of await queue.failed({ limit: 10 })) console.log(job.id, job.type, job.failedReason);
   * ```
   */
  failed(options?: FailedListOptions): Promise<FailedWebhookJob[]>;
  /**
   * Moves one failed job back to the queue with its attempts reset, so a
   * worker runs it again (after you fixed the handler or the downstream).
   * Resolves `false` when there is no such job or it is not failed.
   *
   * @example
   * ```ts
   * await queue.replay("Y2xhaW0tMTIz...");
   * ```
   */
  replay(jobId: string): Promise<boolean>;
  /**
   * Replays every job failed at the time of the call; resolves with how many.
   *
   * @example
   * ```ts
   * const replayed = await queue.replayAll();
   * ```
   */
  replayAll(): Promise<number>;
  /** Resolves once connected to Redis. */
  ready(): Promise<void>;
  /** Closes the queue's connection. */
  close(): Promise<void>;
}

/**
 * Why a hand-off failed: Redis could not be reached, refused the job, or was
 * slower than `enqueueTimeoutMs`. A core `ServiceUnavailableError`: the
 * delivery is answered 503 `handler_unavailable` (not stored, come back
 * later), its claim is released, and the vendor retries.
 *
 * @example
 * ```ts
 * webhooks.onError((error) => {
 *   if (error instanceof HandOffError) metrics.count("webhook.handoff_failed");
 * });
 * ```
 */
export class HandOffError extends ServiceUnavailableError {
  override name = "HandOffError";
}

const PAGE = 100;
const SECOND = 1000;

/**
 * A queue of webhook events on BullMQ: `handOff` for the receiver (validated,
 * authenticated and deduplicated as always, then stored as a job whose id is
 * the event's `eventId`), and the dead-letter tools (`status`, `failed`,
 * `replay`, `replayAll`). Process the jobs with {@link createWorker}.
 *
 * @example
 * ```ts
 * import { createWebhookQueue, connectionFromUrl } from "@fineguide-webhooks/bullmq";
 * import { fineguideWebhook } from "@fineguide-webhooks/express";
 * import { redisStore } from "@fineguide-webhooks/redis";
 *
 * const queue = createWebhookQueue({ connection: connectionFromUrl(process.env.REDIS_URL!) });
 * app.post(
 *   "/webhook",
 *   fineguideWebhook({ secret, dedupe: redisStore({ client }), onAny: queue.handOff }),
 * );
 * ```
 */
export function createWebhookQueue(options: WebhookQueueOptions): WebhookQueue {
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? 5_000;
  const keepCompletedMs = options.keepCompletedMs ?? 60 * 60_000;
  if (!(Number.isFinite(enqueueTimeoutMs) && enqueueTimeoutMs > 0)) {
    throw new RangeError("createWebhookQueue: `enqueueTimeoutMs` must be a positive number.");
  }
  if (!(Number.isFinite(keepCompletedMs) && keepCompletedMs >= 0)) {
    throw new RangeError("createWebhookQueue: `keepCompletedMs` must be 0 or more.");
  }
  let closed = false;
  const queue = new Queue<WebhookJobData, WebhookJobResult>(name, {
    connection: producerConnection(options.connection, () => closed),
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  // BullMQ emits connection errors; the failing add() reports them where it matters.
  queue.on("error", () => {});
  const jobOptions = {
    attempts: JOB_ATTEMPTS,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: Math.ceil(keepCompletedMs / SECOND) },
    removeOnFail: false,
  } as const;

  const enqueue: WebhookQueue["enqueue"] = async (event, { eventId, receivedAt, timeoutMs }) => {
    const limit = Math.max(1, timeoutMs ?? enqueueTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HandOffError(
              `the job was not stored within ${limit} ms (Redis slow or away); answering 5xx so the event is retried`,
            ),
          ),
        limit,
      );
    });
    try {
      await Promise.race([
        queue.add(
          event.type,
          { event, receivedAt: receivedAt ?? Date.now() },
          { ...jobOptions, jobId: eventId },
        ),
        timeout,
      ]);
    } catch (error) {
      if (error instanceof HandOffError) throw error;
      throw new HandOffError(
        `the job could not be stored (${error instanceof Error ? error.message : String(error)}); answering 5xx so the event is retried`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  };

  const replayJob = async (job: Job<WebhookJobData, WebhookJobResult> | undefined) => {
    if (!job) return false;
    if ((await job.getState()) !== "failed") return false;
    try {
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (error) {
      // Moved meanwhile (replayed by someone else, removed): not ours to replay.
      if ((await job.getState()) !== "failed") return false;
      throw error;
    }
  };

  return {
    name,
    queue,
    handOff: (event, ctx) =>
      enqueue(event, {
        eventId: ctx.eventId,
        receivedAt: ctx.receivedAt.getTime(),
        timeoutMs: Math.min(enqueueTimeoutMs, ctx.timeLeft()),
      }),
    enqueue,
    async status() {
      const [counts, paused] = await Promise.all([
        queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "completed"),
        queue.isPaused(),
      ]);
      const count = (state: string) => counts[state] ?? 0;
      return {
        waiting: count("waiting"),
        active: count("active"),
        delayed: count("delayed"),
        prioritized: count("prioritized"),
        failed: count("failed"),
        completed: count("completed"),
        paused,
      };
    },
    async failed({ offset = 0, limit = 50 } = {}) {
      if (limit <= 0) return [];
      const jobs = await queue.getFailed(offset, offset + limit - 1);
      return jobs.filter(Boolean).map((job) => {
        const data: unknown = job.data;
        const receivedAt =
          data !== null && typeof data === "object" && "receivedAt" in data
            ? Number((data as WebhookJobData).receivedAt)
            : undefined;
        return {
          id: String(job.id),
          type: job.name,
          attemptsMade: job.attemptsMade,
          failedReason: job.failedReason ?? "",
          stacktrace: job.stacktrace ?? [],
          failedAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
          receivedAt: receivedAt === undefined ? undefined : new Date(receivedAt),
          event: eventOf(data),
        };
      });
    },
    replay: async (jobId) => replayJob(await queue.getJob(jobId)),
    async replayAll() {
      // Ids first, then replays: a job failing again while this runs is not replayed twice.
      const ids: string[] = [];
      for (let start = 0; ; start += PAGE) {
        const page = await queue.getFailed(start, start + PAGE - 1);
        for (const job of page) if (job?.id !== undefined) ids.push(job.id);
        if (page.length < PAGE) break;
      }
      let replayed = 0;
      for (const id of new Set(ids)) if (await replayJob(await queue.getJob(id))) replayed++;
      return replayed;
    },
    ready: () => queue.waitUntilReady().then(() => undefined),
    close: () => {
      closed = true;
      return queue.close();
    },
  };
}
