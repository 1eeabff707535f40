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
import { createWebhooks, type Webhooks } from "@fineguide-webhooks/core";
import { instrument } from "@fineguide-webhooks/otel";
import { createEvent } from "@fineguide-webhooks/testing";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { BENCH_SECRET as SECRET } from "./adapterBench.js";
import { median } from "./median.js";
import { deliverTo, POOL, poolTask, ROUNDS, ratios, runRounds, TIME_MS } from "./rounds.js";

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spans)],
});
const meterProvider = new MeterProvider();

/**
 * Each variant: how to make its receiver (a new one every `POOL` deliveries),
 * whose handler calls `processed` (the plain receiver's handler does only that).
 */
const variants: Record<string, (processed: () => void) => Webhooks> = {
  plain: (processed) => createWebhooks({ secret: SECRET, onAny: processed }),
  onOutcome: (processed) =>
    createWebhooks({ secret: SECRET, onAny: processed, onOutcome: () => {} }),
  aroundHandlers: (processed) => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: processed });
    webhooks.aroundHandlers((run) => run());
    return webhooks;
  },
  "ctx reads": (processed) => {
    const webhooks = createWebhooks({ secret: SECRET });
    webhooks.onAny((_event, ctx) => {
      if (ctx.eventId === "" || ctx.timeLeft() < 0 || !ctx.logger) throw new Error("unexpected");
      processed();
    });
    return webhooks;
  },
  "instrument(), no SDK": (processed) => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: processed });
    instrument(webhooks);
    return webhooks;
  },
  "instrument(), SDK": (processed) => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: processed });
    instrument(webhooks, { tracerProvider, meterProvider });
    spans.reset();
    return webhooks;
  },
};

const bodies = Array.from({ length: POOL }, () => JSON.stringify(createEvent("MESSAGE")));

const names = Object.keys(variants);
const tasks = names.map((name) => poolTask(name, bodies, variants[name]!, deliverTo));
const throughputs = await runRounds(tasks);
const plain = throughputs.get("plain")!;
const failures = tasks.reduce((sum, task) => sum + task.failures(), 0);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `What each feature costs a MESSAGE delivery through receive(), ${ROUNDS} rounds of ${TIME_MS} ms per variant (medians), Node ${process.version}`,
);
console.log("| variant | events/s | time per delivery / plain (median of rounds) | min..max |");
console.log("|---|---:|---:|---:|");
for (const name of names) {
  const r = ratios(plain, throughputs.get(name)!);
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
