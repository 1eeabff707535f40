/**
 * `npm run bench:features` (in bench/): what each optional feature costs a
 * MESSAGE delivery through core `receive()`, against the plain receiver
 * (secret, validation, in-memory dedupe, one no-op handler) measured in the
 * same rounds:
 * - `onOutcome`: one no-op outcome hook;
 * - `aroundHandlers`: one wrapper that only runs the handlers;
 * - `ctx` reads: the handler reads `ctx.eventId`, `ctx.timeLeft()` and
 *   `ctx.logger` (made on first read);
 * - `instrument()`, no SDK: `@fineguide-webhooks/otel` on the global
 *   OpenTelemetry API with no SDK registered (the API's no-op tracer and meter);
 * - `instrument()`, SDK: a tracer provider exporting every span to memory and
 *   a meter provider, both from the OpenTelemetry SDK.
 *
 * The plain receiver is what a receiver that uses none of them runs: each
 * feature's absence costs it a length check (`onOutcome`, `aroundHandlers`) or
 * nothing (the `ctx` getters, `instrument()`).
 *
 * Every variant runs in each of `BENCH_ROUNDS` rounds (default 6) for
 * `BENCH_TIME_MS` each (default 500), which goes first rotating; each ratio is
 * the median of the rounds' side-by-side ratios (variant time / plain time).
 */
import { createWebhooks, type WebhookRequest, type Webhooks } from "@fineguide-webhooks/core";
import { instrument } from "@fineguide-webhooks/otel";
import { createEvent } from "@fineguide-webhooks/testing";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Bench } from "tinybench";
import { median } from "./median.js";

const SECRET = "bench-secret-0123456789";
const POOL = 50_000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const noop = () => {};

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spans)],
});
const meterProvider = new MeterProvider();

/** Each variant: how to make its receiver (a new one every `POOL` deliveries). */
const variants: Record<string, () => Webhooks> = {
  plain: () => createWebhooks({ secret: SECRET, onAny: noop }),
  onOutcome: () => createWebhooks({ secret: SECRET, onAny: noop, onOutcome: noop }),
  aroundHandlers: () => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: noop });
    webhooks.aroundHandlers((run) => run());
    return webhooks;
  },
  "ctx reads": () => {
    const webhooks = createWebhooks({ secret: SECRET });
    webhooks.onAny((_event, ctx) => {
      if (ctx.eventId === "" || ctx.timeLeft() < 0 || !ctx.logger) throw new Error("unexpected");
    });
    return webhooks;
  },
  "instrument(), no SDK": () => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: noop });
    instrument(webhooks);
    return webhooks;
  },
  "instrument(), SDK": () => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: noop });
    instrument(webhooks, { tracerProvider, meterProvider });
    spans.reset();
    return webhooks;
  },
};

const bodies = Array.from({ length: POOL }, () => JSON.stringify(createEvent("MESSAGE")));
const headers = { "x-webhook-secret": SECRET, "content-type": "application/json" };
let failures = 0;

/** One variant's task and hooks: its own receiver and position in the pool. */
function task(make: () => Webhooks) {
  let webhooks = make();
  let i = 0;
  const fn = async () => {
    const request: WebhookRequest = { method: "POST", headers, body: bodies[i++ % POOL] };
    const res = await webhooks.receive(request);
    if (res.status !== 200 || res.outcome !== "processed") failures++;
  };
  // Past the pool every body repeats: a new receiver keeps each delivery new, made outside
  // the timed call (a receiver is made once per process, not per 50 000 deliveries).
  const beforeEach = () => {
    if (i > 0 && i % POOL === 0) webhooks = make();
  };
  return { fn, beforeEach };
}

const names = Object.keys(variants);
const tasks = names.map((name) => task(variants[name]!));
const throughputs = new Map<string, number[]>(names.map((name) => [name, []]));
const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmup: true });
  // Each round starts with another variant, so none always runs first or last.
  for (let t = 0; t < names.length; t++) {
    const index = (round + t) % names.length;
    const { fn, beforeEach } = tasks[index]!;
    bench.add(names[index]!, fn, { beforeEach });
  }
  await bench.run();
  const throughput = (name: string) => {
    const r = bench.tasks.find((t) => t.name === name)?.result;
    if (!r || !("throughput" in r)) throw new Error(`${name} did not run`);
    return r.throughput.mean;
  };
  const plain = throughput("plain");
  for (const name of names) {
    throughputs.get(name)!.push(throughput(name));
    ratios.get(name)!.push(plain / throughput(name));
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `What each feature costs a MESSAGE delivery through receive(), ${ROUNDS} rounds of ${TIME_MS} ms per variant (medians), Node ${process.version}`,
);
console.log("| variant | events/s | time per delivery / plain (median of rounds) | min..max |");
console.log("|---|---:|---:|---:|");
for (const name of names) {
  const r = ratios.get(name)!;
  console.log(
    `| ${name} | ${fmt(median(throughputs.get(name)!))} | ${median(r).toFixed(2)}x | ${Math.min(...r).toFixed(2)}..${Math.max(...r).toFixed(2)} |`,
  );
}
if (spans.getFinishedSpans().length === 0) {
  console.log("!! the SDK variant exported no span");
  process.exitCode = 1;
}
if (failures > 0) {
  console.log(`!! ${failures} deliveries were not processed`);
  process.exitCode = 1;
}
