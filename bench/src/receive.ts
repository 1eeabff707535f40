/**
 * `npm run bench` (in bench/): events/s of core `receive()` per event type,
 * with a no-op handler and the default in-memory dedupe, beside a baseline of
 * `JSON.parse` + schema parse alone, measured in the same run, on one core.
 *
 * Every delivery is a new event (fresh ids), so each one takes the full path:
 * secret check, parse, validation, key, claim, handler, complete. The timed
 * call is `receive()` itself, awaited once; the handler counts what was
 * processed.
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
} from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import { BENCH_SECRET as SECRET } from "./adapterBench.js";
import { createHandRolled } from "./handRolled.js";
import { median } from "./median.js";
import { deliverTo, POOL, poolTask, ROUNDS, ratios, runRounds, TIME_MS } from "./rounds.js";

async function benchType(type: EventType) {
  const bodies = Array.from({ length: POOL }, () => JSON.stringify(createEvent(type)));
  const schema = eventSchemas[type];
  let j = 0;
  const baseline = {
    name: "baseline",
    fn: () => {
      schema.parse(JSON.parse(bodies[j++ % POOL]!));
    },
  };
  const receive = poolTask(
    "receive",
    bodies,
    (processed) => createWebhooks({ secret: SECRET, onAny: processed }),
    deliverTo,
  );
  const handRolled = poolTask(
    "hand-rolled",
    bodies,
    (processed) => createHandRolled(SECRET, processed),
    (receiver, body) => receiver(SECRET, JSON.parse(body)),
  );
  const perRound = await runRounds([baseline, receive, handRolled]);
  const baselines = perRound.get("baseline")!;
  const receives = perRound.get("receive")!;
  const handRolleds = perRound.get("hand-rolled")!;
  const receiveRatios = ratios(baselines, receives);
  return {
    type,
    baseline: median(baselines),
    receive: median(receives),
    ratio: median(receiveRatios),
    handRolled: median(handRolleds),
    handRolledRatio: median(ratios(baselines, handRolleds)),
    spread: [Math.min(...receiveRatios), Math.max(...receiveRatios)],
    failures: receive.failures() + handRolled.failures(),
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
