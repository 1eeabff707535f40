/**
 * `npm run reliability`: the full reliability suite of issue 9, one table.
 *
 *   npm run reliability -- [--events 2000] [--rate 25] [--scale 0.01] [--hostile 20000]
 *                          [--store-events 1000000] [--kills 10] [--only name,...]
 *                          [--parallel] [--kit DIR] [--json]
 *
 * Exits 1 when an invariant broke.
 */
import { parseArgs } from "node:util";
import { redisServerAvailable } from "../../packages/redis/src/test/redisServer.js";
import { failures } from "./invariants.js";
import { runSuite } from "./runSuite.js";
import { formatTable } from "./table.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000" },
    rate: { type: "string", default: "25" },
    scale: { type: "string", default: "0.01" },
    hostile: { type: "string", default: "20000" },
    "store-events": { type: "string", default: "1000000" },
    kills: { type: "string", default: "10" },
    only: { type: "string" },
    kit: { type: "string" },
    parallel: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    "npm run reliability -- [--events N] [--rate N] [--scale S] [--hostile N] [--store-events N] [--kills N] [--only a,b] [--parallel] [--kit DIR] [--json]",
  );
  process.exit(0);
}

const number = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got ${text}`);
    process.exit(2);
  }
  return n;
};

const options = {
  events: Math.round(number("events", values.events)),
  rate: number("rate", values.rate),
  scale: number("scale", values.scale),
  hostileRequests: Math.round(number("hostile", values.hostile)),
  storeEvents: Math.round(number("store-events", values["store-events"])),
  kills: Math.round(number("kills", values.kills)),
  redis: redisServerAvailable("reliability suite (Redis scenarios)"),
  parallel: values.parallel,
  ...(values.only ? { only: values.only.split(",") } : {}),
  ...(values.kit ? { kitRoot: values.kit } : {}),
};

const log = (line: string) => {
  if (!values.json) console.error(line);
};
log(
  `reliability: ${options.events} events a scenario (${options.rate}/s), time scale ${options.scale}, ` +
    `${options.hostileRequests} hostile requests, ${options.storeEvents} events through the memory store`,
);
const rows = await runSuite({
  ...options,
  onRow: (row) =>
    log(
      `  ${row.scenario}: ${(row.durationMs / 1000).toFixed(1)} s${failures(row, true).length ? `, ${failures(row, true).length} invariants broken` : ""}`,
    ),
});
if (values.json) console.log(JSON.stringify({ options, rows }, null, 2));
else console.log(`\n${formatTable(rows, true)}`);
process.exitCode = rows.some((row) => failures(row, true).length > 0) ? 1 : 0;
