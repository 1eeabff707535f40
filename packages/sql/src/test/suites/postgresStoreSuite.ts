import { randomUUID } from "node:crypto";
import { memoryStore } from "@fineguide-webhooks/core";
import pg from "pg";
import { beforeAll, expect, it, onTestFinished, vi } from "vitest";
import { postgresSchema } from "../../index.js";
import { type PostgresStore, postgresStore } from "../../postgres/index.js";
import { sleep, until } from "../events.js";
import type { PostgresServer } from "../postgresServer.js";
import { claim, LEASE, SCENARIOS, sameAnswersAsMemoryStore, TTL } from "../scenarios.js";
import type { SharedPostgres } from "./shared.js";

/** The store's own tests, on the file's Postgres. */
export function postgresStoreTests(shared: SharedPostgres): void {
  let server: PostgresServer;
  let pool: pg.Pool;
  let store: PostgresStore;

  beforeAll(async () => {
    ({ server, pool } = shared);
    store = postgresStore({ pool });
    await store.migrate();
  });

  /**
   * The server's clock `ms` later, as one key sees it: its lease and done time
   * moved `ms` into the past. No test waits for a lease or a TTL, so none
   * depends on how fast a loaded machine runs.
   */
  const later = (key: string, ms: number) =>
    pool.query(
      `UPDATE fineguide_webhooks_dedupe SET
         lease_until = lease_until - $2::float8 * interval '1 millisecond',
         done_until = done_until - $2::float8 * interval '1 millisecond'
       WHERE key = $1`,
      [key, ms],
    );

  it.each(SCENARIOS)("$name (same answers as memoryStore)", async (scenario) => {
    const key = `bot:MESSAGE:${randomUUID()}`;
    expect(await scenario.run(memoryStore({ max: 100 }), key)).toEqual(scenario.expected);
    expect(await scenario.run(store, key)).toEqual(scenario.expected);
  });

  it("random sequences of operations: the same answers as memoryStore (fast-check)", async () => {
    await sameAnswersAsMemoryStore(() => store, 100);
  }, 60_000);

  it("200 concurrent identical claims: exactly one winner, then 200 duplicates", async () => {
    const key = randomUUID();
    const tokens = Array.from({ length: 200 }, () => randomUUID());
    const results = await Promise.all(tokens.map((token) => claim(store, key, token)));
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r === "in_progress")).toHaveLength(199);
    const winner = tokens[results.indexOf("claimed")]!;
    const completes = await Promise.all(tokens.map((token) => store.complete(key, token, TTL)));
    expect(completes.filter(Boolean)).toHaveLength(1);
    expect(completes[tokens.indexOf(winner)]).toBe(true);
    const again = await Promise.all(tokens.map((token) => claim(store, key, token)));
    expect(new Set(again)).toEqual(new Set(["duplicate"]));
  });

  it("200 concurrent claims through two pools (two instances) on a lapsed latest key: one winner", async () => {
    const other = new pg.Pool({ connectionString: server.url, max: 20 });
    other.on("error", () => {});
    try {
      const second = postgresStore({ pool: other });
      const key = randomUUID();
      expect(await claim(store, key, "old", "latest", "A")).toBe("claimed");
      expect(await store.complete(key, "old", TTL)).toBe(true);
      expect(await claim(store, key, "crashed", "latest", "B", 50)).toBe("claimed");
      await sleep(100); // the claim lapsed; the done fingerprint A is still remembered
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          claim(i % 2 ? store : second, key, `t${i}`, "latest", `fp${i % 7}`),
        ),
      );
      expect(results.filter((r) => r === "claimed")).toHaveLength(1);
      expect(results.filter((r) => r === "in_progress")).toHaveLength(199);
    } finally {
      await other.end();
    }
  });

  it.each(["once", "latest"] as const)(
    "lease expiry (%s): a lapsed claim is taken over; its late complete/release/renew change nothing",
    async (mode) => {
      const key = randomUUID();
      expect(await claim(store, key, "crashed", mode, "A")).toBe("claimed");
      expect(await claim(store, key, "other", mode, "B")).toBe("in_progress");
      await later(key, LEASE);
      expect(await claim(store, key, "taker", mode, "B")).toBe("claimed");
      expect(await store.complete(key, "crashed", TTL)).toBe(false);
      expect(await store.release(key, "crashed")).toBe(false);
      expect(await store.renew(key, "crashed", LEASE)).toBe(false);
      expect(await claim(store, key, "third", mode, "B")).toBe("in_progress");
      expect(await store.complete(key, "taker", TTL)).toBe(true);
      expect(await claim(store, key, "fourth", mode, "B")).toBe("duplicate");
    },
  );

  it("latest: an expired claim on a done key cannot complete; the done fingerprint stays", async () => {
    const key = randomUUID();
    expect(await claim(store, key, "a", "latest", "A")).toBe("claimed");
    expect(await store.complete(key, "a", TTL)).toBe(true);
    expect(await claim(store, key, "slow", "latest", "B", 100)).toBe("claimed");
    await sleep(200);
    expect(await store.renew(key, "slow", LEASE)).toBe(false);
    expect(await store.complete(key, "slow", TTL)).toBe(false);
    expect(await store.release(key, "slow")).toBe(false);
    expect(await claim(store, key, "again", "latest", "A")).toBe("duplicate");
    expect(await claim(store, key, "next", "latest", "B")).toBe("claimed");
  });

  it("renew keeps a claim past its first lease; a done key expires with its TTL", async () => {
    const key = randomUUID();
    expect(await claim(store, key, "b", "once", undefined, 10_000)).toBe("claimed");
    expect(await store.renew(key, "b", LEASE)).toBe(true);
    await later(key, 20_000); // past the first lease, within the renewed one
    expect(await claim(store, key, "c")).toBe("in_progress");
    expect(await store.complete(key, "b", { ttlMs: 10_000 })).toBe(true);
    expect(await claim(store, key, "d")).toBe("duplicate");
    await later(key, 20_000);
    expect(await claim(store, key, "e")).toBe("claimed");
  });

  it("times are the server's: this process's clock an hour ahead changes nothing", async () => {
    const key = randomUUID();
    const realNow = Date.now;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 3_600_000);
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    expect(await claim(store, key, "a", "latest", "up", 45_000)).toBe("claimed");
    expect(await claim(store, key, "b", "latest", "down", 45_000)).toBe("in_progress");
    const row = async () =>
      (
        await pool.query<{ lease: number; done: number; fp: string | null }>(
          `SELECT extract(epoch FROM lease_until - statement_timestamp()) * 1000 AS lease,
                  extract(epoch FROM done_until - statement_timestamp()) * 1000 AS done,
                  done_fingerprint AS fp
           FROM fineguide_webhooks_dedupe WHERE key = $1`,
          [key],
        )
      ).rows[0]!;
    const claimed = await row();
    expect(Number(claimed.lease)).toBeGreaterThan(40_000);
    expect(Number(claimed.lease)).toBeLessThanOrEqual(45_000);
    expect(await store.complete(key, "a", TTL)).toBe(true);
    const done = await row();
    expect(done.lease).toBeNull();
    expect(Number(done.done)).toBeGreaterThan(29 * 60_000);
    expect(done.fp).toBe("up");
  });

  it("every sweepEvery claims, the next sweepBatch keys are looked at and the expired deleted; round and round", async () => {
    const table = `sweep_${randomUUID().replaceAll("-", "")}`;
    const s = postgresStore({ pool, table, sweepEvery: 10, sweepBatch: 4 });
    await s.migrate();
    const keys = async () =>
      (await pool.query(`SELECT key FROM ${table} ORDER BY key`)).rows.map((r) => r.key);
    const once = { leaseMs: LEASE, mode: "once" as const };
    for (let i = 0; i < 6; i++) {
      await s.claim(`done-${i}`, { token: "t", ...once });
      await s.complete(`done-${i}`, "t", { ttlMs: 20 });
    }
    await s.claim("crashed", { token: "t", leaseMs: 20, mode: "once" }); // never completed
    await s.claim("live", { token: "t", ...once });
    await s.claim("kept", { token: "t", ...once });
    await s.complete("kept", "t", TTL);
    expect(await keys()).toHaveLength(9);
    await sleep(50);
    // The 10th claim looks at the first 4 keys (crashed, done-0, done-1, done-2), in the background.
    await s.claim("tenth", { token: "t", ...once });
    await until(async () => (await keys()).length === 6, 30_000);
    expect(await keys()).toEqual(["done-3", "done-4", "done-5", "kept", "live", "tenth"]);
    expect(await s.sweep()).toBe(3); // done-3, done-4, done-5 (kept is looked at and stays)
    expect(await s.sweep()).toBe(0); // live, tenth: the end of the table
    expect(await keys()).toEqual(["kept", "live", "tenth"]);
    await s.claim("again", { token: "t", leaseMs: 20, mode: "once" });
    await sleep(50);
    expect(await s.sweep()).toBe(1); // it starts over at the beginning
    expect(await s.sweep(Number.MAX_SAFE_INTEGER)).toBe(0);
    await expect(s.sweep(0)).rejects.toThrow(RangeError);
  });

  it("migrate() from 5 instances at once succeeds; its SQL is the documented schema", async () => {
    const table = `m_${randomUUID().replaceAll("-", "")}`;
    const stores = Array.from({ length: 5 }, () => postgresStore({ pool, table }));
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]!.migrate();
    expect(stores[0]!.schema).toBe(postgresSchema(table));
    expect(await claim(stores[1]!, "k", "a")).toBe("claimed");
    await pool.query("CREATE SCHEMA IF NOT EXISTS hooks");
    const qualified = postgresStore({ pool, table: "hooks.dedupe" });
    await qualified.migrate();
    expect(await claim(qualified, "k", "a")).toBe("claimed");
    expect((await pool.query("SELECT token FROM hooks.dedupe")).rows).toEqual([{ token: "a" }]);
  });
}
