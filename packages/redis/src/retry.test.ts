import { randomUUID } from "node:crypto";
import {
  type ClaimRequest,
  type ClaimResult,
  createWebhooks,
  type DedupeStore,
  memoryStore,
  type OutcomeInfo,
} from "@fineguide-webhooks/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStore } from "./redisStore.js";
import { ioredisClient, nodeRedisClient, type TestClient } from "./test/clients.js";
import { sleep } from "./test/events.js";
import { type RedisServer, redisServerAvailable, startRedisServer } from "./test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/redis retry and version tests");

const LEASE = 60_000;
const WINDOW = 30 * 60_000;
const TTL = { ttlMs: 30 * 60_000 };

/** A claim as core's receiver makes it: a retry window and versions. */
const tracked = (
  token: string,
  fingerprint?: string,
  leaseMs = LEASE,
  retryWindowMs = WINDOW,
): ClaimRequest => ({
  token,
  leaseMs,
  mode: fingerprint === undefined ? "once" : "latest",
  ...(fingerprint === undefined ? {} : { fingerprint }),
  retryWindowMs,
  versions: true,
});

const claim = (s: DedupeStore, key: string, request: ClaimRequest): Promise<ClaimResult> =>
  Promise.resolve(s.claim(key, request));

/** Sequences both stores must answer alike, with the answers listed. */
const SCENARIOS: readonly {
  readonly name: string;
  readonly expected: readonly unknown[];
  run(s: DedupeStore, k: string): Promise<unknown[]>;
}[] = [
  {
    name: "once: a released claim's retry is reclaimed; then done",
    expected: ["claimed", true, "reclaimed", "in_progress", true, "duplicate", false],
    run: async (s, k) => [
      await claim(s, k, tracked("a")),
      await s.release(k, "a"),
      await claim(s, k, tracked("b")),
      await claim(s, k, tracked("c")),
      await s.complete(k, "b", TTL),
      await claim(s, k, tracked("d")),
      await s.release(k, "a"),
    ],
  },
  {
    name: "the released owner can do nothing more",
    expected: ["claimed", true, false, false, false, "reclaimed"],
    run: async (s, k) => [
      await claim(s, k, tracked("a", "up")),
      await s.release(k, "a"),
      await s.release(k, "a"),
      await s.complete(k, "a", TTL),
      await s.renew(k, "a", LEASE),
      await claim(s, k, tracked("b", "up")),
    ],
  },
  {
    name: "latest: versions up, down, up, down; a duplicate names the done version",
    expected: [
      "claimed",
      true,
      { result: "claimed", version: 1 },
      true,
      { result: "claimed", version: 2 },
      true,
      { result: "claimed", version: 3 },
      true,
      { result: "duplicate", version: 3 },
    ],
    run: async (s, k) => {
      const out: unknown[] = [];
      for (const [i, fp] of ["up", "down", "up", "down"].entries()) {
        out.push(await claim(s, k, tracked(`t${i}`, fp)));
        out.push(await s.complete(k, `t${i}`, TTL));
      }
      out.push(await claim(s, k, tracked("again", "down")));
      return out;
    },
  },
  {
    name: "latest: a released later version keeps its number on retry; another version is not its retry",
    expected: [
      "claimed",
      true,
      { result: "claimed", version: 1 },
      true,
      "duplicate",
      { result: "reclaimed", version: 1 },
      true,
      { result: "claimed", version: 1 },
      true,
      { result: "claimed", version: 2 },
    ],
    run: async (s, k) => [
      await claim(s, k, tracked("a", "up")),
      await s.complete(k, "a", TTL),
      await claim(s, k, tracked("b", "down")),
      await s.release(k, "b"),
      await claim(s, k, tracked("c", "up")),
      await claim(s, k, tracked("d", "down")),
      await s.release(k, "d"),
      await claim(s, k, tracked("e", "sideways")),
      await s.complete(k, "e", TTL),
      await claim(s, k, tracked("f", "up")),
    ],
  },
  {
    name: "latest: a released first version is reclaimed by its fingerprint only",
    expected: ["claimed", true, "claimed", true, "reclaimed"],
    run: async (s, k) => [
      await claim(s, k, tracked("a", "up")),
      await s.release(k, "a"),
      await claim(s, k, tracked("b", "down")),
      await s.release(k, "b"),
      await claim(s, k, tracked("c", "down")),
    ],
  },
  {
    name: "callers that did not ask get the answers they know",
    expected: ["claimed", true, "claimed", true, "claimed", true, "claimed", true, "duplicate"],
    run: async (s, k) => {
      const plain = (token: string, fingerprint: string): ClaimRequest => ({
        token,
        leaseMs: LEASE,
        mode: "latest",
        fingerprint,
      });
      return [
        await claim(s, k, tracked("a", "up")),
        await s.release(k, "a"),
        await claim(s, k, plain("b", "up")),
        await s.complete(k, "b", TTL),
        await claim(s, k, plain("c", "down")),
        await s.complete(k, "c", TTL),
        await claim(s, k, plain("d", "up")),
        await s.complete(k, "d", TTL),
        await claim(s, k, plain("e", "up")),
      ];
    },
  },
];

/** Claims until the answer is not in_progress (the lease ran out), for at most 10 s. */
async function claimWhenLapsed(s: DedupeStore, key: string, request: ClaimRequest) {
  for (let i = 0; i < 400; i++) {
    const result = await claim(s, key, request);
    if (result !== "in_progress") return result;
    await sleep(25);
  }
  throw new Error("the lease never lapsed");
}

describe.skipIf(!available)("redisStore: reclaimed and versions on a real redis-server", () => {
  let server: RedisServer;
  let io: TestClient;
  let nr: TestClient;

  beforeAll(async () => {
    server = await startRedisServer();
    io = await ioredisClient(server.url);
    nr = await nodeRedisClient(server.url);
  }, 30_000);

  afterAll(async () => {
    await io?.close();
    await nr?.close();
    await server?.stop();
  });

  const prefix = () => `t:${randomUUID()}:`;
  const store = (p = prefix(), client: TestClient = io) =>
    redisStore({ client: client.client, prefix: p });

  it.each(SCENARIOS)("$name (same answers as memoryStore)", async (scenario) => {
    const key = `bot:RATE_MESSAGE:${randomUUID()}`;
    expect(await scenario.run(memoryStore(), key)).toEqual(scenario.expected);
    expect(await scenario.run(store(), key)).toEqual(scenario.expected);
    expect(await scenario.run(store(prefix(), nr), key)).toEqual(scenario.expected);
  });

  it("a lapsed lease is seen: the next claim of the version is reclaimed, with its number", async () => {
    for (const s of [memoryStore(), store()]) {
      const key = randomUUID();
      expect(await claim(s, key, tracked("a", "up"))).toBe("claimed");
      expect(await s.complete(key, "a", TTL)).toBe(true);
      expect(await claim(s, key, tracked("crashed", "down", 100))).toEqual({
        result: "claimed",
        version: 1,
      });
      expect(await claimWhenLapsed(s, key, tracked("retry", "down"))).toEqual({
        result: "reclaimed",
        version: 1,
      });
      expect(await s.complete(key, "crashed", TTL)).toBe(false);
      expect(await s.complete(key, "retry", TTL)).toBe(true);
      // A plain (first) claim that lapsed, in once mode.
      const other = randomUUID();
      expect(await claim(s, other, tracked("crashed", undefined, 100))).toBe("claimed");
      expect(await claimWhenLapsed(s, other, tracked("retry"))).toBe("reclaimed");
    }
  });

  it("key layout: a tracked claim outlives its lease by the window; a release ends the lease only", async () => {
    const p = prefix();
    const s = store(p);
    const key = randomUUID();
    const value = async () => String(await io.command(["GET", p + key]));
    const pttl = async () => Number(await io.command(["PTTL", p + key]));
    await claim(s, key, tracked("a", "up", 45_000, 600_000));
    expect(await value()).toBe("r600000:1:a=up");
    expect(await pttl()).toBeGreaterThan(640_000);
    expect(await pttl()).toBeLessThanOrEqual(645_000);
    expect(await s.release(key, "a")).toBe(true);
    expect(await value()).toBe("r600000:1:a=up");
    expect(await pttl()).toBeLessThanOrEqual(600_000);
    expect(await pttl()).toBeGreaterThan(590_000);
    await claim(s, key, tracked("b", "up"));
    await s.complete(key, "b", TTL);
    expect(await value()).toBe("d=up");
    await claim(s, key, tracked("c", "down"));
    await s.complete(key, "c", TTL);
    expect(await value()).toBe("d1=down");
    await claim(s, key, tracked("d", "up"));
    expect(JSON.parse(await value())).toMatchObject({ t: "d", cf: "up", df: "down", dv: 1 });
    await s.complete(key, "d", TTL);
    expect(await value()).toBe("d2=up");
  });

  it("a marker goes once its window passed: the claim after it is a first one", async () => {
    const p = prefix();
    const s = store(p);
    const key = randomUUID();
    await claim(s, key, tracked("a", undefined, LEASE, 100));
    await s.release(key, "a");
    for (let i = 0; i < 400 && Number(await io.command(["EXISTS", p + key])) === 1; i++) {
      await sleep(25);
    }
    expect(await claim(s, key, tracked("b", undefined, LEASE, 100))).toBe("claimed");
  }, 20_000);

  it("random sequences with windows and versions: the same answers as memoryStore (fast-check)", async () => {
    const token = fc.constantFrom("a", "b");
    const op = fc.oneof(
      fc.record({
        op: fc.constant("claim" as const),
        token,
        fingerprint: fc.constantFrom(undefined, "X", "Y"),
        asks: fc.boolean(),
      }),
      fc.record({ op: fc.constantFrom("complete", "release", "renew"), token }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const memory = memoryStore();
        const redis = store();
        const key = randomUUID();
        for (const o of ops) {
          const answer = (s: DedupeStore) =>
            o.op === "claim"
              ? claim(
                  s,
                  key,
                  o.asks
                    ? tracked(o.token, o.fingerprint)
                    : {
                        token: o.token,
                        leaseMs: LEASE,
                        mode: o.fingerprint === undefined ? "once" : "latest",
                        fingerprint: o.fingerprint,
                      },
                )
              : o.op === "complete"
                ? s.complete(key, o.token, TTL)
                : o.op === "release"
                  ? s.release(key, o.token)
                  : s.renew(key, o.token, LEASE);
          expect(await answer(redis)).toEqual(await answer(memory));
        }
      }),
      // `npm run mutation` lowers the runs through fast-check's global settings.
      { numRuns: fc.readConfigureGlobal().numRuns ?? 100 },
    );
  }, 60_000);

  describe("through two receivers sharing Redis", () => {
    const SECRET = "s3cr3t-for-redis-retry-tests";
    const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
    const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
    const post = (body: unknown) => ({
      method: "POST",
      headers: { "x-webhook-secret": SECRET },
      body: JSON.stringify(body),
    });

    it("ctx.retry on the other receiver after a failure; up, down, up get three eventIds", async () => {
      const p = prefix();
      const outcomes: OutcomeInfo[] = [];
      const seen: { retry: boolean; eventId: string; rating: number }[] = [];
      let failNext = false;
      const receiver = (client: TestClient) =>
        createWebhooks({
          secret: SECRET,
          dedupe: store(p, client),
          onRateMessage: (event, ctx) => {
            seen.push({ retry: ctx.retry, eventId: ctx.eventId, rating: event.rating });
            if (failNext) {
              failNext = false;
              throw new Error("downstream failed");
            }
          },
          onOutcome: (info) => void outcomes.push(info),
        });
      const a = receiver(io);
      const b = receiver(nr);
      const messageId = randomUUID();
      const rate = (rating: 1 | -1) =>
        post({ type: "RATE_MESSAGE", botId, sessionId, messageId, rating });
      expect((await a.receive(rate(1))).status).toBe(200);
      expect((await b.receive(rate(-1))).status).toBe(200);
      failNext = true;
      expect((await a.receive(rate(1))).status).toBe(500);
      expect((await b.receive(rate(1))).status).toBe(200);
      expect((await a.receive(rate(1))).outcome).toBe("duplicate");
      expect(seen.map((s) => [s.rating, s.retry])).toEqual([
        [1, false],
        [-1, false],
        [1, false],
        [1, true],
      ]);
      const ids = seen.map((s) => s.eventId);
      expect(new Set(ids).size).toBe(3);
      expect(ids[3]).toBe(ids[2]);
      expect(ids[2]).not.toBe(ids[0]);
      expect(outcomes.map((o) => [o.outcome, o.retry])).toEqual([
        ["processed", false],
        ["processed", false],
        ["handler_failed", false],
        ["processed", true],
        ["duplicate", false],
      ]);
      expect(outcomes[4]!.eventId).toBe(ids[2]);
      await Promise.all([a.close(), b.close()]);
    });
  });
});
