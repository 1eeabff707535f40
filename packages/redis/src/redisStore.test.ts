import { randomUUID } from "node:crypto";
import { type DedupeMode, type DedupeStore, memoryStore } from "@fineguide-webhooks/core";
import fc from "fast-check";
import type { Cluster, Redis } from "ioredis";
import type { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  claim,
  LEASE,
  STORE_SCENARIOS,
  type StoreScenario,
  TTL,
} from "../../core/src/dedupe/test/storeScenarios.js";
import { RedisStoreTimeoutError } from "./RedisStoreTimeoutError.js";
import { type RedisClientLike, redisStore } from "./redisStore.js";
import { CLIENT_KINDS, ioredisClient, nodeRedisClient, type TestClient } from "./test/clients.js";
import { sleep } from "./test/events.js";
import { type RedisServer, redisServerAvailable, startRedisServer } from "./test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/redis store tests");

/** The shared scenarios, and those only the Redis store's tests ran so far. */
const SCENARIOS: readonly StoreScenario[] = [
  ...STORE_SCENARIOS,
  {
    name: "a released claim cannot be completed afterwards",
    expected: ["claimed", true, true, false, "claimed"],
    run: async (s, k) => [
      await claim(s, k, "a"),
      await s.renew(k, "a", LEASE),
      await s.release(k, "a"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b"),
    ],
  },
  {
    name: "latest: a done key with another fingerprint is claimed and its completion replaces it",
    expected: ["claimed", true, "claimed", true, "claimed", true, "duplicate", "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a", "latest", "A"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest", "B"),
      await s.complete(k, "b", TTL),
      await claim(s, k, "c", "latest", "A"),
      await s.complete(k, "c", TTL),
      await claim(s, k, "d", "latest", "A"),
      await claim(s, k, "e", "once"),
    ],
  },
  {
    name: "tokens that share a prefix or hold separators are told apart",
    expected: [
      "claimed",
      false,
      false,
      false,
      true,
      "duplicate",
      "claimed",
      false,
      true,
      "duplicate",
    ],
    run: async (s, k) => [
      await claim(s, k, "ab", "latest", "=x"),
      await s.complete(k, "a", TTL),
      await s.release(k, "a"),
      await s.renew(k, "ab=x", LEASE),
      await s.complete(k, "ab", TTL),
      await claim(s, k, "c:1", "latest", "=x"),
      await claim(s, k, "c:1", "latest", "x"),
      await s.complete(k, "c", TTL),
      await s.complete(k, "c:1", TTL),
      await claim(s, k, "z", "latest", "x"),
    ],
  },
];

/** Polls `claim` until it answers `claimed` (the lease ran out), for at most 10 s. */
async function claimWhenFree(store: DedupeStore, key: string, token: string, mode: DedupeMode) {
  for (let i = 0; i < 400; i++) {
    const result = await claim(store, key, token, mode, mode === "latest" ? "B" : undefined);
    if (result === "claimed") return result;
    expect(result).toBe("in_progress");
    await sleep(25);
  }
  throw new Error("the lease never expired");
}

describe("redisStore types", () => {
  it("accepts ioredis Redis and Cluster, node-redis clients and clusters", () => {
    expectTypeOf<Redis>().toExtend<RedisClientLike>();
    expectTypeOf<Cluster>().toExtend<RedisClientLike>();
    expectTypeOf<ReturnType<typeof createClient>>().toExtend<RedisClientLike>();
    expectTypeOf<ReturnType<typeof createCluster>>().toExtend<RedisClientLike>();
    expectTypeOf<{ get(): void }>().not.toExtend<RedisClientLike>();
    expectTypeOf(redisStore).returns.toEqualTypeOf<DedupeStore>();
  });

  it("rejects what is not a client and bad options when created", () => {
    const fake = { defineCommand: () => {} };
    expect(() => redisStore({ client: {} as RedisClientLike })).toThrow(TypeError);
    expect(() => redisStore({ client: fake, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => redisStore({ client: fake, timeoutMs: Number.NaN })).toThrow(RangeError);
  });
});

describe.skipIf(!available)("redisStore on a real redis-server", () => {
  let server: RedisServer;
  const clients: Record<string, TestClient> = {};

  beforeAll(async () => {
    server = await startRedisServer();
    clients.ioredis = await ioredisClient(server.url);
    clients["node-redis"] = await nodeRedisClient(server.url);
  }, 30_000);

  afterAll(async () => {
    for (const client of Object.values(clients)) await client.close();
    await server?.stop();
  });

  describe.each(CLIENT_KINDS)("with $kind", ({ kind }) => {
    const client = () => clients[kind]!;
    const store = () => redisStore({ client: client().client, prefix: `t:${randomUUID()}:` });

    it.each(SCENARIOS)("$name (same answers as memoryStore)", async (scenario) => {
      const key = `bot:MESSAGE:${randomUUID()}`;
      const fromMemory = await scenario.run(memoryStore(), key);
      const fromRedis = await scenario.run(store(), key);
      expect(fromMemory).toEqual(scenario.expected);
      expect(fromRedis).toEqual(scenario.expected);
    });

    it("random sequences of operations: the same answers as memoryStore (fast-check)", async () => {
      const token = fc.constantFrom("a", "b");
      const op = fc.oneof(
        fc.record({
          op: fc.constant("claim" as const),
          token,
          mode: fc.constantFrom("once" as const, "latest" as const),
          fingerprint: fc.constantFrom(undefined, "X", "Y"),
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
                ? claim(s, key, o.token, o.mode, o.fingerprint)
                : o.op === "complete"
                  ? s.complete(key, o.token, TTL)
                  : o.op === "release"
                    ? s.release(key, o.token)
                    : s.renew(key, o.token, LEASE);
            expect(await answer(redis)).toBe(await answer(memory));
          }
        }),
        // `npm run mutation` lowers the runs through fast-check's global settings.
        { numRuns: fc.readConfigureGlobal().numRuns ?? 300 },
      );
    }, 60_000);

    it("200 concurrent identical claims: exactly one winner, then 200 duplicates", async () => {
      const s = store();
      const key = randomUUID();
      const tokens = Array.from({ length: 200 }, () => randomUUID());
      const results = await Promise.all(tokens.map((token) => claim(s, key, token)));
      expect(results.filter((r) => r === "claimed")).toHaveLength(1);
      expect(results.filter((r) => r === "in_progress")).toHaveLength(199);
      const winner = tokens[results.indexOf("claimed")]!;
      const completes = await Promise.all(tokens.map((token) => s.complete(key, token, TTL)));
      expect(completes.filter(Boolean)).toHaveLength(1);
      expect(completes[tokens.indexOf(winner)]).toBe(true);
      const again = await Promise.all(tokens.map((token) => claim(s, key, token)));
      expect(new Set(again)).toEqual(new Set(["duplicate"]));
    });

    it("200 concurrent latest-mode claims with different fingerprints: exactly one winner", async () => {
      const s = store();
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => claim(s, key, `t${i}`, "latest", `fp${i % 7}`)),
      );
      expect(results.filter((r) => r === "claimed")).toHaveLength(1);
      expect(results.filter((r) => r === "in_progress")).toHaveLength(199);
    });

    it.each(["once", "latest"] as const)(
      "lease expiry (%s): a crashed owner's claim is taken over; its late complete/release/renew change nothing",
      async (mode) => {
        const s = store();
        const key = randomUUID();
        expect(await claim(s, key, "crashed", mode, "A", 500)).toBe("claimed");
        expect(await claim(s, key, "other", mode, "B")).toBe("in_progress");
        // The crashed owner never completes; once its lease is over, another owner claims.
        expect(await claimWhenFree(s, key, "taker", mode)).toBe("claimed");
        expect(await s.complete(key, "crashed", TTL)).toBe(false);
        expect(await s.release(key, "crashed")).toBe(false);
        expect(await s.renew(key, "crashed", LEASE)).toBe(false);
        expect(await claim(s, key, "third", mode, "B")).toBe("in_progress");
        expect(await s.complete(key, "taker", TTL)).toBe(true);
        expect(await claim(s, key, "fourth", mode, "B")).toBe("duplicate");
        expect(await s.release(key, "crashed")).toBe(false);
        expect(await claim(s, key, "fifth", mode, "B")).toBe("duplicate");
      },
      15_000,
    );

    it("an owner whose lease expired, with nobody else waiting, can neither complete nor release", async () => {
      const s = store();
      const key = randomUUID();
      expect(await claim(s, key, "slow", "once", undefined, 100)).toBe("claimed");
      await sleep(300);
      expect(await s.renew(key, "slow", LEASE)).toBe(false);
      expect(await s.complete(key, "slow", TTL)).toBe(false);
      expect(await s.release(key, "slow")).toBe(false);
      expect(await claim(s, key, "next")).toBe("claimed");
    });

    it("latest: an expired claim on a done key cannot complete, release or renew; the done fingerprint stays", async () => {
      const s = store();
      const key = randomUUID();
      expect(await claim(s, key, "a", "latest", "A")).toBe("claimed");
      expect(await s.complete(key, "a", TTL)).toBe(true);
      expect(await claim(s, key, "slow", "latest", "B", 100)).toBe("claimed");
      await sleep(300);
      expect(await s.renew(key, "slow", LEASE)).toBe(false);
      expect(await s.complete(key, "slow", TTL)).toBe(false);
      expect(await s.release(key, "slow")).toBe(false);
      expect(await claim(s, key, "again", "latest", "A")).toBe("duplicate");
      expect(await claim(s, key, "next", "latest", "B")).toBe("claimed");
    });

    it.each([
      ["on an absent key", false],
      ["on a done key (latest)", true],
    ])("renew keeps a claim %s past its first lease", async (_, withDone) => {
      const s = store();
      const key = randomUUID();
      if (withDone) {
        expect(await claim(s, key, "a", "latest", "A")).toBe("claimed");
        expect(await s.complete(key, "a", TTL)).toBe(true);
      }
      expect(await claim(s, key, "b", "latest", "B", 500)).toBe("claimed");
      expect(await s.renew(key, "b", LEASE)).toBe(true);
      await sleep(800);
      expect(await claim(s, key, "c", "latest", "C")).toBe("in_progress");
      expect(await s.complete(key, "b", TTL)).toBe(true);
      expect(await claim(s, key, "d", "latest", "B")).toBe("duplicate");
    });

    it("key layout: one string per key under the prefix; TTL the later of lease and done, in server time", async () => {
      const prefix = `layout:${randomUUID()}:`;
      const s = redisStore({ client: client().client, prefix });
      const key = "bot:RATE_MESSAGE:m1";
      const full = prefix + key;
      const value = async () => String(await client().command(["GET", full]));
      const pttl = async () => Number(await client().command(["PTTL", full]));
      const serverNow = async () => {
        const [sec, us] = (await client().command(["TIME"])) as [string, string];
        return Number(sec) * 1000 + Math.floor(Number(us) / 1000);
      };

      expect(await claim(s, key, "a", "latest", "up", 45_000)).toBe("claimed");
      expect(await value()).toBe("c1:a=up");
      expect(await pttl()).toBeGreaterThan(40_000);
      expect(await pttl()).toBeLessThanOrEqual(45_000);

      expect(await s.complete(key, "a", { ttlMs: 30 * 60_000 })).toBe(true);
      expect(await value()).toBe("d=up");
      expect(await pttl()).toBeGreaterThan(29 * 60_000);

      // latest mode, another fingerprint: the claim and the previous done share the key.
      expect(await claim(s, key, "tok-b", "latest", "down", 45_000)).toBe("claimed");
      const both = JSON.parse(await value()) as Record<string, unknown>;
      expect(both).toMatchObject({ t: "tok-b", cf: "down", df: "up" });
      const now = await serverNow();
      expect(Number(both.ce) - now).toBeGreaterThan(40_000);
      expect(Number(both.ce) - now).toBeLessThanOrEqual(45_000);
      expect(Number(both.de) - now).toBeGreaterThan(29 * 60_000);
      expect(await pttl()).toBeGreaterThan(29 * 60_000);
      expect(await s.renew(key, "tok-b", 40 * 60_000)).toBe(true);
      expect(await pttl()).toBeGreaterThan(39 * 60_000);
      expect(await s.release(key, "tok-b")).toBe(true);
      expect(await value()).toBe("d=up");
      expect(await pttl()).toBeLessThanOrEqual(30 * 60_000);
      expect(await pttl()).toBeGreaterThan(29 * 60_000);

      const other = randomUUID();
      expect(await claim(s, other, "x")).toBe("claimed");
      expect(String(await client().command(["GET", prefix + other]))).toBe("c1:x");
      expect(await s.renew(other, "x", 90_000)).toBe(true);
      expect(Number(await client().command(["PTTL", prefix + other]))).toBeGreaterThan(85_000);
      expect(await s.complete(other, "x", TTL)).toBe(true);
      expect(String(await client().command(["GET", prefix + other]))).toBe("d");
      const third = randomUUID();
      expect(await claim(s, third, "y")).toBe("claimed");
      expect(await s.release(third, "y")).toBe(true);
      expect(Number(await client().command(["EXISTS", prefix + third]))).toBe(0);
    });

    it("runs again after the server's script cache was flushed (NOSCRIPT)", async () => {
      const s = store();
      const key = randomUUID();
      expect(await claim(s, key, "a")).toBe("claimed");
      await client().command(["SCRIPT", "FLUSH"]);
      expect(await s.complete(key, "a", TTL)).toBe(true);
      await client().command(["SCRIPT", "FLUSH"]);
      expect(await claim(s, key, "b")).toBe("duplicate");
      await client().command(["SCRIPT", "FLUSH"]);
      expect(await claim(s, randomUUID(), "c")).toBe("claimed");
    });

    it("rejects with RedisStoreTimeoutError when Redis does not answer within timeoutMs", async () => {
      const s = redisStore({ client: client().client, timeoutMs: 150 });
      const pauser = await ioredisClient(server.url);
      try {
        await pauser.command(["CLIENT", "PAUSE", "2000", "WRITE"]);
        const error = await claim(s, randomUUID(), "a").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RedisStoreTimeoutError);
        expect(error).toMatchObject({ operation: "claim", timeoutMs: 150 });
      } finally {
        await pauser.command(["CLIENT", "UNPAUSE"]);
        await pauser.close();
      }
      await client().ready();
    });
  });

  it("an ioredis receiver and a node-redis receiver share the keys: 200 concurrent claims, one winner", async () => {
    const prefix = `mixed:${randomUUID()}:`;
    const a = redisStore({ client: clients.ioredis!.client, prefix });
    const b = redisStore({ client: clients["node-redis"]!.client, prefix });
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => claim(i % 2 ? a : b, key, `t${i}`)),
    );
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    const winner = results.indexOf("claimed");
    // Ownership is the token, whichever instance holds it.
    expect(await a.complete(key, `t${(winner + 1) % 200}`, TTL)).toBe(false);
    expect(await (winner % 2 ? b : a).complete(key, `t${winner}`, TTL)).toBe(true);
    expect(await claim(b, key, "late")).toBe("duplicate");
    expect(await claim(a, key, "late")).toBe("duplicate");
  });
});
