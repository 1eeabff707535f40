import { randomUUID } from "node:crypto";
import { createWebhooks } from "@fineguide-webhooks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ioredisClient, type TestClient } from "../../redis/src/test/clients.js";
import { mapLimit, messageEvent } from "../../redis/src/test/events.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../redis/src/test/redisServer.js";
import { connectionFromUrl } from "./connection.js";
import { createWebhookQueue, type WebhookQueue } from "./createWebhookQueue.js";
import { createWorker } from "./createWorker.js";
import { type Child, startChild } from "./test/children.js";
import {
  codeOf,
  post,
  postDelivery,
  SECRET,
  sleep,
  uniqueQueueName,
  waitFor,
} from "./test/harness.js";

const available = redisServerAvailable("@fineguide-webhooks/bullmq multi-process tests");

const RECEIVER = new URL("./test/receiverProcess.ts", import.meta.url);
const WORKER = new URL("./test/workerProcess.ts", import.meta.url);

type Event = ReturnType<typeof messageEvent>;

describe.skipIf(!available)("receivers and workers in their own processes, one Redis", () => {
  let server: RedisServer;
  let redis: TestClient;
  const children: Child<unknown>[] = [];
  const queues: WebhookQueue[] = [];
  // Test 1: two receivers and two workers on one queue. Test 2: a worker to kill, on another.
  const pair = { QUEUE: uniqueQueueName("two-by-two"), PREFIX: `pp:${randomUUID()}:` };
  const killed = { QUEUE: uniqueQueueName("killed"), PREFIX: `pk:${randomUUID()}:` };
  let receivers: Child<{ port: number }>[] = [];
  let doomed: Child<{ pid: number }>;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await ioredisClient(server.url);
    // Started together: on a loaded machine, starting a child (tsx) takes seconds.
    const started = await Promise.all([
      start<{ port: number }>(RECEIVER, pair),
      start<{ port: number }>(RECEIVER, pair),
      start(WORKER, pair),
      start(WORKER, pair),
      start<{ pid: number }>(WORKER, { ...killed, LOCK_MS: "1000", STALLED_MS: "300" }),
    ]);
    receivers = [started[0], started[1]];
    doomed = started[4];
  }, 120_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await Promise.all(queues.map((q) => q.close()));
    await redis?.close();
    await server?.stop();
  });

  const open = (queueName: string) => {
    const queue = createWebhookQueue({ connection: connectionFromUrl(server.url), queueName });
    queues.push(queue);
    return queue;
  };
  const start = async <M>(module: URL, env: Record<string, string>) => {
    const child = await startChild<M>(module, { REDIS_URL: server.url, SECRET, ...env });
    children.push(child as Child<unknown>);
    return child;
  };
  const counts = async (prefix: string, what: string, ids: readonly string[]) =>
    (
      (await redis.command(["MGET", ...ids.map((id) => `${prefix}${what}:${id}`)])) as (
        | string
        | null
      )[]
    ).map(Number);

  it("1,000 events, each delivered twice at once to two receivers, plus the vendor's retries: each enqueued once, each handler effect once", async () => {
    const { PREFIX: prefix } = pair;
    const urls = receivers.map((r) => `http://127.0.0.1:${r.ready.port}/webhook`);
    const queue = open(pair.QUEUE);

    const events = Array.from({ length: 1_000 }, () => messageEvent());
    const statuses: Record<string, number> = {};
    /** Delivers like the vendor: again after a pause until a 2xx (a faster schedule than 1/5/15 min). */
    const deliver = async ([event, url]: [Event, string]) => {
      const body = JSON.stringify(event);
      for (let attempt = 0; attempt < 1_000; attempt++) {
        // A kept-alive connection the server just closed: no answer, so the vendor retries.
        const res = await postDelivery(url, body).catch(() => undefined);
        const code = res ? codeOf(res) : "no_answer";
        statuses[code] = (statuses[code] ?? 0) + 1;
        if (res && res.status < 300) return code;
        await sleep(10 + Math.random() * 30);
      }
      throw new Error(
        `never got a 2xx for ${event.messageId}; answers so far: ${JSON.stringify(statuses)}`,
      );
    };
    // Both deliveries of an event side by side (to different receivers), so they overlap.
    const deliveries = events.flatMap((event, i): [Event, string][] => [
      [event, urls[i % 2]!],
      [event, urls[(i + 1) % 2]!],
    ]);
    const started = Date.now();
    const outcomes = await mapLimit(deliveries, 64, deliver);
    const answeredMs = Date.now() - started;
    await waitFor(
      "every job completed",
      async () => (await queue.status()).completed >= 1_000,
      60_000,
    );
    const processedMs = Date.now() - started;

    const jobs = await queue.queue.getJobs(["completed"], 0, -1);
    const ids = jobs.map((job) => String(job.id));
    const messageIds = jobs.map((job) => (job.data.event as Event).messageId).sort();
    expect(messageIds).toEqual(events.map((e) => e.messageId).sort()); // one job per event
    expect(await queue.status()).toMatchObject({
      completed: 1_000,
      failed: 0,
      waiting: 0,
      delayed: 0,
      active: 0,
    });

    const effects = await counts(prefix, "effects", ids);
    expect(effects.filter((n) => n !== 1)).toEqual([]); // each handler effect once
    const runs = await counts(prefix, "runs", ids);
    const failingFirst = jobs.filter((job) => (job.data.event as Event).messageId.endsWith("1"));
    expect(runs.reduce((x, y) => x + y, 0)).toBe(1_000 + failingFirst.length); // retried once each
    const handoffs = await counts(prefix, "handoffs", ids);
    const lostAnswers = events.filter((e) => e.messageId.endsWith("0")).length;
    // Events whose first answer was lost were handed off twice, and still make one job.
    expect(handoffs.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1_000 + lostAnswers);
    // Each event: one delivery processed it, the other saw it done (unless an answer was lost).
    const processed = outcomes.filter((o) => o === "processed").length;
    if (statuses.no_answer) expect(processed).toBeLessThanOrEqual(1_000);
    else expect(processed).toBe(1_000);
    // One 500 per lost answer (more only if an add itself timed out on a very loaded machine).
    expect(statuses.handler_failed).toBeGreaterThanOrEqual(lostAnswers);
    console.info(
      `2 receivers + 2 workers: 2,000 deliveries answered in ${answeredMs} ms, 1,000 jobs done after ${processedMs} ms; answers:`,
      statuses,
    );
  }, 120_000);

  it("a worker SIGKILLed mid-job: after the stall check another worker runs the job again and it completes", async () => {
    const { QUEUE: queueName, PREFIX: prefix } = killed;
    const queue = open(queueName);
    // Handed off by a receiver, so that the job id is the event's eventId.
    let id = "";
    const receiver = createWebhooks({
      secret: SECRET,
      onAny: queue.handOff,
      onOutcome: (info) => {
        id = info.eventId ?? "";
      },
    });
    // A messageId not ending in "1": the worker fails those on their first attempt.
    const slow = messageEvent("slow");
    const event = { ...slow, messageId: `${slow.messageId.slice(0, -1)}a` };
    expect((await receiver.receive(post(event))).status).toBe(200);
    await waitFor(
      "the doomed worker started the job",
      async () => (await redis.command(["GET", `${prefix}started:${id}`])) === String(doomed.pid),
    );
    await doomed.stop("SIGKILL");
    expect(await (await queue.queue.getJob(id))?.getState()).toBe("active");

    // The survivor, in this process: it finds the job stalled once the dead worker's lock expired.
    const reran: number[] = [];
    const survivor = createWorker({
      connection: connectionFromUrl(server.url),
      queueName,
      stalledIntervalMs: 300,
      onAny: async (_event, ctx) => {
        reran.push(ctx.attempt ?? -1);
        await redis.command(["INCR", `${prefix}effects:${ctx.eventId}`]);
      },
    });
    const killedAt = Date.now();
    try {
      await waitFor(
        "the job completed",
        async () => (await (await queue.queue.getJob(id))?.getState()) === "completed",
        15_000,
      );
      console.info(`killed mid-job: run again and completed ${Date.now() - killedAt} ms later`);
      expect(reran).toEqual([1]); // a stall does not count as a failed attempt
      expect(Number(await redis.command(["GET", `${prefix}runs:${id}`]))).toBeGreaterThanOrEqual(1); // the killed run
      expect(Number(await redis.command(["GET", `${prefix}effects:${id}`]))).toBe(1); // once, by the survivor
    } finally {
      await survivor.close();
    }
  }, 30_000);
});
