import { randomUUID } from "node:crypto";
import { createWebhooks } from "@fineguide-webhooks/core";
import { afterAll, describe, expect, it } from "vitest";
import { redisStore } from "../../redis/src/redisStore.js";
import { ioredisClient, type TestClient } from "../../redis/src/test/clients.js";
import { BOT_ID, mapLimit, messageEvent } from "../../redis/src/test/events.js";
import { redisServerAvailable } from "../../redis/src/test/redisServer.js";
import { connectionFromUrl } from "./connection.js";
import { createWebhookQueue, type WebhookQueue } from "./createWebhookQueue.js";
import { createWorker, type WebhookWorker } from "./createWorker.js";
import { codeOf, post, SECRET, sleep, uniqueQueueName, waitFor } from "./test/harness.js";
import { type PersistentRedis, startPersistentRedis } from "./test/persistentRedis.js";

const available = redisServerAvailable("@fineguide-webhooks/bullmq Redis-down test");

type Event = ReturnType<typeof messageEvent>;

describe.skipIf(!available)("Redis stopped during deliveries", () => {
  let redis: PersistentRedis | undefined;
  let client: TestClient | undefined;
  let queue: WebhookQueue | undefined;
  let worker: WebhookWorker | undefined;

  afterAll(async () => {
    await worker?.close({ timeoutMs: 0 });
    await queue?.close();
    await client?.close();
    await redis?.stop();
  });

  it("answers 5xx while Redis is away and 2xx only for stored jobs; after the restart the vendor's retries go through and every event runs once", async () => {
    redis = await startPersistentRedis();
    client = await ioredisClient(redis.url);
    const queueName = uniqueQueueName("down");
    const connection = connectionFromUrl(redis.url);
    queue = createWebhookQueue({ connection, queueName, enqueueTimeoutMs: 1_000 });
    await queue.ready();
    const eventIds = new Map<string, string>();
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: redisStore({
        client: client.client,
        prefix: `down:${randomUUID()}:`,
        timeoutMs: 500,
      }),
      // Short, so that claims left "in progress" by the crash lapse within the test.
      deadlineMs: 1_500,
      leaseMs: 2_000,
      onAny: queue.handOff,
      onOutcome: (info) => {
        if (info.dedupeKey && info.eventId) eventIds.set(info.dedupeKey, info.eventId);
      },
    });
    const idOf = (event: Event) => eventIds.get(`${BOT_ID}:MESSAGE:${event.messageId}`)!;
    const events = Array.from({ length: 300 }, () => messageEvent());
    const acked = new Set<Event>();
    const statuses: Record<string, number> = {};
    const deliver = async (event: Event) => {
      const res = await webhooks.receive(post(event));
      const code = codeOf(res);
      statuses[`${res.status} ${code}`] = (statuses[`${res.status} ${code}`] ?? 0) + 1;
      if (res.status < 300) acked.add(event);
      return res.status;
    };

    // 1. Redis crashes (SIGKILL) while deliveries are in flight.
    let crash: Promise<void> | undefined;
    await mapLimit(events.slice(0, 200), 10, async (event, i) => {
      if (i === 100) crash = redis!.crash();
      return deliver(event);
    });
    await crash;
    // 2. While it is down, every delivery is a 5xx.
    const whileDown = await mapLimit(events.slice(200), 10, deliver);
    expect(whileDown.filter((status) => status < 500)).toEqual([]);
    expect(acked.size).toBeGreaterThan(0);
    expect(acked.size).toBeLessThan(events.length);

    // 3. Back up (from its append-only file): every event answered 2xx has its job.
    await redis.restart();
    await client.ready();
    for (const event of acked) {
      const job = await waitFor("the queue reconnected", () =>
        queue!.queue.getJob(idOf(event)).catch(() => undefined),
      );
      expect(job.data.event).toEqual(event);
    }

    // 4. The vendor retries every event it got no 2xx for, until it does.
    const retried = events.filter((event) => !acked.has(event));
    await mapLimit(retried, 10, async (event) => {
      for (let attempt = 0; attempt < 200 && !acked.has(event); attempt++) {
        if ((await deliver(event)) >= 300) await sleep(50);
      }
      expect(acked.has(event)).toBe(true);
    });

    // 5. A worker runs every event once.
    const runs = new Map<string, number>();
    worker = createWorker({
      connection,
      queueName,
      concurrency: 10,
      onAny: (_event, ctx) => void runs.set(ctx.eventId, (runs.get(ctx.eventId) ?? 0) + 1),
    });
    await waitFor(
      "every job completed",
      async () => (await queue!.status()).completed === 300,
      20_000,
    );
    expect(events.map((event) => runs.get(idOf(event)))).toEqual(events.map(() => 1));
    console.info(
      `Redis crashed mid-run: ${retried.length} of 300 events retried; answers:`,
      statuses,
    );
  }, 60_000);
});
