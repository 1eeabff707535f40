import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DedupeStore, memoryStore } from "@fineguide-webhooks/core";
import Database from "better-sqlite3";
import {
  afterAll,
  beforeAll,
  describe,
  expect,
  expectTypeOf,
  it,
  onTestFinished,
  vi,
} from "vitest";
import { sqliteSchema } from "./index.js";
import { type SqliteStore, sqliteStore } from "./sqlite/index.js";
import { sleep } from "./test/events.js";
import { claim, LEASE, SCENARIOS, sameAnswersAsMemoryStore, TTL } from "./test/scenarios.js";

describe("sqliteStore", { timeout: 30_000 }, () => {
  let dir: string;
  let db: Database.Database;
  let store: SqliteStore;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fgw-sqlite-"));
    db = new Database(join(dir, "store.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    store = sqliteStore({ db });
    store.migrate();
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers synchronously, as the memory store does", () => {
    expectTypeOf(store.claim).returns.toEqualTypeOf<"claimed" | "duplicate" | "in_progress">();
    expectTypeOf(store.complete).returns.toEqualTypeOf<boolean>();
    expectTypeOf(store).toExtend<DedupeStore>();
    const key = randomUUID();
    expect(store.claim(key, { token: "a", leaseMs: LEASE, mode: "once" })).toBe("claimed");
    expect(store.complete(key, "a", TTL)).toBe(true);
  });

  it.each(SCENARIOS)("$name (same answers as memoryStore)", async (scenario) => {
    const key = `bot:MESSAGE:${randomUUID()}`;
    expect(await scenario.run(memoryStore({ max: 100 }), key)).toEqual(scenario.expected);
    expect(await scenario.run(store, key)).toEqual(scenario.expected);
  });

  it("random sequences of operations: the same answers as memoryStore (fast-check)", async () => {
    await sameAnswersAsMemoryStore(() => store, 300);
  }, 60_000);

  it("200 concurrent identical claims in one process: one winner, then 200 duplicates", async () => {
    const key = randomUUID();
    const tokens = Array.from({ length: 200 }, () => randomUUID());
    const results = await Promise.all(tokens.map((token) => claim(store, key, token)));
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    const completes = tokens.map((token) => store.complete(key, token, TTL));
    expect(completes.filter(Boolean)).toHaveLength(1);
    const again = await Promise.all(tokens.map((token) => claim(store, key, token)));
    expect(new Set(again)).toEqual(new Set(["duplicate"]));
  });

  /** This process's clock, stopped; `vi.advanceTimersByTime` moves it (the store reads Date.now()). */
  const fakeClock = () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
  };

  it.each(["once", "latest"] as const)(
    "lease expiry (%s): a lapsed claim is taken over; its late complete/release/renew change nothing",
    async (mode) => {
      fakeClock();
      const key = randomUUID();
      expect(await claim(store, key, "crashed", mode, "A", 100)).toBe("claimed");
      expect(await claim(store, key, "other", mode, "B")).toBe("in_progress");
      vi.advanceTimersByTime(100);
      expect(await claim(store, key, "taker", mode, "B")).toBe("claimed");
      expect(store.complete(key, "crashed", TTL)).toBe(false);
      expect(store.release(key, "crashed")).toBe(false);
      expect(store.renew(key, "crashed", LEASE)).toBe(false);
      expect(await claim(store, key, "third", mode, "B")).toBe("in_progress");
      expect(store.complete(key, "taker", TTL)).toBe(true);
      expect(await claim(store, key, "fourth", mode, "B")).toBe("duplicate");
    },
  );

  it("latest: an expired claim on a done key cannot complete; the done fingerprint stays", async () => {
    fakeClock();
    const key = randomUUID();
    expect(await claim(store, key, "a", "latest", "A")).toBe("claimed");
    expect(store.complete(key, "a", TTL)).toBe(true);
    expect(await claim(store, key, "slow", "latest", "B", 50)).toBe("claimed");
    vi.advanceTimersByTime(50);
    expect(store.renew(key, "slow", LEASE)).toBe(false);
    expect(store.complete(key, "slow", TTL)).toBe(false);
    expect(store.release(key, "slow")).toBe(false);
    expect(await claim(store, key, "again", "latest", "A")).toBe("duplicate");
    expect(await claim(store, key, "next", "latest", "B")).toBe("claimed");
  });

  it("renew keeps a claim past its first lease", async () => {
    fakeClock();
    const key = randomUUID();
    expect(await claim(store, key, "b", "once", undefined, 100)).toBe("claimed");
    expect(store.renew(key, "b", LEASE)).toBe(true);
    vi.advanceTimersByTime(150);
    expect(await claim(store, key, "c")).toBe("in_progress");
    expect(store.complete(key, "b", TTL)).toBe(true);
  });

  it("a done key expires with its TTL: claimed again", async () => {
    fakeClock();
    const key = randomUUID();
    expect(await claim(store, key, "a")).toBe("claimed");
    expect(store.complete(key, "a", { ttlMs: 50 })).toBe(true);
    expect(await claim(store, key, "b")).toBe("duplicate");
    vi.advanceTimersByTime(50);
    expect(await claim(store, key, "c")).toBe("claimed");
  });

  it("every sweepEvery claims, the next sweepBatch keys are looked at and the expired deleted; round and round", async () => {
    const table = `sweep_${randomUUID().replaceAll("-", "")}`;
    const s = sqliteStore({ db, table, sweepEvery: 10, sweepBatch: 4 });
    s.migrate();
    const keys = () => db.prepare(`SELECT key FROM ${table} ORDER BY key`).pluck().all();
    const once = { leaseMs: LEASE, mode: "once" as const };
    for (let i = 0; i < 6; i++) {
      s.claim(`done-${i}`, { token: "t", ...once });
      s.complete(`done-${i}`, "t", { ttlMs: 20 });
    }
    s.claim("crashed", { token: "t", leaseMs: 20, mode: "once" }); // never completed
    s.claim("live", { token: "t", ...once });
    s.claim("kept", { token: "t", ...once });
    s.complete("kept", "t", TTL);
    expect(keys()).toHaveLength(9);
    await sleep(50);
    // The 10th claim looks at the first 4 keys (crashed, done-0, done-1, done-2).
    s.claim("tenth", { token: "t", ...once });
    expect(keys()).toEqual(["done-3", "done-4", "done-5", "kept", "live", "tenth"]);
    expect(s.sweep()).toBe(3); // done-3, done-4, done-5 (kept is looked at and stays)
    expect(s.sweep()).toBe(0); // live, tenth: the end of the table
    expect(keys()).toEqual(["kept", "live", "tenth"]);
    s.claim("again", { token: "t", leaseMs: 20, mode: "once" });
    await sleep(50);
    expect(s.sweep()).toBe(1); // it starts over at the beginning
    expect(s.sweep(Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(() => s.sweep(0)).toThrow(RangeError);
  });

  it("migrate() is idempotent and its SQL is the documented schema; a schema-qualified table works", () => {
    store.migrate();
    store.migrate();
    expect(store.schema).toBe(sqliteSchema());
    expect(store.schema).toContain('CREATE TABLE IF NOT EXISTS "fineguide_webhooks_dedupe"');
    db.exec(`ATTACH DATABASE '${join(dir, "other.sqlite")}' AS other`);
    const qualified = sqliteStore({ db, table: "other.dedupe" });
    qualified.migrate();
    expect(qualified.claim("k", { token: "a", leaseMs: LEASE, mode: "once" })).toBe("claimed");
    expect(db.prepare("SELECT token FROM other.dedupe").pluck().get()).toBe("a");
  });

  it("rejects bad options and a missing table with a clear error", () => {
    expect(() => sqliteStore({ db: {} as Database.Database })).toThrow(TypeError);
    for (const table of ["", "a.b.c", "1x", 'x"; DROP TABLE y; --', "a-b"]) {
      expect(() => sqliteStore({ db, table })).toThrow(TypeError);
    }
    expect(() => sqliteStore({ db, ttlMs: 0 })).toThrow(RangeError);
    expect(() => sqliteStore({ db, sweepEvery: -1 })).toThrow(RangeError);
    expect(() => sqliteStore({ db, sweepBatch: 0 })).toThrow(RangeError);
    const missing = sqliteStore({ db, table: "never_migrated" });
    expect(() => missing.claim("k", { token: "a", leaseMs: LEASE, mode: "once" })).toThrow(
      /call store\.migrate\(\)/,
    );
    expect(() => store.claim("k", { token: "a", leaseMs: Number.NaN, mode: "once" })).toThrow(
      TypeError,
    );
  });
});
