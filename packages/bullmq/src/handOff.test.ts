import { createWebhooks, memoryStore } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../redis/src/test/redisServer.js";
import { connectionFromUrl } from "./connection.js";
import { createWebhookQueue, HandOffError, type WebhookQueue } from "./createWebhookQueue.js";
import { codeOf, post, SECRET, uniqueQueueName } from "./test/harness.js";

const available = redisServerAvailable("@fineguide-webhooks/bullmq hand-off tests");

describe.skipIf(!available)("the hand-off (receiver side)", () => {
  let server: RedisServer;
  const queues: WebhookQueue[] = [];
  const open = (label: string, options: { enqueueTimeoutMs?: number } = {}) => {
    const queue = createWebhookQueue({
      connection: connectionFromUrl(server.url),
      queueName: uniqueQueueName(label),
      ...options,
    });
    queues.push(queue);
    return queue;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close().catch(() => {})));
    await server?.stop();
  });

  it("stores a delivery as the job ctx.eventId before answering 200; the duplicate is answered without a second job", async () => {
    const queue = open("handoff");
    await queue.ready();
    let eventId = "";
    const webhooks = createWebhooks({
      secret: SECRET,
      onAny: queue.handOff,
      onOutcome: (info) => {
        eventId = info.eventId ?? eventId;
      },
    });
    const ticket = createEvent("TICKET", { customerName: "Ada <!channel>" });
    const started = performance.now();
    const first = await webhooks.receive(post(ticket));
    const tookMs = performance.now() - started;
    expect(codeOf(first)).toBe("processed");
    expect(tookMs).toBeLessThan(1_000); // milliseconds in practice; generous for a loaded machine
    expect(eventId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const job = await queue.queue.getJob(eventId);
    expect(job?.name).toBe("TICKET");
    expect(job?.data.event).toEqual(ticket);
    expect(typeof job?.data.receivedAt).toBe("number");

    expect(codeOf(await webhooks.receive(post(ticket)))).toBe("duplicate");
    expect(await queue.queue.getJobCountByTypes("waiting", "active", "delayed", "completed")).toBe(
      1,
    );
  });

  it("a second enqueue of the same eventId (a retry after a lost answer, another instance) is a no-op", async () => {
    const queue = open("noop");
    const lead = createEvent("CREATE_LEAD");
    // Two receivers without a shared dedupe store: each hands the event off.
    const a = createWebhooks({ secret: SECRET, dedupe: memoryStore(), onAny: queue.handOff });
    const b = createWebhooks({ secret: SECRET, dedupe: false, onAny: queue.handOff });
    const answers = await Promise.all([a, b, b].map((w) => w.receive(post(lead))));
    expect(answers.map(codeOf)).toEqual(["processed", "processed", "processed"]);
    expect(codeOf(await a.receive(post(lead)))).toBe("duplicate");
    const jobs = await queue.queue.getJobs(["waiting", "active", "delayed", "completed"]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data.event).toEqual(lead);
  });

  it("Redis unreachable: the delivery is answered 503 (never 2xx), with a HandOffError", async () => {
    const down = await startRedisServer();
    const queue = createWebhookQueue({
      connection: connectionFromUrl(down.url),
      queueName: uniqueQueueName("down"),
      enqueueTimeoutMs: 500,
    });
    try {
      await queue.ready();
      await down.stop("SIGKILL");
      const errors: unknown[] = [];
      const webhooks = createWebhooks({
        secret: SECRET,
        onAny: queue.handOff,
        onError: (error) => {
          errors.push(error);
        },
      });
      const started = Date.now();
      const res = await webhooks.receive(post(createEvent("TICKET")));
      expect(res.status).toBe(503); // not stored, come back later (issue 11)
      expect(res.headers["retry-after"]).toBe("60");
      expect(codeOf(res)).toBe("handler_unavailable");
      expect(Date.now() - started).toBeLessThan(2_000); // no offline queue: fails fast
      expect(errors[0]).toBeInstanceOf(HandOffError);
    } finally {
      await queue.close().catch(() => {});
      await down.stop();
    }
  });

  it("never waits past the delivery's deadline: a hung Redis is a 5xx before the vendor's timeout", async () => {
    const hung = await startRedisServer();
    const queue = createWebhookQueue({
      connection: connectionFromUrl(hung.url),
      queueName: uniqueQueueName("hung"),
    });
    try {
      await queue.ready();
      process.kill(hung.pid, "SIGSTOP");
      const webhooks = createWebhooks({
        secret: SECRET,
        deadlineMs: 400,
        leaseMs: 1_000,
        onAny: queue.handOff,
      });
      const started = Date.now();
      const res = await webhooks.receive(post(createEvent("TICKET")));
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      process.kill(hung.pid, "SIGCONT");
      await queue.close().catch(() => {});
      await hung.stop();
    }
  });
});
