import {
  createWebhooks,
  type Logger,
  type OutcomeInfo,
  silentLogger,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import {
  type ConnectionOptions,
  DelayedError,
  type Job,
  type RateLimiterOptions,
  UnrecoverableError,
  Worker,
} from "bullmq";
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import {
  DEFAULT_QUEUE_NAME,
  eventOf,
  JOB_ATTEMPTS,
  type WebhookJobData,
  type WebhookJobResult,
} from "./jobs.js";
import { retryAfterIn } from "./RetryAfter.js";

/**
 * Handlers, hooks and the receiver options that matter without HTTP: the
 * same as `createWebhooks` takes (`onTicket`, `onAny`, `onError`,
 * `onOutcome`, `dedupeKeys`, `strict`, `logger`, ...), minus the secret and
 * body options. `dedupe` defaults to `false` here: the job id already
 * deduplicates enqueues, see the README ("at least once").
 */
export type WorkerHandlerOptions = Omit<
  WebhooksOptions,
  "secret" | "allowUnauthenticated" | "header" | "maxBodyBytes" | "deadlineMs"
>;

/** Options of {@link createWorker}. Durations are in milliseconds. */
export interface WorkerOptions extends WorkerHandlerOptions {
  /**
   * The Redis the queue lives in: ioredis options (e.g. from
   * `connectionFromUrl(process.env.REDIS_URL)`) or a client (BullMQ wants
   * `maxRetriesPerRequest: null` on a worker's client).
   */
  readonly connection: ConnectionOptions;
  /** Default `"fineguide-webhooks"`: the same as the receiver's queue. */
  readonly queueName?: string;
  /** BullMQ's key prefix (default `"bull"`): the same as the receiver's queue. */
  readonly prefix?: string;
  /**
   * A receiver to dispatch jobs to instead of handler options: e.g. one you
   * made with `createWebhooks({ allowUnauthenticated: true, dedupe: false, ... })`
   * and also use in tests. Give either this or handlers, not both.
   */
  readonly webhooks?: Webhooks;
  /** Jobs run at once by this worker. Default 1. */
  readonly concurrency?: number;
  /**
   * Runs of a job before it fails for good and stays in the failed set
   * (counting the first; a `RetryAfter` does not count). Default 20.
   */
  readonly attempts?: number;
  /** The wait after a failed run. Default exponential: 1 s, 2 s, ... up to 10 min, 20 % jitter. */
  readonly backoff?: Backoff;
  /**
   * BullMQ's rate limiter: at most `max` jobs started per `duration`
   * milliseconds, across every worker of the queue.
   */
  readonly limiter?: RateLimiterOptions;
  /**
   * How long one run's handlers may take: then `ctx.signal` fires and the run
   * counts as failed (retried with backoff). Default 60 s.
   */
  readonly deadlineMs?: number;
  /**
   * How many times one job may be put off by `RetryAfter` (or a claim held
   * elsewhere) before a further `RetryAfter` counts as an ordinary failure.
   * Default 25.
   */
  readonly maxRetryAfters?: number;
  /**
   * BullMQ's `lockDuration`: a job whose worker stopped renewing its lock (a
   * crash) is run again by another worker after this, at the next stall
   * check. Default 30 s.
   */
  readonly lockDurationMs?: number;
  /** BullMQ's `stalledInterval`: how often workers look for stalled jobs. Default 30 s. */
  readonly stalledIntervalMs?: number;
  /**
   * BullMQ's `maxStalledCount`: how often a job may stall (its worker died
   * mid-run) and still be run again; once more and it fails. Default 1.
   */
  readonly maxStalledCount?: number;
  /** Default for `close()`'s `timeoutMs`. Default 10 s. */
  readonly closeTimeoutMs?: number;
}

/** Options of {@link WebhookWorker.close}. */
export interface WorkerCloseOptions {
  /**
   * How long running jobs may finish. Then their `ctx.signal` fires
   * (`AbortError`); jobs whose handlers give up within a second go back to
   * the queue without using an attempt; any still running are left to
   * BullMQ's stall check, which runs them again elsewhere. Default the
   * worker's `closeTimeoutMs` (10 s).
   */
  readonly timeoutMs?: number;
}

/** A running worker. */
export interface WebhookWorker {
  /** The receiver jobs are dispatched to: add handlers with `onTicket(...)`, `on(type, ...)`. */
  readonly webhooks: Webhooks;
  /** The BullMQ worker underneath (events: `completed`, `failed`, `stalled`, ...). */
  readonly worker: Worker<WebhookJobData, WebhookJobResult>;
  /** Resolves once connected to Redis. */
  ready(): Promise<void>;
  /**
   * Stops taking jobs, waits for running ones up to `timeoutMs`, then closes
   * the connections. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => worker.close({ timeoutMs: 20_000 }).then(() => process.exit(0)));
   * ```
   */
  close(options?: WorkerCloseOptions): Promise<void>;
}

/** After the signal fired at shutdown, how long handlers get to give up. */
const ABORT_GRACE_MS = 1_000;
/** How long a job waits when its key's claim is held elsewhere (a worker with a dedupe store). */
const IN_PROGRESS_DELAY_MS = 1_000;

const HANDLER_KEYS: readonly (keyof WorkerHandlerOptions)[] = [
  "onMessage",
  "onSessionOpen",
  "onSessionClosed",
  "onTicket",
  "onCreateLead",
  "onRateMessage",
  "onMessageAudioUrl",
  "onVariableUpdate",
  "onAny",
  "onUnknown",
];

const positiveInteger = (name: string, value: number) => {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`createWorker: \`${name}\` must be a positive whole number.`);
  }
  return value;
};
const positiveMs = (name: string, value: number) => {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`createWorker: \`${name}\` must be a positive number of milliseconds.`);
  }
  return value;
};

const within = (promise: Promise<unknown>, ms: number) =>
  new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/** What a run's failure is, as an `Error` BullMQ can store. */
function failureOf(info: OutcomeInfo): Error {
  if (info.error instanceof Error) return info.error;
  if (info.error !== undefined) return new Error(String(info.error));
  return new Error(`${info.outcome} (status ${info.status})`);
}

const isUnrecoverable = (error: Error) =>
  error instanceof UnrecoverableError || error.name === "UnrecoverableError";

/** The same failure, as one BullMQ moves to the failed set at once. */
function final(error: Error): Error {
  if (isUnrecoverable(error)) return error;
  const out = new UnrecoverableError(error.message);
  if (error.stack) out.stack = error.stack;
  return out;
}

/**
 * A BullMQ worker running FineGuide events from the queue through the same
 * typed handlers as `createWebhooks` (`onTicket`, `on(type)`, `onAny`, ...),
 * via core's `dispatch()`: each job is validated again and handed to the
 * handlers with `ctx.eventId` (the job id), `ctx.attempt` (1 on the first
 * run), a `ctx.signal` that fires at `deadlineMs` or on shutdown, and
 * `ctx.logger`.
 *
 * A handler that throws is retried with `backoff` until `attempts` runs
 * failed; the job then stays in the failed set with its error (replay it with
 * `queue.replay()` or `fineguide-webhooks queue replay`). A handler that
 * throws `RetryAfter` puts the job off without using an attempt. BullMQ's
 * `UnrecoverableError` fails a job at once.
 *
 * Delivery to handlers is **at least once**: a worker killed mid-job leaves
 * the job to BullMQ's stall check, which runs it again. Key side effects by
 * `ctx.eventId`.
 *
 * @example
 * ```ts
 * import { createWorker, connectionFromUrl, RetryAfter } from "@fineguide-webhooks/bullmq";
 *
 * const worker = createWorker({
 *   connection: connectionFromUrl(process.env.REDIS_URL!),
 *   concurrency: 5,
 *   limiter: { max: 1, duration: 1_000 }, // Slack: about one message per second
 *   onTicket: async (ticket, ctx) => {
 *     // At least once: the same eventId may come twice; make the effect idempotent.
 *     await helpdesk.open({ idempotencyKey: ctx.eventId, email: ticket.customerEmail });
 *   },
 * });
 * process.on("SIGTERM", () => worker.close().then(() => process.exit(0)));
 * ```
 */
export function createWorker(options: WorkerOptions): WebhookWorker {
  const {
    connection,
    queueName = DEFAULT_QUEUE_NAME,
    prefix,
    webhooks: given,
    concurrency = 1,
    attempts = 20,
    backoff = DEFAULT_BACKOFF,
    limiter,
    deadlineMs = 60_000,
    maxRetryAfters = 25,
    lockDurationMs,
    stalledIntervalMs,
    maxStalledCount,
    closeTimeoutMs = 10_000,
    ...receiverOptions
  } = options;
  positiveInteger("concurrency", concurrency);
  positiveInteger("attempts", attempts);
  positiveMs("deadlineMs", deadlineMs);
  if (!(Number.isInteger(maxRetryAfters) && maxRetryAfters >= 0)) {
    throw new RangeError("createWorker: `maxRetryAfters` must be a whole number, 0 or more.");
  }
  const delayFor = backoffDelay(backoff);
  if (given && HANDLER_KEYS.some((key) => receiverOptions[key] !== undefined)) {
    throw new TypeError(
      "createWorker: give either `webhooks` or handler options (onTicket, onAny, ...), not both.",
    );
  }
  const logger: Logger = receiverOptions.logger ?? silentLogger;
  const log = (level: "info" | "warn" | "error", fields: Record<string, unknown>, msg: string) => {
    try {
      logger[level](fields, msg);
    } catch {}
  };
  const webhooks =
    given ?? createWebhooks({ dedupe: false, ...receiverOptions, allowUnauthenticated: true });
  const maxRuns = Math.min(attempts, JOB_ATTEMPTS);

  /** Shutdown: `closing` stops new runs, `stop` fires `ctx.signal` once the grace period ends. */
  let closing: Promise<void> | undefined;
  let stopping = false;
  const stop = new AbortController();
  const active = new Set<Promise<unknown>>();

  /** Puts the job off for `delayMs` without using an attempt. */
  const putOff = async (
    job: Job<WebhookJobData, WebhookJobResult>,
    token: string | undefined,
    delayMs: number,
  ) => {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  };

  const settle = async (
    info: OutcomeInfo,
    job: Job<WebhookJobData, WebhookJobResult>,
    token: string | undefined,
  ): Promise<WebhookJobResult> => {
    if (info.status < 300) return { outcome: info.outcome };
    const fields = { jobId: job.id, type: info.type, outcome: info.outcome };
    // Closing: a run that gave up because of the shutdown is not the job's failure.
    if (stopping || info.outcome === "shutting_down") {
      log("info", fields, "fineguide-webhooks: worker closing; job goes back to the queue");
      return putOff(job, token, 0);
    }
    const error = failureOf(info);
    const putOffs = Math.max(0, (job.attemptsStarted ?? 0) - job.attemptsMade - 1);
    const later =
      info.outcome === "in_progress"
        ? IN_PROGRESS_DELAY_MS
        : info.outcome === "handler_failed"
          ? retryAfterIn(info.error)?.delayMs
          : undefined;
    if (later !== undefined && putOffs < maxRetryAfters) {
      log("info", { ...fields, delayMs: later }, "fineguide-webhooks: job put off (retry after)");
      return putOff(job, token, later);
    }
    if (info.status >= 400 && info.status < 500) {
      // The worker's receiver rejects the payload (e.g. `strict` here, not on the receiver): no retry helps.
      const where = (info.issues ?? []).map((issue) => issue.path.join(".") || "(root)").join(", ");
      throw new UnrecoverableError(`${info.outcome}${where ? `: ${where}` : ""}`);
    }
    if (isUnrecoverable(error) || job.attemptsMade + 1 >= maxRuns) throw final(error);
    throw error;
  };

  const processor = async (
    job: Job<WebhookJobData, WebhookJobResult>,
    token?: string,
  ): Promise<WebhookJobResult> => {
    if (closing) return putOff(job, token, 0); // fetched as the worker paused
    const run = webhooks
      .dispatch(eventOf(job.data), {
        attempt: job.attemptsMade + 1,
        // The job id is the receiver's ctx.eventId (per version of a latest key).
        ...(job.id === undefined ? {} : { eventId: job.id }),
        signal: stop.signal,
        deadlineMs,
      })
      .then((info) => settle(info, job, token));
    active.add(run);
    try {
      return await run;
    } finally {
      active.delete(run);
    }
  };

  const worker = new Worker<WebhookJobData, WebhookJobResult>(queueName, processor, {
    connection,
    concurrency,
    ...(prefix === undefined ? {} : { prefix }),
    ...(limiter === undefined ? {} : { limiter }),
    ...(lockDurationMs === undefined ? {} : { lockDuration: lockDurationMs }),
    ...(stalledIntervalMs === undefined ? {} : { stalledInterval: stalledIntervalMs }),
    ...(maxStalledCount === undefined ? {} : { maxStalledCount }),
    settings: { backoffStrategy: (attemptsMade: number) => delayFor(attemptsMade) },
  });
  worker.on("error", (err) => log("warn", { err }, "fineguide-webhooks: worker error"));
  worker.on("failed", (job, err) => {
    if (!job) return;
    const fields = { err, jobId: job.id, type: job.name, attemptsMade: job.attemptsMade };
    if (isUnrecoverable(err) || job.attemptsMade >= maxRuns) {
      log("error", fields, "fineguide-webhooks: job failed for good; it stays in the failed set");
    } else log("warn", fields, "fineguide-webhooks: job failed; retrying after backoff");
  });

  return {
    webhooks,
    worker,
    ready: () => worker.waitUntilReady(),
    close({ timeoutMs = closeTimeoutMs } = {}) {
      if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
        return Promise.reject(new RangeError("close(): `timeoutMs` must be 0 or more."));
      }
      closing ??= (async () => {
        await worker.pause(true).catch(() => {}); // no new jobs; running ones go on
        if (!(await within(Promise.allSettled([...active]), timeoutMs))) {
          stopping = true;
          stop.abort(new DOMException("The webhook worker is shutting down.", "AbortError"));
          await within(Promise.allSettled([...active]), Math.min(ABORT_GRACE_MS, timeoutMs));
        }
        const stuck = active.size;
        if (stuck > 0) {
          log(
            "warn",
            { jobs: stuck },
            "fineguide-webhooks: handlers still running at close; BullMQ's stall check will run their jobs again",
          );
        }
        await worker.close(stuck > 0);
        if (!given) await webhooks.close({ timeoutMs: 0 });
      })();
      return closing;
    },
  };
}
