import { RetryAfter } from "@fineguide-webhooks/bullmq";
import type { SlackMessage } from "./slackMessages.js";

/** Options of {@link postToSlack}. */
export interface PostToSlackOptions {
  /** Fires when the worker shuts down or the run's deadline passes (`ctx.signal`). */
  readonly signal: AbortSignal;
  /** Give up on an answer after this long (a Slack that hangs). Default 10 s. */
  readonly timeoutMs?: number;
  /** When a 429 has no readable `Retry-After`. Default 30 s. */
  readonly fallbackRetryMs?: number;
}

/**
 * Posts a message to a Slack incoming webhook. Resolves on 200; a 429 throws
 * `RetryAfter` with Slack's `Retry-After` (the job waits that long without
 * using an attempt); anything else, or no answer within `timeoutMs`, throws
 * an `Error` (retried with the worker's backoff).
 *
 * @example
 * ```ts
 * await postToSlack(process.env.SLACK_WEBHOOK_URL!, ticketMessage(ticket), { signal: ctx.signal });
 * ```
 */
export async function postToSlack(
  url: string,
  message: SlackMessage,
  { signal, timeoutMs = 10_000, fallbackRetryMs = 30_000 }: PostToSlackOptions,
): Promise<void> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.any([signal, timeout]),
    });
    const body = await res.text();
    if (res.status === 429) {
      throw RetryAfter.fromHeader(res.headers.get("retry-after"), fallbackRetryMs);
    }
    if (!res.ok) throw new Error(`Slack answered ${res.status} ${body.slice(0, 100)}`);
  } finally {
    // Held until the answer is read: Node collects a timeout signal that only AbortSignal.any()
    // refers to, and then it never fires, leaving a hung request hung (nodejs/node#57736).
    void timeout.aborted;
  }
}
