/**
 * `npm run bench` (in bench/): events/s of core `receive()` per event type,
 * with a no-op handler and the default in-memory dedupe, beside a baseline of
 * `JSON.parse` + schema parse alone, measured in the same run, on one core.
 *
 * Every delivery is a new event (fresh ids), so each one takes the full path:
 * secret check, parse, validation, key, claim, handler, complete.
 *
 * Both tasks run in each of `BENCH_ROUNDS` rounds (default 6), which goes first
 * alternating; the table gives medians over the rounds, and the ratio is the
 * median of the rounds' ratios (each measured side by side), so a machine that
 * slows down between rounds moves both figures of a round together.
 */
import {
  createWebhooks,
  EVENT_TYPES,
  type EventType,
  eventSchemas,
  type WebhookRequest,
} from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import { Bench } from "tinybench";

const SECRET = "bench-secret-0123456789";
const POOL = 50_000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const noop = () => {};

async function benchType(type: EventType) {
  const bodies = Array.from({ length: POOL }, () => JSON.stringify(createEvent(type)));
  let current = createWebhooks({ secret: SECRET, onAny: noop });
  const fresh = () => {
    current = createWebhooks({ secret: SECRET, onAny: noop });
  };
  const headers = { "x-webhook-secret": SECRET, "content-type": "application/json" };
  let i = 0;
  let j = 0;
  let failures = 0;
  const schema = eventSchemas[type];
  const baselineTask = () => {
    schema.parse(JSON.parse(bodies[j++ % POOL]!));
  };
  const receiveTask = async () => {
    // Past the pool every body repeats: a fresh store keeps each delivery new.
    const request: WebhookRequest = { method: "POST", headers, body: bodies[i++ % POOL] };
    if (i % POOL === 0) fresh();
    const res = await current.receive(request);
    if (res.status !== 200 || res.outcome !== "processed") failures++;
  };
  const baselines: number[] = [];
  const receives: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmup: true });
    if (round % 2 === 0) bench.add("baseline", baselineTask).add("receive", receiveTask);
    else bench.add("receive", receiveTask).add("baseline", baselineTask);
    await bench.run();
    const throughput = (name: string) => {
      const r = bench.tasks.find((t) => t.name === name)?.result;
      if (!r || !("throughput" in r)) throw new Error(`${name} did not run`);
      return r.throughput.mean;
    };
    baselines.push(throughput("baseline"));
    receives.push(throughput("receive"));
    ratios.push(baselines.at(-1)! / receives.at(-1)!);
  }
  const baseline = median(baselines);
  const receive = median(receives);
  const ratio = median(ratios);
  return {
    type,
    baseline,
    receive,
    ratio,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    failures,
  };
}

const rows = [];
for (const type of EVENT_TYPES) rows.push(await benchType(type));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `receive() vs JSON.parse + schema parse, ${ROUNDS} rounds of ${TIME_MS} ms per task (medians), Node ${process.version}`,
);
console.log(
  "| type | receive() events/s | baseline events/s | baseline / receive (median of rounds) | min..max |",
);
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.type} | ${fmt(r.receive)} | ${fmt(r.baseline)} | ${r.ratio.toFixed(2)}x | ${r.spread.map((x) => x.toFixed(2)).join("..")} |`,
  );
  if (r.failures > 0) console.log(`!! ${r.failures} deliveries of ${r.type} were not processed`);
}
