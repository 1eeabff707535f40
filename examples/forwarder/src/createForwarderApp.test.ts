import type { RateMessageEvent } from "@fineguide-webhooks/core";
import {
  createAllEvents,
  createEvent,
  createUnknownEvent,
  postEvent,
  simulateDelivery,
  uuid,
} from "@fineguide-webhooks/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createForwarderApp } from "./createForwarderApp.js";
import type { MetricsSnapshot } from "./ForwarderMetrics.js";
import { listen } from "./listen.js";
import { type DownstreamAnswer, startDownstream } from "./startDownstream.js";

const BOT_A = uuid();
const BOT_B = uuid();
const SECRET_A = "secret-a-7f3c";
const SECRET_B = "secret-b-91d2";

/** A short receiver deadline, so the tests can reach it: 2 s, the lease 4 s. */
const DEADLINE_MS = 2000;
/** For tests that must not reach the deadline on a busy machine. */
const ROOMY = { deadlineMs: 6000, leaseMs: 12_000 };
const TIMING = {
  deadlineMs: DEADLINE_MS,
  leaseMs: 4000,
  retry: { maxAttempts: 4, backoffMs: [50, 100, 200], reserveMs: 300 },
};

/** An answer as FineGuide sees it. */
interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { ok: boolean; duplicate?: true; error?: { code: string } };
}

const ok = (status: number, headers?: Record<string, string>): DownstreamAnswer => ({
  status,
  ...(headers ? { headers } : {}),
});

describe("the forwarder", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /**
   * The forwarder on a free port, forwarding to a local downstream that
   * answers `respond` (default 200); `eventIds` collects `ctx.eventId` of
   * every delivery, as the kit's `onOutcome` reports it.
   */
  const start = async (
    respond?: (index: number) => DownstreamAnswer,
    timing: { deadlineMs: number; leaseMs: number } = TIMING,
  ) => {
    const downstream = await startDownstream(
      respond ? { respond: (_request, index) => respond(index) } : {},
    );
    cleanup.push(() => downstream.close());
    const forwarder = createForwarderApp({
      secrets: { [BOT_A]: SECRET_A, [BOT_B]: SECRET_B },
      downstreamUrl: downstream.url,
      ...TIMING,
      ...timing,
    });
    const eventIds: (string | undefined)[] = [];
    forwarder.webhooks.onOutcome((info) => eventIds.push(info.eventId));
    const listening = await listen(forwarder.app, 0, "127.0.0.1");
    cleanup.push(async () => {
      await listening.close();
      await forwarder.webhooks.close({ timeoutMs: 0 });
    });
    const { origin } = listening;
    const url = `${origin}/webhook`;
    return {
      url,
      origin,
      downstream,
      eventIds,
      deliver: async (event: object | string, secret: string): Promise<Answer> => {
        const res = await postEvent(url, event, { secret });
        return {
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          body: (await res.json()) as Answer["body"],
        };
      },
      metrics: async () => (await (await fetch(`${origin}/metrics`)).json()) as MetricsSnapshot,
      keys: () => downstream.received.map((request) => request.headers["idempotency-key"]),
    };
  };

  it("forwards every event once, as received, with the kit's eventId as idempotency-key; a retry of it is a duplicate and is not forwarded", async () => {
    const f = await start();
    const events = createAllEvents({ botId: BOT_A });
    for (const event of events) {
      expect(await f.deliver(event, SECRET_A)).toMatchObject({ status: 200, body: { ok: true } });
    }

    expect(f.downstream.received).toHaveLength(events.length);
    for (const [index, request] of f.downstream.received.entries()) {
      expect(request.method).toBe("POST");
      expect(request.body).toBe(JSON.stringify(events[index])); // what postEvent sent
      expect(request.headers).toMatchObject({
        "content-type": "application/json",
        "idempotency-key": f.eventIds[index],
        "x-fineguide-bot": BOT_A,
      });
      expect(request.headers["x-webhook-secret"]).toBeUndefined();
    }
    expect(new Set(f.keys()).size).toBe(events.length);

    for (const event of events) {
      expect(await f.deliver(event, SECRET_A)).toMatchObject({
        status: 200,
        body: { ok: true, duplicate: true },
      });
    }
    expect(f.downstream.received).toHaveLength(events.length);
    expect(await f.metrics()).toMatchObject({
      deliveries: 16,
      outcomes: { processed: 8, duplicate: 8 },
      types: { MESSAGE: { processed: 1, duplicate: 1 }, TICKET: { processed: 1, duplicate: 1 } },
      forwarded: { [BOT_A]: 8 },
      downstream: { requests: 8, retries: 0, statuses: { "200": 8 } },
    });
  });

  it("forwards the body byte for byte: spacing, key order and unknown fields as FineGuide sent them", async () => {
    const f = await start();
    const { type, ...rest } = createEvent("TICKET", { botId: BOT_B });
    const raw = JSON.stringify({ ...rest, ticketPriority: "high", type }, null, 2);
    expect((await f.deliver(raw, SECRET_B)).status).toBe(200);
    expect(f.downstream.received.map((request) => request.body)).toEqual([raw]);
  });

  it("forwards types FineGuide has not documented, answered 200", async () => {
    const f = await start();
    const event = createUnknownEvent("CALL_TRANSFERRED", { botId: BOT_B, agent: "Ana" });
    expect(await f.deliver(event, SECRET_B)).toMatchObject({ status: 200, body: { ok: true } });
    expect(f.downstream.received).toHaveLength(1);
    expect(f.downstream.received[0]?.body).toBe(JSON.stringify(event));
    expect(f.downstream.received[0]?.headers["x-fineguide-bot"]).toBe(BOT_B);
    expect(f.keys()).toEqual([f.eventIds[0]]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { unknown_type: 1 },
      types: { CALL_TRANSFERRED: { unknown_type: 1 } },
      forwarded: { [BOT_B]: 1 },
    });
  });

  it("another assistant's secret is 401 and nothing is forwarded", async () => {
    const f = await start();
    const fromA = createEvent("MESSAGE", { botId: BOT_A });
    const fromB = createEvent("MESSAGE", { botId: BOT_B });
    const fromNobody = createEvent("MESSAGE");

    for (const [event, secret] of [
      [fromB, SECRET_A],
      [fromA, SECRET_B],
      [fromNobody, SECRET_A],
      [fromA, "not-a-secret"],
    ] as const) {
      expect(await f.deliver(event, secret)).toMatchObject({
        status: 401,
        body: { ok: false, error: { code: "unauthorized" } },
      });
    }
    expect(f.downstream.received).toHaveLength(0);

    expect((await f.deliver(fromA, SECRET_A)).status).toBe(200);
    expect((await f.deliver(fromB, SECRET_B)).status).toBe(200);
    expect(f.downstream.received.map((request) => request.headers["x-fineguide-bot"])).toEqual([
      BOT_A,
      BOT_B,
    ]);
    expect(await f.metrics()).toMatchObject({
      deliveries: 6,
      outcomes: { unauthorized: 4, processed: 2 },
      types: { "-": { unauthorized: 4 }, MESSAGE: { processed: 2 } },
      forwarded: { [BOT_A]: 1, [BOT_B]: 1 },
    });
  });

  it("answers GET /webhook with the contract's 405; /metrics is JSON, or Prometheus text, without the webhook's secret", async () => {
    const f = await start();
    const get = await fetch(f.url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    await f.deliver(createEvent("SESSION_OPEN", { botId: BOT_A }), SECRET_A);

    const json = await fetch(`${f.origin}/metrics`);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(json.headers.get("cache-control")).toBe("no-store");
    expect(await json.json()).toMatchObject({
      deliveries: 2,
      outcomes: { method_not_allowed: 1, processed: 1 },
    });

    for (const init of [{ headers: { accept: "text/plain" } }, {}]) {
      const query = "headers" in init ? "" : "?format=prometheus";
      const text = await fetch(`${f.origin}/metrics${query}`, init);
      expect(text.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(await text.text()).toContain(
        'fineguide_forwarder_deliveries_total{outcome="processed",type="SESSION_OPEN"} 1\n',
      );
    }
  });

  it("a downstream failing once (500) gets the event again within the delivery, with the same key", async () => {
    const f = await start((index) => ok(index === 0 ? 500 : 200));
    expect((await f.deliver(createEvent("TICKET", { botId: BOT_A }), SECRET_A)).status).toBe(200);
    expect(f.downstream.received).toHaveLength(2);
    expect(f.keys()).toEqual([f.eventIds[0], f.eventIds[0]]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { processed: 1 },
      forwarded: { [BOT_A]: 1 },
      downstream: { requests: 2, retries: 1, statuses: { "500": 1, "200": 1 } },
    });
  });

  it("a downstream failing the whole delivery: FineGuide's retry carries the same key and is forwarded once the downstream recovers", async () => {
    let healthy = false;
    const f = await start(() => ok(healthy ? 200 : 500), ROOMY);
    const event = createEvent("CREATE_LEAD", { botId: BOT_B });

    const result = await simulateDelivery({
      url: f.url,
      event,
      secret: SECRET_B,
      timeScale: 0.001, // FineGuide's 1 minute is 60 ms
      timeoutMs: 10_000,
      onAttempt: () => {
        healthy = true; // fixed before FineGuide's first retry
      },
    });

    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(result.attempts[0]).toMatchObject({
      body: expect.stringContaining('"code":"handler_failed"'),
    });
    // The first delivery tried 4 times (maxAttempts), the retry once: one key for all.
    expect(f.downstream.received).toHaveLength(5);
    expect(new Set(f.keys())).toEqual(new Set([f.eventIds[0]]));
    expect(f.eventIds[1]).toBe(f.eventIds[0]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { handler_failed: 1, processed: 1 },
      forwarded: { [BOT_B]: 1 },
      downstream: { requests: 5, retries: 3, statuses: { "500": 4, "200": 1 } },
    });
  });

  it("every version of a RATE_MESSAGE (up, down, up) carries its own key; a retry of the latest is not forwarded", async () => {
    const f = await start();
    const up: RateMessageEvent = createEvent("RATE_MESSAGE", { botId: BOT_A, rating: 1 });
    const down: RateMessageEvent = { ...up, rating: -1 };

    expect((await f.deliver(up, SECRET_A)).status).toBe(200);
    expect((await f.deliver(down, SECRET_A)).status).toBe(200);
    expect((await f.deliver(down, SECRET_A)).body).toEqual({ ok: true, duplicate: true });
    const [upKey, downKey] = f.keys();
    expect(f.downstream.received).toHaveLength(2);
    expect(upKey).not.toBe(downKey);
    expect(f.downstream.received.map((request) => JSON.parse(request.body).rating)).toEqual([
      1, -1,
    ]);

    // Rated up again: the kit runs it (the latest version was -1) as the third
    // version, with a key of its own, so a downstream that drops repeated keys
    // keeps this genuine change back (see README, "What the idempotency key cannot tell").
    expect((await f.deliver(up, SECRET_A)).body).toEqual({ ok: true });
    const keys = f.keys();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(keys.slice(0, 2)).toEqual([upKey, downKey]);
    // A retry of that third version is a duplicate: nothing forwarded again.
    expect((await f.deliver(up, SECRET_A)).body).toEqual({ ok: true, duplicate: true });
    expect(f.keys()).toEqual(keys);
  });

  it("honours Retry-After when it fits in the time left, and answers 200 before the deadline", async () => {
    const f = await start(
      (index) => (index === 0 ? ok(429, { "retry-after": "1" }) : ok(200)),
      ROOMY,
    );
    const started = Date.now();
    expect((await f.deliver(createEvent("MESSAGE", { botId: BOT_A }), SECRET_A)).status).toBe(200);
    const elapsed = Date.now() - started;

    const [first, second] = f.downstream.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(999);
    expect(elapsed).toBeLessThan(ROOMY.deadlineMs);
    expect(f.keys()).toEqual([f.eventIds[0], f.eventIds[0]]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { processed: 1 },
      downstream: { requests: 2, retries: 1, statuses: { "429": 1, "200": 1 } },
    });
  });

  it("a Retry-After longer than the time left answers 500 at once instead of waiting past the deadline; FineGuide's retry is forwarded", async () => {
    let limited = true;
    const f = await start(() => (limited ? ok(503, { "retry-after": "30" }) : ok(200)));
    const event = createEvent("SESSION_CLOSED", { botId: BOT_A });

    const started = Date.now();
    const first = await f.deliver(event, SECRET_A);
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS - 500);
    expect(first).toMatchObject({ status: 500, body: { error: { code: "handler_failed" } } });
    expect(f.downstream.received).toHaveLength(1);

    limited = false; // FineGuide retries a minute later; the rate limit is over
    expect(await f.deliver(event, SECRET_A)).toMatchObject({ status: 200, body: { ok: true } });
    expect(f.keys()).toEqual([f.eventIds[0], f.eventIds[0]]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { handler_failed: 1, processed: 1 },
      downstream: { requests: 2, retries: 0, statuses: { "503": 1, "200": 1 } },
    });
  });

  it("a downstream that hangs is cut at the deadline: 503 handler_timeout with Retry-After", async () => {
    let hanging = true;
    const f = await start(() => (hanging ? "hang" : ok(200)));
    const event = createEvent("MESSAGE_AUDIO_URL", { botId: BOT_B });

    const started = Date.now();
    const answer = await f.deliver(event, SECRET_B);
    const elapsed = Date.now() - started;
    expect(answer).toMatchObject({
      status: 503,
      retryAfter: "60",
      body: { error: { code: "handler_timeout" } },
    });
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 10);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 1000);
    expect(f.downstream.received).toHaveLength(1);

    hanging = false; // FineGuide retries a minute later
    expect(await f.deliver(event, SECRET_B)).toMatchObject({ status: 200, body: { ok: true } });
    expect(f.keys()).toEqual([f.eventIds[0], f.eventIds[0]]);
    expect(await f.metrics()).toMatchObject({
      outcomes: { handler_timeout: 1, processed: 1 },
      forwarded: { [BOT_B]: 1 },
      downstream: { requests: 2, retries: 0, statuses: { error: 1, "200": 1 } },
    });
  });
});
