import type { AnyEvent, Outcome } from "@fineguide-webhooks/core";

/** The queue's name when none is given. */
export const DEFAULT_QUEUE_NAME = "fineguide-webhooks";

/**
 * The backoff type jobs are added with: the worker's `backoff` option
 * computes the delay (BullMQ's custom backoff strategy), so retry policy is
 * the worker's, changeable without touching jobs already queued.
 */
export const BACKOFF_TYPE = "fineguide-webhooks";

/**
 * The `attempts` jobs are added with: an upper bound only. The worker's
 * `attempts` option decides when a job has failed for good.
 */
export const JOB_ATTEMPTS = 1_000_000;

/** What a hand-off job carries. */
export interface WebhookJobData {
  /** The event as validated by the receiver (unknown fields kept). */
  readonly event: AnyEvent;
  /** When the delivery that enqueued it arrived (epoch ms). */
  readonly receivedAt: number;
}

/** What a completed job returns (BullMQ keeps it as the job's `returnvalue`). */
export interface WebhookJobResult {
  /** `processed`, `unknown_type`, or `duplicate` (a worker with a dedupe store saw it done). */
  readonly outcome: Outcome;
}

/**
 * The event in a job's data: ours (`{ event, receivedAt }`), or the data
 * itself for a job someone added with the bare event.
 */
export function eventOf(data: unknown): unknown {
  if (data !== null && typeof data === "object" && "event" in data && "receivedAt" in data) {
    return (data as WebhookJobData).event;
  }
  return data;
}
