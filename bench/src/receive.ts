/**
 * `npm run bench` (in bench/): events/s of core `receive()` per event type,
 * with a no-op handler and the default in-memory dedupe, beside a baseline of
 * `JSON.parse` + schema parse alone, measured in the same run, on one core.
 *
 * Every delivery is a new event (fresh ids), so each one takes the full path:
 * secret check, parse, validation, key, claim, handler, complete.
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
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500);

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
  const bench = new Bench({ time: TIME_MS, warmup: true });
  bench
    .add("baseline: JSON.parse + schema", () => {
      schema.parse(JSON.parse(bodies[j++ % POOL]!));
    })
    .add("receive()", async () => {
      // Past the pool every body repeats: a fresh store keeps each delivery new.
      const request: WebhookRequest = { method: "POST", headers, body: bodies[i++ % POOL] };
      if (i % POOL === 0) fresh();
      const res = await current.receive(request);
      if (res.status !== 200 || res.outcome !== "processed") failures++;
    });
  await bench.run();
  const [baseline, receive] = bench.tasks.map((t) => {
    const r = t.result;
    if (!r || !("throughput" in r)) throw new Error(`${t.name} did not run`);
    return r.throughput.mean;
  });
  return { type, baseline: baseline!, receive: receive!, failures };
}

const rows = [];
for (const type of EVENT_TYPES) rows.push(await benchType(type));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `receive() vs JSON.parse + schema parse, ${TIME_MS} ms per task, Node ${process.version}`,
);
console.log("| type | receive() events/s | baseline events/s | baseline / receive |");
console.log("|---|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.type} | ${fmt(r.receive)} | ${fmt(r.baseline)} | ${(r.baseline / r.receive).toFixed(2)}x |`,
  );
  if (r.failures > 0) console.log(`!! ${r.failures} deliveries of ${r.type} were not processed`);
}
