/**
 * `npm run bench:sql` (in bench/): claim+complete pairs per second and the
 * p50/p99 latency of one pair through `postgresStore` and `sqliteStore`,
 * each beside the raw statements it replaces on the same database in the
 * same run: `INSERT ... ON CONFLICT DO NOTHING` (the claim) then `UPDATE`
 * (the done mark). A second pair of rows per database measures a
 * transactional delivery with a handler that writes nothing (claim, then
 * BEGIN, done mark and COMMIT on the delivery's own connection) beside the
 * raw INSERT, BEGIN, UPDATE, COMMIT. Short rounds alternate store/raw (and
 * which goes first) so that load from other processes hits both alike; the
 * table gives the median round of each path and the median of the per-round
 * time ratios. The first round of each is a warm-up.
 *
 * Postgres: its own server (initdb copy, durability off as in the tests:
 * fsync=off, so a commit costs a write, not a disk flush, which leaves the
 * statements' own cost to compare) on a free loopback port, stopped at the
 * end; a pg Pool of BENCH_POOL connections (default 20), BENCH_CONCURRENCY
 * pairs in flight (default 20). SQLite: a WAL file in a temporary folder
 * with synchronous=NORMAL, one pair at a time (better-sqlite3 is
 * synchronous). Env: BENCH_PAIRS (per round, default 2 000 for Postgres and
 * 20 000 for SQLite), BENCH_ROUNDS (default 10), BENCH_VERBOSE=1.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { DeliveryRef } from "@fineguide-webhooks/sql";
import { postgresStore } from "@fineguide-webhooks/sql/postgres";
import { sqliteStore } from "@fineguide-webhooks/sql/sqlite";
import Database from "better-sqlite3";
import pg from "pg";
import { startPostgres } from "../../packages/sql/src/test/postgresServer.js";
import { median } from "./median.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const POOL = Number(process.env.BENCH_POOL ?? 20);
const LEASE_MS = 45_000;
const TTL_MS = 30 * 60_000;

/** Both paths must do the real work: a claim that is not `claimed` stops the bench. */
const check = (actual: unknown, expected: unknown) => {
  if (actual !== expected)
    throw new Error(`bench: expected ${String(expected)}, got ${String(actual)}`);
};

/** One claim+complete (or its raw equivalent) on a fresh key. */
type Pair = (key: string, token: string) => Promise<void> | void;

interface Sample {
  readonly seconds: number;
  readonly latencies: number[];
}

async function round(pair: Pair, tag: string, pairs: number, concurrency: number) {
  const latencies: number[] = new Array(pairs);
  let next = 0;
  const worker = async () => {
    while (next < pairs) {
      const i = next++;
      const start = performance.now();
      await pair(`${tag}:${i}`, randomUUID());
      latencies[i] = performance.now() - start;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - start) / 1000, latencies } satisfies Sample;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function summarize(samples: readonly Sample[], pairs: number) {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  return {
    perSecond: median(samples.map((s) => pairs / s.seconds)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface Row {
  readonly database: string;
  readonly path: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly ratio: number;
  /** Whether the 1.5x target applies (claim+complete rows). */
  readonly target: boolean;
}

async function compare(
  database: string,
  names: readonly [store: string, raw: string],
  store: Pair,
  raw: Pair,
  options: { pairs: number; concurrency: number; target: boolean },
): Promise<Row[]> {
  const { pairs, concurrency } = options;
  const run = randomUUID().slice(0, 8);
  await round(store, `warm:s:${run}`, pairs, concurrency);
  await round(raw, `warm:r:${run}`, pairs, concurrency);
  const storeSamples: Sample[] = [];
  const rawSamples: Sample[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always runs on a fuller database.
    const order = r % 2 === 0 ? ([store, raw] as const) : ([raw, store] as const);
    for (const pair of order) {
      const tag = `${pair === store ? "s" : "r"}:${run}:${r}`;
      (pair === store ? storeSamples : rawSamples).push(await round(pair, tag, pairs, concurrency));
    }
  }
  const ratio = median(storeSamples.map((s, i) => s.seconds / rawSamples[i]!.seconds));
  if (process.env.BENCH_VERBOSE) {
    console.log(database, names[0], storeSamples.map((s) => s.seconds.toFixed(3)).join(" "));
    console.log(database, names[1], rawSamples.map((s) => s.seconds.toFixed(3)).join(" "));
  }
  return [
    { database, path: names[0], ...summarize(storeSamples, pairs), ratio, target: options.target },
    { database, path: names[1], ...summarize(rawSamples, pairs), ratio: 1, target: false },
  ];
}

/** What a transactional handler is given: a delivery of `key` claimed with `token`. */
const delivery = (key: string, token: string): DeliveryRef => ({
  deliveryId: token,
  dedupeKey: key,
  signal: new AbortController().signal,
  deadlineAt: Date.now() + 25_000,
});

async function postgres(): Promise<Row[]> {
  const pairs = Number(process.env.BENCH_PAIRS ?? 2_000);
  const server = await startPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: POOL });
  pool.on("error", () => {});
  try {
    const store = postgresStore({ pool });
    await store.migrate();
    await pool.query(
      "CREATE TABLE raw_dedupe (key text PRIMARY KEY, token text, lease_until timestamptz, done_until timestamptz)",
    );
    // Prepared once per connection, as the store's statements are.
    const rawClaim = {
      name: "raw_claim",
      text: `INSERT INTO raw_dedupe (key, token, lease_until) VALUES ($1, $2, now() + interval '45 seconds')
             ON CONFLICT (key) DO NOTHING`,
    };
    const rawDone = {
      name: "raw_done",
      text: `UPDATE raw_dedupe SET token = NULL, lease_until = NULL, done_until = now() + interval '30 minutes'
             WHERE key = $1 AND token = $2`,
    };
    const storePair: Pair = async (key, token) => {
      check(await store.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
      check(await store.complete(key, token, { ttlMs: TTL_MS }), true);
    };
    const rawPair: Pair = async (key, token) => {
      check((await pool.query({ ...rawClaim, values: [key, token] })).rowCount, 1);
      check((await pool.query({ ...rawDone, values: [key, token] })).rowCount, 1);
    };
    const noop = store.transactional<unknown, DeliveryRef>(async () => {});
    const txPair: Pair = async (key, token) => {
      check(await store.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
      await noop({}, delivery(key, token));
      check(await store.complete(key, token, { ttlMs: TTL_MS }), true);
    };
    const rawTxPair: Pair = async (key, token) => {
      check((await pool.query({ ...rawClaim, values: [key, token] })).rowCount, 1);
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        check((await client.query({ ...rawDone, values: [key, token] })).rowCount, 1);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    };
    const options = { pairs, concurrency: CONCURRENCY };
    return [
      ...(await compare(
        "Postgres",
        ["postgresStore claim + complete", "raw INSERT ON CONFLICT + UPDATE"],
        storePair,
        rawPair,
        { ...options, target: true },
      )),
      ...(await compare(
        "Postgres",
        ["transactional: claim, BEGIN, done mark, COMMIT", "raw INSERT, BEGIN, UPDATE, COMMIT"],
        txPair,
        rawTxPair,
        { ...options, target: false },
      )),
    ];
  } finally {
    await pool.end();
    await server.stop();
  }
}

async function sqlite(): Promise<Row[]> {
  const pairs = Number(process.env.BENCH_PAIRS ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), "fgw-bench-sqlite-"));
  const db = new Database(join(dir, "bench.sqlite"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const store = sqliteStore({ db });
    store.migrate();
    db.exec(
      "CREATE TABLE raw_dedupe (key TEXT PRIMARY KEY, token TEXT, lease_until INTEGER, done_until INTEGER) WITHOUT ROWID",
    );
    const rawClaim = db.prepare(
      "INSERT INTO raw_dedupe (key, token, lease_until) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
    );
    const rawDone = db.prepare(
      "UPDATE raw_dedupe SET token = NULL, lease_until = NULL, done_until = ? WHERE key = ? AND token = ?",
    );
    const storePair: Pair = (key, token) => {
      check(store.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
      check(store.complete(key, token, { ttlMs: TTL_MS }), true);
    };
    const rawPair: Pair = (key, token) => {
      check(rawClaim.run(key, token, Date.now() + LEASE_MS).changes, 1);
      check(rawDone.run(Date.now() + TTL_MS, key, token).changes, 1);
    };
    const noop = store.transactional<unknown, DeliveryRef>(() => {});
    const txPair: Pair = (key, token) => {
      check(store.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
      noop({}, delivery(key, token));
      check(store.complete(key, token, { ttlMs: TTL_MS }), true);
    };
    const rawTx = db.transaction((key: string, token: string) => {
      check(rawDone.run(Date.now() + TTL_MS, key, token).changes, 1);
    });
    const rawTxPair: Pair = (key, token) => {
      check(rawClaim.run(key, token, Date.now() + LEASE_MS).changes, 1);
      rawTx.immediate(key, token);
    };
    const options = { pairs, concurrency: 1 };
    return [
      ...(await compare(
        "SQLite",
        ["sqliteStore claim + complete", "raw INSERT ON CONFLICT + UPDATE"],
        storePair,
        rawPair,
        { ...options, target: true },
      )),
      ...(await compare(
        "SQLite",
        ["transactional: claim, BEGIN, done mark, COMMIT", "raw INSERT, BEGIN, UPDATE, COMMIT"],
        txPair,
        rawTxPair,
        { ...options, target: false },
      )),
    ];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = loadavg()[0]!.toFixed(2);
const rows = [...(await postgres()), ...(await sqlite())];

const fixed = (n: number, digits: number) => n.toFixed(digits);
console.log(
  `\nSQL stores vs raw statements: node ${process.version}, ${cpus().length} cores, load average ` +
    `${load} at start; ${ROUNDS} rounds per path; Postgres on loopback (fsync off), ` +
    `${CONCURRENCY} pairs in flight on a pool of ${POOL}; SQLite WAL, synchronous=NORMAL, one ` +
    "pair at a time; pairs/s is the median round\n",
);
console.log("| database | path | pairs/s | p50 ms | p99 ms | time vs raw |");
console.log("|---|---|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(
    `| ${row.database} | ${row.path} | ${Math.round(row.perSecond)} | ${fixed(row.p50, 3)} | ${fixed(row.p99, 3)} | ${fixed(row.ratio, 2)}x |`,
  );
}
for (const row of rows.filter((r) => r.target)) {
  console.log(
    `\n${row.database}: store time / raw time (median of rounds): ${fixed(row.ratio, 2)}x ` +
      `(target: within 1.5x) -> ${row.ratio <= 1.5 ? "OK" : "MISSED"}`,
  );
}
