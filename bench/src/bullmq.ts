/**
 * `npm run bench:bullmq` (in bench/): what the BullMQ hand-off costs the
 * receiver, and what one worker process drains. On Express, under the same
 * autocannon load on 127.0.0.1, in the same run, rounds alternating which
 * goes first:
 *
 * - inline: `fineguideWebhook` with a no-op handler (in-memory dedupe);
 * - hand-off: the same route with `onAny: queue.handOff` (each delivery a job
 *   in Redis before the 200);
 * - hand-off + Redis dedupe: the same with `redisStore()`, as several
 *   instances run it.
 *
 * requests/s, and p50/p99 answer time from autocannon. Then one worker
 * process (no-op handler) drains every job the hand-off rounds queued:
 * events/s. Every request is a valid MESSAGE with a fresh messageId.
 *
 * Servers and the worker run in child processes (this file, forked with
 * `FG_BULLMQ_SERVE` set), from bench/, so packages load from their built
 * dist (run `npm run build`, as the root script does). It starts its own
 * redis-server (persistence off) on a free port.
 *
 * Flags: --rounds 3 --duration 3 (s per measurement) --warmup 1
 *        --connections 10 --concurrency 16 (the worker's)
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectionFromUrl, createWebhookQueue, createWorker } from "@fineguide-webhooks/bullmq";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { redisStore } from "@fineguide-webhooks/redis";
import express from "express";
import { Redis } from "ioredis";
import { startRedisServer } from "../../packages/redis/src/test/redisServer.js";
import { BENCH_HEADERS, BENCH_PATH, BENCH_SECRET, benchDelivery } from "./adapterBench.js";
import { announce, serveNode } from "./childServer.js";
import { median } from "./median.js";

/** The routes measured, in table order. */
const ROUTES = ["inline", "handOff", "handOffRedis"] as const;
type Route = (typeof ROUTES)[number];
const LABEL: Readonly<Record<Route, string>> = {
  inline: "inline, no-op handler",
  handOff: "hand-off (queue.handOff)",
  handOffRedis: "hand-off + Redis dedupe store",
};
const QUEUE = "bench-handoff";

/** The part of autocannon's result used here (autocannon ships no types). */
interface CannonResult {
  readonly duration: number;
  readonly "2xx": number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: { readonly p50: number; readonly p99: number };
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

// ---- in a child: serve one route, or run the worker -------------------------------------------

async function serve(route: Route, redisUrl: string): Promise<void> {
  const connection = connectionFromUrl(redisUrl);
  const queue =
    route === "inline" ? undefined : createWebhookQueue({ connection, queueName: QUEUE });
  await queue?.ready();
  let client: Redis | undefined;
  if (route === "handOffRedis") {
    client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    await once(client, "ready");
  }
  const app = express()
    .set("etag", false)
    .post(
      BENCH_PATH,
      fineguideWebhook({
        secret: BENCH_SECRET,
        ...(client ? { dedupe: redisStore({ client, prefix: "bench:dedupe:" }) } : {}),
        onAny: queue ? queue.handOff : () => {},
      }),
    );
  await serveNode(createServer(app), BENCH_PATH);
}

async function work(redisUrl: string, concurrency: number): Promise<void> {
  const worker = createWorker({
    connection: connectionFromUrl(redisUrl),
    queueName: QUEUE,
    concurrency,
    onAny: () => {},
  });
  await worker.ready();
  announce("worker", () => worker.close({ timeoutMs: 1_000 }));
}

// ---- in the parent -----------------------------------------------------------------------------

interface Child {
  readonly url: string;
  close(): Promise<void>;
}

/** Forks this file serving `role`, from bench/ (packages from dist). */
async function forkChild(role: string, env: Record<string, string>): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), {
    env: { ...process.env, ...env, FG_BULLMQ_SERVE: role },
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const message = await new Promise<{ url: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string }));
    child.once("exit", (code) => reject(new Error(`${role} exited (${code})`)));
  });
  let closed: Promise<void> | undefined;
  return {
    url: message.url,
    close: () => {
      closed ??= (async () => {
        const exited = once(child, "exit");
        child.disconnect();
        await exited;
      })();
      return closed;
    },
  };
}

interface Measure {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly failures: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMs = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      duration: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      connections: { type: "string", default: "10" },
      concurrency: { type: "string", default: "16" },
    },
  });
  const rounds = Number(flags.rounds);
  const duration = Number(flags.duration);
  const connections = Number(flags.connections);
  const concurrency = Number(flags.concurrency);
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

  const redis = await startRedisServer();
  const env = { FG_BULLMQ_REDIS: redis.url };
  const servers: Partial<Record<Route, Child>> = {};
  process.stderr.write(
    `bullmq bench: express, ${rounds} rounds x ${duration} s, ${connections} connections; ` +
      `node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}; ` +
      `redis-server on ${redis.url}\n`,
  );
  try {
    for (const route of ROUTES) servers[route] = await forkChild(route, env);
    const load = async (route: Route, seconds: number): Promise<Measure> => {
      const result = await autocannon({
        url: servers[route]!.url,
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
      return {
        rps: result["2xx"] / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        ok: result["2xx"],
        failures: result.non2xx + result.errors + result.timeouts,
      };
    };
    for (const route of ROUTES) await load(route, Number(flags.warmup));

    const got: Record<Route, Measure[]> = { inline: [], handOff: [], handOffRedis: [] };
    for (let round = 0; round < rounds; round++) {
      const order = ROUTES.map((_, i) => ROUTES[(round + i) % ROUTES.length]!);
      for (const route of order) got[route].push(await load(route, duration));
      process.stderr.write(
        `round ${round + 1}/${rounds}: ${ROUTES.map((r) => `${r} ${fmt(got[r].at(-1)!.rps)} req/s`).join(", ")}\n`,
      );
    }
    for (const route of ROUTES) await servers[route]?.close();

    // The worker drains everything the hand-off routes queued (warm-ups included).
    const queue = createWebhookQueue({
      connection: connectionFromUrl(redis.url),
      queueName: QUEUE,
    });
    const queued = (await queue.status()).waiting;
    const started = performance.now();
    const worker = await forkChild("worker", {
      ...env,
      FG_BULLMQ_CONCURRENCY: String(concurrency),
    });
    let done = 0;
    while (done < queued) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      done = (await queue.status()).completed;
    }
    const seconds = (performance.now() - started) / 1000; // includes the worker's start
    await worker.close();
    await queue.close();

    const inline = median(got.inline.map((m) => m.rps));
    const lines = [
      `| route (Express, autocannon ${connections} connections) | req/s (median) | vs inline | p50 ms | p99 ms | failed |`,
      "|---|---:|---:|---:|---:|---:|",
      ...ROUTES.map((route) => {
        const ms = got[route];
        const rps = median(ms.map((m) => m.rps));
        return (
          `| ${LABEL[route]} | ${fmt(rps)} | ${(rps / inline).toFixed(2)} | ` +
          `${fmtMs(median(ms.map((m) => m.p50)))} | ${fmtMs(median(ms.map((m) => m.p99)))} | ` +
          `${ms.reduce((n, m) => n + m.failures, 0)} |`
        );
      }),
      "",
      "| worker (1 process, no-op handler) | jobs | seconds | events/s |",
      "|---|---:|---:|---:|",
      `| concurrency ${concurrency} | ${fmt(queued)} | ${seconds.toFixed(1)} | ${fmt(queued / seconds)} |`,
    ];
    console.log(lines.join("\n"));
    if (ROUTES.some((route) => got[route].some((m) => m.failures > 0))) process.exitCode = 1;
  } finally {
    for (const route of ROUTES) await servers[route]?.close().catch(() => {});
    await redis.stop();
  }
}

const role = process.env.FG_BULLMQ_SERVE;
const redisUrl = process.env.FG_BULLMQ_REDIS ?? "";
if (role === "worker") await work(redisUrl, Number(process.env.FG_BULLMQ_CONCURRENCY ?? 16));
else if (ROUTES.includes(role as Route)) await serve(role as Route, redisUrl);
else await main();
