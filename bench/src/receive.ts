/**
 * `npm run bench` (in bench/): events/s of core `receive()` per event type,
 * with a no-op handler and the default in-memory dedupe, beside a baseline of
 * `JSON.parse` + schema parse alone, measured in the same run, on one core.
 *
 * Every delivery is a new event (fresh ids), so each one takes the full path:
 * secret check, parse, validation, key, claim, handler, complete.
 *
 * Beside them, the hand-rolled receiver of `handRolled.ts` (secret, zod,
 * lru-cache) on the same bodies: what any receiver that checks, validates and
 * deduplicates costs at least, to read the ratio against.
 *
 * The three tasks run in each of `BENCH_ROUNDS` rounds (default 6), which goes
 * first rotating; the table gives medians over the rounds, and each ratio is the
 * median of the rounds' ratios (each measured side by side), so a machine that
 * slows down between rounds moves the figures of a round together.
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
import { createHandRolled } from "./handRolled.js";
import { median } from "./median.js";

const SECRET = "bench-secret-0123456789";
const POOL = 50_000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

const noop = () => {};

async function benchType(type: EventType) {
  const bodies = Array.from({ length: POOL }, () => JSON.stringify(createEvent(type)));
  let current = createWebhooks({ secret: SECRET, onAny: noop });
  let handRolled = createHandRolled(SECRET);
  const headers = { "x-webhook-secret": SECRET, "content-type": "application/json" };
  let i = 0;
  let j = 0;
  let k = 0;
  let failures = 0;
  const schema = eventSchemas[type];
  const baselineTask = () => {
    schema.parse(JSON.parse(bodies[j++ % POOL]!));
  };
  const receiveTask = async () => {
    const request: WebhookRequest = { method: "POST", headers, body: bodies[i++ % POOL] };
    const res = await current.receive(request);
    if (res.status !== 200 || res.outcome !== "processed") failures++;
  };
  const handRolledTask = async () => {
    const body = bodies[k++ % POOL]!;
    const res = await handRolled(SECRET, JSON.parse(body));
    if (res.status !== 200 || "duplicate" in res.body) failures++;
  };
  // Past the pool every body repeats: a fresh receiver (and store) keeps each delivery new.
  // It is made before the delivery, outside the timed call: a receiver is made once per
  // process, not once per 50 000 deliveries, so its making is no part of a delivery's cost.
  const receiveHooks = {
    beforeEach() {
      if (i > 0 && i % POOL === 0) current = createWebhooks({ secret: SECRET, onAny: noop });
    },
  };
  const handRolledHooks = {
    beforeEach() {
      if (k > 0 && k % POOL === 0) handRolled = createHandRolled(SECRET);
    },
  };
  const tasks = [
    ["baseline", baselineTask, {}],
    ["receive", receiveTask, receiveHooks],
    ["hand-rolled", handRolledTask, handRolledHooks],
  ] as const;
  const baselines: number[] = [];
  const receives: number[] = [];
  const handRolleds: number[] = [];
  const ratios: number[] = [];
  const handRolledRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmup: true });
    // Each round starts with another task, so no task always runs first or last.
    for (let t = 0; t < tasks.length; t++) {
      const [name, fn, hooks] = tasks[(round + t) % tasks.length]!;
      bench.add(name, fn, hooks);
    }
    await bench.run();
    const throughput = (name: string) => {
      const r = bench.tasks.find((t) => t.name === name)?.result;
      if (!r || !("throughput" in r)) throw new Error(`${name} did not run`);
      return r.throughput.mean;
    };
    baselines.push(throughput("baseline"));
    receives.push(throughput("receive"));
    handRolleds.push(throughput("hand-rolled"));
    ratios.push(baselines.at(-1)! / receives.at(-1)!);
    handRolledRatios.push(baselines.at(-1)! / handRolleds.at(-1)!);
  }
  const baseline = median(baselines);
  const receive = median(receives);
  const ratio = median(ratios);
  return {
    type,
    baseline,
    receive,
    ratio,
    handRolled: median(handRolleds),
    handRolledRatio: median(handRolledRatios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
    failures,
  };
}

const rows = [];
// BENCH_TYPES=MESSAGE,TICKET measures those types only.
const only = process.env.BENCH_TYPES?.split(",");
for (const type of EVENT_TYPES) if (!only || only.includes(type)) rows.push(await benchType(type));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `receive() vs JSON.parse + schema parse, ${ROUNDS} rounds of ${TIME_MS} ms per task (medians), Node ${process.version}`,
);
console.log(
  "| type | receive() events/s | baseline events/s | baseline / receive (median of rounds) | min..max | hand-rolled events/s | baseline / hand-rolled |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.type} | ${fmt(r.receive)} | ${fmt(r.baseline)} | ${r.ratio.toFixed(2)}x | ${r.spread.map((x) => x.toFixed(2)).join("..")} | ${fmt(r.handRolled)} | ${r.handRolledRatio.toFixed(2)}x |`,
  );
  if (r.failures > 0) console.log(`!! ${r.failures} deliveries of ${r.type} were not processed`);
}
