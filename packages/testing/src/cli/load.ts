import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { VENDOR_RETRY_DELAYS_MS, VENDOR_TIMEOUT_MS } from "../simulator/simulateDelivery.js";
import {
  EXIT,
  endpointOptions,
  httpUrl,
  positiveInt,
  SECRET_ENV,
  secretFrom,
  UsageError,
  usage,
} from "./args.js";
import { formatLoadSummary } from "./formatLoadSummary.js";
import { type LoadDelivery, loadMix } from "./loadMix.js";
import { summarizeLoad } from "./loadSummary.js";
import { type Io, painter } from "./output.js";
import { type LoadAnswer, runLoad } from "./runLoad.js";

export const loadHelp = `Usage: fineguide-webhooks load --url URL [options]

Drives an endpoint (built with this kit or not) the way a busy assistant
would: N events of all eight types over many sessions, conversations
interleaved; a share delivered twice at once and once more after the vendor's
first retry delay (1 minute, time-scaled); a share malformed (bad JSON, not
an object, no type, an invalid field). Requests go out over autocannon's
connections, at a rate or as fast as answers come.

Prints live progress on stderr (one updating line on a terminal, a plain line
a second otherwise), then a summary: answers by status and code per type,
p50/p95/p99 latency, answers over the limit, how repeats were answered
(duplicate: true, 503 in_progress), 5xx answers to valid events, and valid
events that never got a 2xx.

Options:
  --url URL             the endpoint (required)
  --secret S            the secret header's value (default: $${SECRET_ENV})
  --header NAME         the secret header's name (default: x-webhook-secret)
  --events N            distinct events to send (default: 1000)
  --connections C       requests in flight at once (default: 10)
  --rate R              requests per second over all connections (default: no limit)
  --sessions S          conversations to spread the events over (default: one per 12)
  --duplicates F        share of valid events sent twice at once and retried later (default: 0.1)
  --malformed F         share of events with a broken body (default: 0.05)
  --time-scale F        scale of the vendor's 1 minute retry delay (default: 0.01, 600 ms)
  --seed N              seed of the mix, for a repeatable run (ids stay random)
  --timeout MS          give a request up after MS, at least 1000 (default: 35000)
  --max-latency MS      an answer slower than this is late (default: 30000, the vendor's)
  --max-late N          late or missing answers allowed (default: 0)
  --max-5xx N           5xx answers to valid events allowed (default: 0); a 503
                        in_progress to a twin whose event got a 2xx is not counted
  --max-lost N          valid events never answered 2xx allowed (default: 0)
  --json                print one JSON document for machines (no progress)
  -h, --help            this help

Exit code: 0 when every threshold held, 1 when one did not (or the endpoint
could not be reached), 2 on a usage error.

Example:
  fineguide-webhooks load --url http://127.0.0.1:3000/webhook --secret s3cret \\
    --events 2000 --rate 200
`;

/** A number from 0 to 1, or a usage error. */
function share(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${flag} must be a number from 0 to 1.`);
  }
  return n;
}

/** A non-negative integer, or a usage error. */
function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${flag} must be a whole number, 0 or more.`);
  }
  return n;
}

/** A positive number, or a usage error. */
function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a positive number.`);
  }
  return n;
}

/** `fineguide-webhooks load`. */
export async function load(argv: readonly string[], io: Io): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: [...argv],
      options: {
        ...endpointOptions,
        events: { type: "string", short: "n" },
        connections: { type: "string", short: "c" },
        rate: { type: "string" },
        sessions: { type: "string" },
        duplicates: { type: "string" },
        malformed: { type: "string" },
        "time-scale": { type: "string" },
        seed: { type: "string" },
        "max-latency": { type: "string" },
        "max-late": { type: "string" },
        "max-5xx": { type: "string" },
        "max-lost": { type: "string" },
      },
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(loadHelp);
    return EXIT.ok;
  }
  const url = httpUrl(values.url);
  const secret = secretFrom(values.secret, io);
  const events = positiveInt(values.events, "--events", 1000);
  const connections = positiveInt(values.connections, "--connections", 10);
  const rate = values.rate === undefined ? undefined : positiveInt(values.rate, "--rate", 1);
  const timeoutMs = positiveInt(values.timeout, "--timeout", VENDOR_TIMEOUT_MS + 5000);
  if (timeoutMs < 1000) throw new UsageError("--timeout must be at least 1000 (ms).");
  const retryDelayMs =
    (VENDOR_RETRY_DELAYS_MS[0] ?? 60_000) * positive(values["time-scale"], "--time-scale", 0.01);
  const thresholds = {
    maxLatencyMs: positive(values["max-latency"], "--max-latency", VENDOR_TIMEOUT_MS),
    maxLate: count(values["max-late"], "--max-late", 0),
    max5xx: count(values["max-5xx"], "--max-5xx", 0),
    maxLost: count(values["max-lost"], "--max-lost", 0),
  };
  const plan = loadMix({
    events,
    ...(values.sessions === undefined
      ? {}
      : { sessions: positiveInt(values.sessions, "--sessions", 1) }),
    duplicates: share(values.duplicates, "--duplicates", 0.1),
    malformed: share(values.malformed, "--malformed", 0.05),
    ...(values.seed === undefined ? {} : { seed: count(values.seed, "--seed", 0) }),
  });
  const total = plan.first.length + plan.retries.length;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== undefined) headers[(values.header ?? "x-webhook-secret").toLowerCase()] = secret;

  // Progress on stderr: a line rewritten in place on a terminal, a plain line a second otherwise.
  const tty = io.stderr.isTTY === true;
  const progress = { sent: 0, answered: 0, errors: 0, note: "" };
  const started = performance.now();
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    const perSecond = seconds > 0 ? Math.round(progress.answered / seconds) : 0;
    return `sent ${progress.sent}/${total}  answered ${progress.answered}  ${perSecond}/s  errors ${progress.errors}${progress.note}`;
  };
  const ticker = values.json
    ? undefined
    : setInterval(
        () => io.stderr.write(tty ? `\r\u001b[2K${line()}` : `${line()}\n`),
        tty ? 200 : 1000,
      );

  const answers = new Map<number, LoadAnswer>();
  const firstSent = new Map<number, number>();
  const drive = async (deliveries: readonly LoadDelivery[]) => {
    const got = await runLoad(deliveries, {
      url,
      headers,
      connections,
      ...(rate === undefined ? {} : { rate }),
      timeoutMs,
      onSent: () => progress.sent++,
      onAnswer: () => progress.answered++,
      onError: () => progress.errors++,
    });
    const byId = new Map(deliveries.map((d) => [d.id, d.event]));
    for (const [id, answer] of got) {
      answers.set(id, answer);
      const event = byId.get(id);
      if (event !== undefined && !firstSent.has(event)) firstSent.set(event, answer.sentAt);
    }
  };
  try {
    await drive(plan.first);
    if (plan.retries.length > 0) {
      // Every retry goes out at least the (scaled) retry delay after its event's first delivery.
      const due = Math.max(
        ...plan.retries.map((r) => (firstSent.get(r.event) ?? 0) + retryDelayMs),
      );
      const wait = due - performance.now();
      if (wait > 0) {
        progress.note = `  (retries in ${Math.round(wait)} ms)`;
        await sleep(wait);
      }
      progress.note = "";
      await drive(plan.retries);
    }
  } finally {
    if (ticker) clearInterval(ticker);
    if (!values.json && tty) io.stderr.write("\r\u001b[2K");
  }
  const durationMs = performance.now() - started;
  const summary = summarizeLoad([...plan.first, ...plan.retries], answers, thresholds);
  const run = {
    url,
    events: plan.events,
    sessions: plan.sessions,
    twinned: plan.retries.length,
    retryDelayMs,
    durationMs: Math.round(durationMs),
    perSecond: Math.round((summary.answered / durationMs) * 1000),
  };
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...run, ...summary }, null, 2)}\n`);
  } else {
    if (!tty) io.stderr.write(`${line()}\n`);
    io.stdout.write(formatLoadSummary(run, summary, painter(io.stdout, io.env)));
  }
  return summary.pass ? EXIT.ok : EXIT.failed;
}
