/**
 * `npm run bench:adapters` (in bench/): the overhead of each adapter. For every
 * module in `src/adapters/` (see `AdapterBench`), requests/s of (a) the bare
 * framework route and (b) the same app with our adapter and a no-op handler,
 * under the same autocannon load on 127.0.0.1, alternating a/b (and which goes
 * first) over several short rounds; prints the ratio b/a per round, summarised
 * by its median (robust to a round disturbed by another process), mean ± sd
 * and min..max.
 *
 * Every request is a valid MESSAGE with the right secret and a fresh
 * messageId (dedupe stays on: each delivery is claimed and completed).
 * Servers run in child processes (each module forks its own), autocannon here.
 * When a module gives its server's pid, the server's CPU time per answer is
 * reported too (from /proc): on a shared machine, another process taking the
 * cores moves requests/s a lot and CPU time per answer much less.
 *
 * Flags: --rounds 8 --duration 2 (s per measurement) --warmup 2 (s per server)
 *        --connections 10 --only express,hono
 * Defaults take about 40 s per framework.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type AdapterBench,
  BENCH_HEADER,
  BENCH_HEADERS,
  type BenchServer,
  benchDelivery,
} from "./adapterBench.js";

/** The part of autocannon's result used here (autocannon ships no types). */
interface CannonResult {
  readonly duration: number;
  readonly "2xx": number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
interface CannonRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { setupRequest: (req: CannonRequest) => CannonRequest }[];
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** The targets for b/a. */
const TARGETS: Readonly<Record<string, number>> = { express: 0.97, fastify: 0.9, hono: 0.9 };

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "8" },
    duration: { type: "string", default: "2" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    only: { type: "string" },
  },
});
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const only = flags.only?.split(",").map((s) => s.trim());

/** One measurement: 2xx answers per second, server CPU per answer, what went wrong. */
interface Measure {
  readonly rps: number;
  /** Server CPU time per 2xx answer in µs, when its pid is known (Linux). */
  readonly cpu: number | undefined;
  readonly failures: number;
}

/** CPU time (user + system, µs) a process used so far, from /proc; undefined elsewhere. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ": state is field 3, utime 14, stime 15, in USER_HZ (100/s).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function load(server: BenchServer, seconds: number): Promise<Measure> {
  const before = cpuMicros(server.pid);
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: "POST",
          headers: { ...BENCH_HEADERS },
          body: benchDelivery(),
        }),
      },
    ],
  });
  const after = cpuMicros(server.pid);
  return {
    rps: result["2xx"] / result.duration,
    cpu: before === undefined || after === undefined ? undefined : (after - before) / result["2xx"],
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Checks that a server takes the measured path before measuring it. */
async function probe(server: BenchServer, variant: "bare" | "adapter"): Promise<void> {
  const post = (headers: Record<string, string>) =>
    fetch(server.url, { method: "POST", headers, body: benchDelivery() });
  const ok = await post({ ...BENCH_HEADERS });
  const body = await ok.text();
  if (ok.status !== 200 || !(JSON.parse(body) as { ok?: unknown }).ok) {
    throw new Error(`${variant} answered ${ok.status} ${body} to a valid delivery`);
  }
  if (variant === "adapter") {
    const { [BENCH_HEADER]: _secret, ...unsigned } = BENCH_HEADERS;
    const rejected = await post(unsigned);
    await rejected.text();
    if (rejected.status !== 401) {
      throw new Error(`adapter answered ${rejected.status} without the secret: not our adapter?`);
    }
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const stdev = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

interface Row {
  readonly name: string;
  readonly bare: number;
  readonly adapter: number;
  readonly ratios: readonly number[];
  /** Per round, bare CPU/answer over adapter CPU/answer (the same sense as b/a). */
  readonly cpuRatios: readonly number[];
  readonly cpuBare: number | undefined;
  readonly cpuAdapter: number | undefined;
  readonly failures: number;
  readonly error?: string;
}

async function benchOne(mod: AdapterBench): Promise<Row> {
  const servers: BenchServer[] = [];
  try {
    const bare = await mod.bare();
    servers.push(bare);
    const adapter = await mod.adapter();
    servers.push(adapter);
    await probe(bare, "bare");
    await probe(adapter, "adapter");
    await load(bare, warmup);
    await load(adapter, warmup);

    const bares: number[] = [];
    const adapters: number[] = [];
    const ratios: number[] = [];
    const cpuBares: number[] = [];
    const cpuAdapters: number[] = [];
    const cpuRatios: number[] = [];
    let failures = 0;
    for (let round = 1; round <= rounds; round++) {
      // Alternate which variant goes first, so a drift (thermal, GC, the other
      // process) does not always favour the same one.
      const order =
        round % 2 === 1 ? (["bare", "adapter"] as const) : (["adapter", "bare"] as const);
      const got: Partial<Record<"bare" | "adapter", Measure>> = {};
      for (const variant of order) {
        got[variant] = await load(variant === "bare" ? bare : adapter, duration);
      }
      const a = got.bare!;
      const b = got.adapter!;
      bares.push(a.rps);
      adapters.push(b.rps);
      ratios.push(b.rps / a.rps);
      let cpuNote = "";
      if (a.cpu !== undefined && b.cpu !== undefined) {
        cpuBares.push(a.cpu);
        cpuAdapters.push(b.cpu);
        cpuRatios.push(a.cpu / b.cpu);
        cpuNote = `; CPU/answer ${a.cpu.toFixed(0)} vs ${b.cpu.toFixed(0)} µs, a/b ${(a.cpu / b.cpu).toFixed(3)}`;
      }
      failures += a.failures + b.failures;
      process.stderr.write(
        `${mod.name} round ${round}/${rounds}: bare ${fmt(a.rps)} req/s, adapter ${fmt(b.rps)} req/s, ` +
          `b/a ${(b.rps / a.rps).toFixed(3)}${cpuNote}\n`,
      );
    }
    const cpuKnown = cpuRatios.length > 0;
    return {
      name: mod.name,
      bare: median(bares),
      adapter: median(adapters),
      ratios,
      cpuRatios,
      cpuBare: cpuKnown ? median(cpuBares) : undefined,
      cpuAdapter: cpuKnown ? median(cpuAdapters) : undefined,
      failures,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      name: mod.name,
      bare: 0,
      adapter: 0,
      ratios: [],
      cpuRatios: [],
      cpuBare: undefined,
      cpuAdapter: undefined,
      failures: 0,
      error: message,
    };
  } finally {
    for (const server of servers) await server.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const cpuColumns = (row: Row) =>
  row.cpuBare === undefined || row.cpuAdapter === undefined
    ? "n/a | n/a |"
    : `${row.cpuBare.toFixed(0)}, ${row.cpuAdapter.toFixed(0)} | ${median(row.cpuRatios).toFixed(3)} ` +
      `(${Math.min(...row.cpuRatios).toFixed(3)}..${Math.max(...row.cpuRatios).toFixed(3)}) |`;

function isBench(value: unknown): value is AdapterBench {
  const m = value as Partial<AdapterBench> | null;
  return (
    typeof m?.name === "string" && typeof m.bare === "function" && typeof m.adapter === "function"
  );
}

async function main(): Promise<void> {
  const dir = new URL("./adapters/", import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .sort();
  const modules: AdapterBench[] = [];
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(`${dir.pathname}${file}`).href);
    if (!isBench(mod)) {
      process.stderr.write(`skipping adapters/${file}: no { name, bare, adapter } exports\n`);
      continue;
    }
    if (!only || only.includes(mod.name)) modules.push(mod);
  }

  // bench/tsconfig.json has no paths: packages load from their dist, as users get them.
  const from = import.meta.resolve("@fineguide-webhooks/core").includes("/dist/")
    ? "packages from dist (run `npm run build` after changing them)"
    : "packages from src";
  process.stderr.write(
    `adapter bench: ${modules.map((m) => m.name).join(", ")}; ${rounds} rounds x ${duration} s, ` +
      `${connections} connections, warmup ${warmup} s; node ${process.version}, ` +
      `${availableParallelism()} cores; ${from}\n`,
  );
  const rows: Row[] = [];
  for (const mod of modules) rows.push(await benchOne(mod));

  const lines = [
    "| framework | bare req/s | adapter req/s | b/a median | b/a mean ± sd | b/a min..max | target | | CPU µs/answer a, b | CPU a/b median (min..max) |",
    "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
  ];
  for (const row of rows) {
    const target = TARGETS[row.name] ?? 0.9;
    if (row.error) {
      lines.push(`| ${row.name} | | | | | | ${target} | error: ${row.error} | | |`);
      continue;
    }
    const ratio = median(row.ratios);
    const verdict =
      row.failures > 0 ? `${row.failures} failed requests` : ratio >= target ? "ok" : "below";
    lines.push(
      `| ${row.name} | ${fmt(row.bare)} | ${fmt(row.adapter)} | ${ratio.toFixed(3)} | ` +
        `${mean(row.ratios).toFixed(3)} ± ${stdev(row.ratios).toFixed(3)} | ` +
        `${Math.min(...row.ratios).toFixed(3)}..${Math.max(...row.ratios).toFixed(3)} | ` +
        `${target} | ${verdict} | ${cpuColumns(row)}`,
    );
  }
  console.log(lines.join("\n"));
  if (rows.some((r) => r.error || r.failures > 0)) process.exitCode = 1;
}

await main();
