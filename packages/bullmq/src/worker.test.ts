import { createWebhooks, type WebhookContext } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../redis/src/test/redisServer.js";
import { connectionFromUrl } from "./connection.js";
import { createWebhookQueue, type WebhookQueue } from "./createWebhookQueue.js";
import { createWorker, type WebhookWorker, type WorkerOptions } from "./createWorker.js";
import { RetryAfter } from "./RetryAfter.js";
import { sleep, uniqueQueueName, waitFor } from "./test/harness.js";

const available = redisServerAvailable("@fineguide-webhooks/bullmq worker tests");

describe.skipIf(!available)("the worker", () => {
  let server: RedisServer;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await server?.stop();
  });

  /** A queue and a way to start workers on it, all closed after the file. */
  function setup(label: string) {
    const queueName = uniqueQueueName(label);
    const connection = connectionFromUrl(server.url);
    const queue: WebhookQueue = createWebhookQueue({ connection, queueName });
    closers.push(() => queue.close());
    const start = (options: Omit<WorkerOptions, "connection" | "queueName">): WebhookWorker => {
      const worker = createWorker({ connection, queueName, backoff: 10, ...options });
      closers.push(() => worker.close({ timeoutMs: 0 }));
      return worker;
    };
    const enqueue = async (event: Parameters<WebhookQueue["enqueue"]>[0], eventId: string) => {
      await queue.enqueue(event, { eventId });
      return eventId;
    };
    const stateOf = async (id: string) => (await queue.queue.getJob(id))?.getState();
    return { queue, start, enqueue, stateOf };
  }

  it("runs the typed handlers (onTicket, on(type), onAny) with ctx.eventId, ctx.attempt, a signal and a logger", async () => {
    const { start, enqueue, stateOf } = setup("typed");
    const seen: { handler: string; type: string; ctx: WebhookContext }[] = [];
    const lines: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {},
      child: () => ({ ...logger, info: (_: object, msg?: string) => lines.push(msg ?? "") }),
    };
    const worker = start({
      logger,
      onTicket: (ticket, ctx) => {
        seen.push({ handler: "onTicket", type: ticket.type, ctx });
        ctx.logger.info({}, `ticket from ${ticket.customerName}`);
      },
      onAny: (event, ctx) => {
        seen.push({ handler: "onAny", type: event.type, ctx });
      },
    });
    worker.webhooks.on("CREATE_LEAD", (lead, ctx) => {
      seen.push({ handler: "on(CREATE_LEAD)", type: lead.type, ctx });
    });
    const ticketId = await enqueue(createEvent("TICKET", { customerName: "Ada" }), "ticket-1");
    const leadId = await enqueue(createEvent("CREATE_LEAD"), "lead-1");
    await waitFor(
      "both jobs completed",
      async () =>
        (await stateOf(ticketId)) === "completed" && (await stateOf(leadId)) === "completed",
    );
    expect(seen.map((s) => `${s.handler} ${s.type}`).sort()).toEqual([
      "on(CREATE_LEAD) CREATE_LEAD",
      "onAny CREATE_LEAD",
      "onAny TICKET",
      "onTicket TICKET",
    ]);
    // ctx.eventId is the job id (here the test's; the hand-off's is the receiver's ctx.eventId).
    const ticketCtx = seen.find((s) => s.handler === "onTicket")!.ctx;
    expect(ticketCtx.attempt).toBe(1);
    expect(ticketCtx.signal).toBeInstanceOf(AbortSignal);
    expect(ticketCtx.eventId).toBe("ticket-1");
    expect(lines).toContain("ticket from Ada");
  });

  it("ctx.eventId is the job id the hand-off chose", async () => {
    const { queue, start, stateOf } = setup("eventid");
    let receiverEventId = "";
    const receiver = createWebhooks({
      allowUnauthenticated: true,
      onAny: queue.handOff,
      onOutcome: (info) => {
        receiverEventId = info.eventId ?? "";
      },
    });
    const res = await receiver.receive({
      method: "POST",
      headers: {},
      body: JSON.stringify(createEvent("TICKET")),
    });
    expect(res.status).toBe(200);
    const workerIds: string[] = [];
    start({ onTicket: (_ticket, ctx) => void workerIds.push(ctx.eventId) });
    await waitFor("completed", async () => (await stateOf(receiverEventId)) === "completed");
    expect(workerIds).toEqual([receiverEventId]);
  });

  it("each version of a latest key (rated up, down, up) is its own job, and the worker sees the receiver's eventId of each", async () => {
    const { queue, start, stateOf } = setup("versions");
    const receiverIds: string[] = [];
    const receiver = createWebhooks({
      allowUnauthenticated: true,
      onAny: queue.handOff,
      onOutcome: (info) => {
        if (info.outcome === "processed") receiverIds.push(info.eventId ?? "");
      },
    });
    const up = createEvent("RATE_MESSAGE", { rating: 1 });
    for (const rating of [1, -1, 1] as const) {
      const res = await receiver.receive({
        method: "POST",
        headers: {},
        body: JSON.stringify({ ...up, rating }),
      });
      expect(res.status).toBe(200);
    }
    expect(new Set(receiverIds).size).toBe(3);
    const seen: { id: string; rating: number }[] = [];
    start({
      onRateMessage: (rate, ctx) => void seen.push({ id: ctx.eventId, rating: rate.rating }),
    });
    await waitFor("all three completed", async () => {
      const states = await Promise.all(receiverIds.map(stateOf));
      return states.every((state) => state === "completed");
    });
    expect(seen.map((s) => s.id).sort()).toEqual([...receiverIds].sort());
    const ratingOf = new Map(seen.map((s) => [s.id, s.rating]));
    expect(receiverIds.map((id) => ratingOf.get(id))).toEqual([1, -1, 1]);
  });

  it("a failing handler is retried with backoff until `attempts`; the job then stays failed with its error; replayed, it is processed", async () => {
    const { queue, start, enqueue, stateOf } = setup("dead");
    let healthy = false;
    const attempts: number[] = [];
    start({
      attempts: 3,
      onTicket: (_ticket, ctx) => {
        attempts.push(ctx.attempt ?? -1);
        if (!healthy) throw new Error("helpdesk down");
      },
    });
    const id = await enqueue(createEvent("TICKET"), "dead-1");
    await waitFor("failed", async () => (await stateOf(id)) === "failed");
    expect(attempts).toEqual([1, 2, 3]);
    const [dead] = await queue.failed();
    expect(dead).toMatchObject({
      id,
      type: "TICKET",
      attemptsMade: 3,
      failedReason: "helpdesk down",
    });
    expect(dead?.stacktrace.at(-1)).toContain("helpdesk down");
    expect(await queue.status()).toMatchObject({ failed: 1, waiting: 0, active: 0 });

    healthy = true;
    expect(await queue.replay("no-such-job")).toBe(false);
    expect(await queue.replay(id)).toBe(true);
    await waitFor("completed", async () => (await stateOf(id)) === "completed");
    expect(attempts).toEqual([1, 2, 3, 1]); // attempts reset by the replay
    expect(await queue.replay(id)).toBe(false); // not failed any more
    expect(await queue.status()).toMatchObject({ failed: 0, completed: 1 });
  });

  it("replayAll replays every failed job", async () => {
    const { queue, start, enqueue, stateOf } = setup("replayall");
    let healthy = false;
    const worker = start({
      attempts: 1,
      onAny: () => {
        if (!healthy) throw new Error("down");
      },
    });
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) => enqueue(createEvent("CREATE_LEAD"), `lead-${i}`)),
    );
    await waitFor("all failed", async () => (await queue.status()).failed === 5);
    healthy = true;
    expect(await queue.replayAll()).toBe(5);
    await waitFor("all completed", async () => {
      const states = await Promise.all(ids.map(stateOf));
      return states.every((s) => s === "completed");
    });
    await worker.close();
  });

  it("RetryAfter puts the job off for that long without using an attempt or the backoff", async () => {
    const { start, enqueue, stateOf, queue } = setup("retryafter");
    const runs: { at: number; attempt: number | undefined }[] = [];
    start({
      attempts: 1, // an ordinary failure would fail the job for good
      backoff: 60_000, // and a backoff would wait a minute
      onTicket: (_ticket, ctx) => {
        runs.push({ at: Date.now(), attempt: ctx.attempt });
        if (runs.length < 3) throw new RetryAfter(300);
      },
    });
    const id = await enqueue(createEvent("TICKET"), "later-1");
    await waitFor("completed", async () => (await stateOf(id)) === "completed");
    expect(runs.map((r) => r.attempt)).toEqual([1, 1, 1]);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(290);
    expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(290);
    // BullMQ counts the completing run only.
    expect((await queue.queue.getJob(id))?.attemptsMade).toBe(1);
  });

  it("when several handlers ask to retry after, the longest delay wins; with any other failure, none does", async () => {
    const { start, enqueue, stateOf, queue } = setup("retrymany");
    const runs: { at: number; type: string }[] = [];
    start({
      attempts: 1,
      backoff: 60_000,
      onTicket: () => {
        runs.push({ at: Date.now(), type: "TICKET" });
        if (runs.length === 1) throw new RetryAfter(400);
      },
      onCreateLead: () => {
        throw new Error("CRM answered 500");
      },
      onAny: (event) => {
        if (event.type === "TICKET" && runs.length === 1) throw new RetryAfter(20);
        if (event.type === "CREATE_LEAD") throw new RetryAfter(20);
      },
    });
    const ticket = await enqueue(createEvent("TICKET"), "many-1");
    await waitFor("completed", async () => (await stateOf(ticket)) === "completed");
    expect(runs).toHaveLength(2);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(390);

    // A RetryAfter beside an ordinary failure: an ordinary failure (attempts: 1, so failed).
    const lead = await enqueue(createEvent("CREATE_LEAD"), "many-2");
    await waitFor("failed", async () => (await stateOf(lead)) === "failed");
    expect((await queue.queue.getJob(lead))?.attemptsMade).toBe(1);
  });

  it("after maxRetryAfters put-offs, a further RetryAfter counts as a failure", async () => {
    const { start, enqueue, stateOf, queue } = setup("retrycap");
    let runs = 0;
    start({
      attempts: 1,
      maxRetryAfters: 2,
      onTicket: () => {
        runs++;
        throw new RetryAfter(10);
      },
    });
    const id = await enqueue(createEvent("TICKET"), "cap-1");
    await waitFor("failed", async () => (await stateOf(id)) === "failed");
    expect(runs).toBe(3);
    expect((await queue.failed())[0]?.failedReason).toBe("retry after 10 ms");
  });

  it("the rate limiter holds across two workers: measured rate at or under the limit", async () => {
    const { start, enqueue, queue } = setup("limiter");
    const max = 4;
    const duration = 400;
    const options = { concurrency: 5, limiter: { max, duration }, onAny: () => {} };
    start(options);
    start(options);
    const total = 20;
    const ids = await Promise.all(
      Array.from({ length: total }, (_, i) => enqueue(createEvent("SESSION_OPEN"), `rate-${i}`)),
    );
    await waitFor("all completed", async () => (await queue.status()).completed === total, 15_000);
    // When each job was moved to active (BullMQ's processedOn): where the limiter acts.
    const jobs = await Promise.all(ids.map((id) => queue.queue.getJob(id)));
    const starts = jobs.map((job) => job!.processedOn!).sort((a, b) => a - b);
    const span = starts.at(-1)! - starts[0]!;
    // After the first window's `max` jobs, each further `max` needs a new window of `duration`.
    const rate = ((total - max) / span) * duration;
    console.info(
      `limiter ${max}/${duration} ms: ${total} jobs started over ${span} ms, ${rate.toFixed(2)} per ${duration} ms after the first window`,
    );
    // 1 % for the few milliseconds between a worker's clock and the script's run in Redis.
    expect(rate).toBeLessThanOrEqual(max * 1.01);
    for (let i = 0; i + 2 * max < starts.length; i++) {
      // Fixed windows: never more than two windows' worth within one window, whatever the alignment.
      expect(starts[i + 2 * max]! - starts[i]!).toBeGreaterThanOrEqual(duration - 25);
    }
  });

  it("close() waits for running jobs to finish", async () => {
    const { start, enqueue, stateOf } = setup("close");
    let entered = false;
    const worker = start({
      onTicket: async () => {
        entered = true;
        await sleep(300);
      },
    });
    const id = await enqueue(createEvent("TICKET"), "close-1");
    await waitFor("the handler started", () => entered);
    const started = Date.now();
    await worker.close({ timeoutMs: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(await stateOf(id)).toBe("completed");
  });

  it("close() past its timeout fires ctx.signal; the job goes back to the queue without using an attempt and another worker runs it", async () => {
    const { start, enqueue, stateOf, queue } = setup("closetimeout");
    const aborted: string[] = [];
    let entered = false;
    const first = start({
      attempts: 1,
      onTicket: (_ticket, ctx) =>
        new Promise((_resolve, reject) => {
          entered = true;
          ctx.signal.addEventListener("abort", () => {
            aborted.push(String((ctx.signal.reason as Error).name));
            reject(ctx.signal.reason);
          });
        }),
    });
    const id = await enqueue(createEvent("TICKET"), "timeout-1");
    await waitFor("the handler started", () => entered);
    const started = Date.now();
    await first.close({ timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(aborted).toEqual(["AbortError"]);
    expect(await stateOf(id)).not.toBe("failed");
    const ran: number[] = [];
    start({ attempts: 1, onTicket: (_t, ctx) => void ran.push(ctx.attempt ?? -1) });
    await waitFor("completed elsewhere", async () => (await stateOf(id)) === "completed");
    expect(ran).toEqual([1]);
    expect((await queue.queue.getJob(id))?.attemptsMade).toBe(1); // the completing run only
  });

  it("close() with a handler that ignores ctx.signal still ends, says so, and BullMQ's stall check runs the job elsewhere", {
    timeout: 30_000,
  }, async () => {
    const { start, enqueue, stateOf } = setup("closestuck");
    const warnings: { fields: object; msg: string | undefined }[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (fields: object, msg?: string) => void warnings.push({ fields, msg }),
      error: () => {},
    };
    let entered = false;
    const first = start({
      logger,
      deadlineMs: 5_000,
      // Short, for the test: the lock lapses 500 ms after close, and the stall check (at most
      // one per interval across workers, 30 s by default) runs every 300 ms.
      lockDurationMs: 500,
      stalledIntervalMs: 300,
      // A handler that never ends and never looks at its signal.
      onTicket: () =>
        new Promise<void>(() => {
          entered = true;
        }),
    });
    const id = await enqueue(createEvent("TICKET"), "stuck-1");
    await waitFor("the handler started", () => entered);
    const started = Date.now();
    await first.close({ timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(warnings).toContainEqual({
      fields: { jobs: 1 },
      msg: "fineguide-webhooks: handlers still running at close; BullMQ's stall check will run their jobs again",
    });
    expect(await stateOf(id)).not.toBe("failed");
    const ran: string[] = [];
    start({ stalledIntervalMs: 300, onTicket: (_t, ctx) => void ran.push(ctx.eventId) });
    await waitFor("completed elsewhere", async () => (await stateOf(id)) === "completed", 15_000);
    expect(ran).toEqual([id]);
  });

  it("an event the worker's receiver rejects fails at once, without retries", async () => {
    const { start, queue, stateOf } = setup("invalid");
    let runs = 0;
    start({ attempts: 5, onAny: () => void runs++ });
    await queue.queue.add(
      "TICKET",
      {
        event: { type: "TICKET", botId: "not-a-uuid", sessionId: "x" } as never,
        receivedAt: Date.now(),
      },
      { jobId: "invalid-1" },
    );
    await waitFor("failed", async () => (await stateOf("invalid-1")) === "failed");
    expect(runs).toBe(0);
    const [dead] = await queue.failed();
    expect(dead?.attemptsMade).toBe(1);
    expect(dead?.failedReason).toMatch(/^invalid_payload: /);
  });

  it("rejects bad options and handlers given twice", () => {
    const connection = connectionFromUrl(server.url);
    expect(() => createWorker({ connection, attempts: 0 })).toThrow(/attempts/);
    expect(() => createWorker({ connection, backoff: -1 })).toThrow(/backoff/);
    expect(() => createWorker({ connection, maxRetryAfters: -1 })).toThrow(/maxRetryAfters/);
    expect(() =>
      createWorker({
        connection,
        webhooks: createWebhooks({ allowUnauthenticated: true }),
        onTicket: () => {},
      }),
    ).toThrow(/either `webhooks` or handler options/);
  });
});
