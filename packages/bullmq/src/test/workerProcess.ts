/**
 * A worker in its own process. Environment: REDIS_URL, QUEUE, PREFIX, and
 * optionally LOCK_MS / STALLED_MS (BullMQ's lockDuration / stalledInterval).
 * Every run INCRs `<PREFIX>runs:<eventId>`; a run that completes INCRs
 * `<PREFIX>effects:<eventId>` (the side effect, keyed by eventId). The first
 * attempt of events whose messageId ends in "1" fails (retried with backoff).
 * A MESSAGE saying "slow" SETs `<PREFIX>started:<eventId>` and then waits a
 * minute (to be killed mid-job). Sends `{ pid }` over IPC once connected.
 */

import { connectionFromUrl } from "../connection.js";
import { createWorker } from "../createWorker.js";
import { counterClient } from "./redisClient.js";

const url = process.env.REDIS_URL!;
const prefix = process.env.PREFIX!;
const redis = await counterClient(url);
const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

const field = (event: object, name: string) =>
  String((event as Record<string, unknown>)[name] ?? "");

const worker = createWorker({
  connection: connectionFromUrl(url),
  queueName: process.env.QUEUE!,
  concurrency: 8,
  backoff: 20,
  lockDurationMs: number("LOCK_MS"),
  stalledIntervalMs: number("STALLED_MS"),
  onAny: async (event, ctx) => {
    await redis.incr(`${prefix}runs:${ctx.eventId}`);
    if (field(event, "messageId").endsWith("1") && ctx.attempt === 1) {
      throw new Error("the first attempt fails");
    }
    if (field(event, "message") === "slow") {
      await redis.set(`${prefix}started:${ctx.eventId}`, String(process.pid));
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }
    await redis.incr(`${prefix}effects:${ctx.eventId}`);
  },
});
await worker.ready();

const shutdown = () => {
  void worker
    .close({ timeoutMs: 1_000 })
    .then(() => redis.quit())
    .then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("disconnect", shutdown);
process.send?.({ pid: process.pid });
