/**
 * `npm run bench:redis` (in bench/): claim+complete pairs per second and the
 * p50/p99 latency of one pair through `redisStore`, beside the two raw
 * commands it replaces (`SET key token NX PX lease`, then `SET key done PX ttl`)
 * sent by the same client to the same redis-server, in the same run. Short
 * rounds alternate store/raw (and which goes first) so that load from other
 * processes hits both alike; the table gives the median round of each path and
 * the median of the per-round ratios. The first round of each is a warm-up.
 *
 * It starts its own redis-server (persistence off) on a free loopback port
 * and stops it at the end. Env: BENCH_PAIRS (per round, default 5 000),
 * BENCH_CONCURRENCY (pairs in flight, default 50), BENCH_ROUNDS (default 12),
 * BENCH_VERBOSE=1 (print every round). The header line gives the machine's
 * load average: other processes on the same cores widen the gap (the store's
 * scripts cost Redis more CPU than two plain SETs, see the README).
 */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { redisStore } from "@fineguide-webhooks/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startRedisServer } from "../../packages/redis/src/test/redisServer.js";
import { median } from "./median.js";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const LEASE_MS = 45_000;
const TTL_MS = 30 * 60_000;

/** Both paths must do the real work: a claim that is not `claimed` stops the bench. */
const check = (actual: unknown, expected: unknown) => {
  if (actual !== expected)
    throw new Error(`bench: expected ${String(expected)}, got ${String(actual)}`);
};

/** One claim+complete (or its raw equivalent) on a fresh key. */
type Pair = (key: string, token: string) => Promise<void>;

interface Sample {
  readonly seconds: number;
  readonly latencies: number[];
}

async function round(pair: Pair, tag: string): Promise<Sample> {
  const latencies: number[] = new Array(PAIRS);
  let next = 0;
  const worker = async () => {
    while (next < PAIRS) {
      const i = next++;
      const start = performance.now();
      await pair(`${tag}:${i}`, randomUUID());
      latencies[i] = performance.now() - start;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - start) / 1000, latencies };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function summarize(samples: readonly Sample[]) {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  return {
    perSecond: median(samples.map((s) => PAIRS / s.seconds)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function compare(name: string, store: Pair, raw: Pair) {
  const run = randomUUID().slice(0, 8);
  await round(store, `warm:s:${run}`);
  await round(raw, `warm:r:${run}`);
  const storeSamples: Sample[] = [];
  const rawSamples: Sample[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always runs on a fuller server.
    const order = r % 2 === 0 ? ([store, raw] as const) : ([raw, store] as const);
    for (const pair of order) {
      const sample = await round(pair, `${pair === store ? "s" : "r"}:${run}:${r}`);
      (pair === store ? storeSamples : rawSamples).push(sample);
    }
  }
  const ratio = median(storeSamples.map((s, i) => s.seconds / rawSamples[i]!.seconds));
  if (process.env.BENCH_VERBOSE) {
    console.log(name, "store s", storeSamples.map((s) => s.seconds.toFixed(3)).join(" "));
    console.log(name, "raw   s", rawSamples.map((s) => s.seconds.toFixed(3)).join(" "));
  }
  return [
    { client: name, path: "redisStore claim + complete", ...summarize(storeSamples), ratio },
    { client: name, path: "raw SET NX PX + SET PX", ...summarize(rawSamples), ratio: 1 },
  ];
}

const load = loadavg()[0]!.toFixed(2);
const server = await startRedisServer();
const rows: Awaited<ReturnType<typeof compare>> = [];
try {
  const io = new Redis(server.url, { enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  const ioStore = redisStore({ client: io, prefix: "bench:store:" });
  rows.push(
    ...(await compare(
      "ioredis",
      async (key, token) => {
        check(await ioStore.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
        check(await ioStore.complete(key, token, { ttlMs: TTL_MS }), true);
      },
      async (key, token) => {
        check(await io.set(`bench:raw:${key}`, token, "PX", LEASE_MS, "NX"), "OK");
        check(await io.set(`bench:raw:${key}`, "done", "PX", TTL_MS), "OK");
      },
    )),
  );
  io.disconnect();

  const node = createClient({ url: server.url });
  node.on("error", () => {});
  await node.connect();
  const nodeStore = redisStore({ client: node, prefix: "bench:store:" });
  rows.push(
    ...(await compare(
      "node-redis",
      async (key, token) => {
        check(await nodeStore.claim(key, { token, leaseMs: LEASE_MS, mode: "once" }), "claimed");
        check(await nodeStore.complete(key, token, { ttlMs: TTL_MS }), true);
      },
      async (key, token) => {
        check(await node.set(`bench:raw:${key}`, token, { NX: true, PX: LEASE_MS }), "OK");
        check(await node.set(`bench:raw:${key}`, "done", { PX: TTL_MS }), "OK");
      },
    )),
  );
  node.destroy();
} finally {
  await server.stop();
}

const fixed = (n: number, digits: number) => n.toFixed(digits);
console.log(
  `\nredisStore vs raw commands: redis-server on loopback, node ${process.version}, ` +
    `${cpus().length} cores, load average ${load} at start; ${ROUNDS} rounds x ${PAIRS} pairs ` +
    `per path, ${CONCURRENCY} in flight; pairs/s is the median round\n`,
);
console.log("| client | path | pairs/s | p50 ms | p99 ms | time vs raw |");
console.log("|---|---|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(
    `| ${row.client} | ${row.path} | ${Math.round(row.perSecond)} | ${fixed(row.p50, 3)} | ${fixed(row.p99, 3)} | ${fixed(row.ratio, 2)}x |`,
  );
}
const worst = Math.max(...rows.map((r) => r.ratio));
console.log(
  `\nstore time / raw time (median of rounds), worst client: ${fixed(worst, 2)}x (target: within 1.5x) -> ${worst <= 1.5 ? "OK" : "MISSED"}`,
);
