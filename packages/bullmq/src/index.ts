/**
 * @fineguide-webhooks/bullmq: durable hand-off for FineGuide webhooks on
 * BullMQ. The receiver validates, authenticates and deduplicates each
 * delivery as always, stores it as a job whose id is the event's `eventId`
 * and answers 200 in milliseconds; workers run the same typed handlers with
 * retries, backoff, rate limits and `RetryAfter`; failed jobs stay as dead
 * letters to list and replay.
 */
export { type Backoff, DEFAULT_BACKOFF } from "./backoff.js";
export { connectionFromUrl } from "./connection.js";
export {
  createWebhookQueue,
  type FailedListOptions,
  type FailedWebhookJob,
  type HandOff,
  type HandOffContext,
  HandOffError,
  type QueueStatus,
  type WebhookQueue,
  type WebhookQueueOptions,
} from "./createWebhookQueue.js";
export {
  createWorker,
  type WebhookWorker,
  type WorkerCloseOptions,
  type WorkerHandlerOptions,
  type WorkerOptions,
} from "./createWorker.js";
export { DEFAULT_QUEUE_NAME, type WebhookJobData, type WebhookJobResult } from "./jobs.js";
export { parseRetryAfter, RetryAfter } from "./RetryAfter.js";
