import type { LoadDelivery } from "./loadMix.js";
import type { LoadAnswer } from "./runLoad.js";

/** Limits a load run is judged against (the vendor's by default). */
export interface LoadThresholds {
  /** An answer slower than this counts as late (default: the vendor's 30 000 ms). */
  readonly maxLatencyMs: number;
  /** Late or missing answers tolerated (default 0). */
  readonly maxLate: number;
  /** 5xx answers to valid events tolerated (default 0). */
  readonly max5xx: number;
  /** Valid events never answered 2xx tolerated (default 0). */
  readonly maxLost: number;
}

/** Answers of one row (a type, or a kind of malformed body). */
export interface LoadRow {
  readonly label: string;
  readonly valid: boolean;
  readonly sent: number;
  /** Count per answer: `"200"`, `"200 duplicate"`, `"400 invalid_payload"`, `"no answer"`. */
  readonly answers: Readonly<Record<string, number>>;
}

/** What a load run found; `pass` is what the exit code says. */
export interface LoadSummary {
  readonly deliveries: number;
  readonly answered: number;
  readonly rows: readonly LoadRow[];
  /** Of answered deliveries, in ms. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Answers slower than `maxLatencyMs`, and deliveries with no answer at all. */
  readonly late: number;
  readonly noAnswer: number;
  /**
   * Repeats (twins and retries) of events already answered 2xx: how many
   * were answered as duplicates (`duplicate: true`), 503 `in_progress`
   * (a twin while its original ran), another 2xx, or something else.
   */
  readonly repeats: {
    readonly total: number;
    readonly duplicate: number;
    readonly inProgress: number;
    readonly otherOk: number;
    readonly other: number;
  };
  /** 5xx answers to valid events, not counting `in_progress` to a twin whose event got a 2xx. */
  readonly valid5xx: number;
  /** Valid events no delivery of which got a 2xx (lost, had this been the vendor). */
  readonly lostEvents: number;
  /** Malformed or invalid bodies answered 2xx. */
  readonly malformedOk: number;
  readonly thresholds: LoadThresholds;
  /** Why the run failed, one sentence each; empty when it passed. */
  readonly failures: readonly string[];
  readonly pass: boolean;
}

interface Parsed {
  readonly status: number;
  readonly code?: string;
  readonly duplicate: boolean;
}

function parse(answer: LoadAnswer): Parsed | undefined {
  if (!("status" in answer)) return undefined;
  let code: string | undefined;
  let duplicate = false;
  try {
    const body = JSON.parse(answer.body) as { duplicate?: unknown; error?: { code?: unknown } };
    if (typeof body?.error?.code === "string") code = body.error.code;
    duplicate = body?.duplicate === true;
  } catch {
    // Not JSON: the status alone.
  }
  return { status: answer.status, ...(code === undefined ? {} : { code }), duplicate };
}

const ok = (p: Parsed | undefined) => p !== undefined && p.status >= 200 && p.status < 300;

/**
 * The value at quantile `q` of ascending `sorted` (nearest rank); 0 when empty.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Judges a load run: answers by status and code per type, latency
 * percentiles, late and missing answers, how repeats were answered, 5xx
 * answers to valid events and events that never got a 2xx.
 *
 * @example
 * ```ts
 * const summary = summarizeLoad([...plan.first, ...plan.retries], answers, {
 *   maxLatencyMs: 30_000, maxLate: 0, max5xx: 0, maxLost: 0,
 * });
 * if (!summary.pass) console.log(summary.failures.join("\n"));
 * ```
 */
export function summarizeLoad(
  deliveries: readonly LoadDelivery[],
  answers: ReadonlyMap<number, LoadAnswer>,
  thresholds: LoadThresholds,
): LoadSummary {
  const rows = new Map<
    string,
    { label: string; valid: boolean; sent: number; answers: Record<string, number> }
  >();
  const latencies: number[] = [];
  const byEvent = new Map<
    number,
    { delivery: LoadDelivery; parsed: Parsed | undefined; at: number }[]
  >();
  let late = 0;
  let noAnswer = 0;
  let malformedOk = 0;

  for (const delivery of deliveries) {
    const answer = answers.get(delivery.id);
    const parsed = answer ? parse(answer) : undefined;
    const row = rows.get(delivery.label) ?? {
      label: delivery.label,
      valid: delivery.valid,
      sent: 0,
      answers: {},
    };
    rows.set(delivery.label, row);
    row.sent++;
    const key = parsed
      ? `${parsed.status}${parsed.code ? ` ${parsed.code}` : parsed.duplicate ? " duplicate" : ""}`
      : "no answer";
    row.answers[key] = (row.answers[key] ?? 0) + 1;
    if (answer && "latencyMs" in answer) {
      latencies.push(answer.latencyMs);
      if (answer.latencyMs > thresholds.maxLatencyMs) late++;
    } else {
      noAnswer++;
    }
    if (!delivery.valid && ok(parsed)) malformedOk++;
    const list = byEvent.get(delivery.event) ?? [];
    byEvent.set(delivery.event, list);
    list.push({ delivery, parsed, at: answer?.sentAt ?? 0 });
  }

  const repeats = { total: 0, duplicate: 0, inProgress: 0, otherOk: 0, other: 0 };
  let valid5xx = 0;
  let lostEvents = 0;
  for (const list of byEvent.values()) {
    if (!list[0]!.delivery.valid) continue;
    const anyOk = list.some((d) => ok(d.parsed));
    if (!anyOk) lostEvents++;
    const twinned = list.length > 1;
    for (const { parsed } of list) {
      if (!parsed || parsed.status < 500) continue;
      if (twinned && anyOk && parsed.code === "in_progress") continue;
      valid5xx++;
    }
    if (!twinned) continue;
    // The first delivery answered 2xx (by send time) is the one that processed it.
    const sorted = [...list].sort((a, b) => a.at - b.at);
    const winner =
      sorted.find((d) => ok(d.parsed) && !d.parsed!.duplicate) ?? sorted.find((d) => ok(d.parsed));
    for (const d of sorted) {
      if (d === winner) continue;
      repeats.total++;
      if (ok(d.parsed) && d.parsed!.duplicate) repeats.duplicate++;
      else if (d.parsed?.code === "in_progress") repeats.inProgress++;
      else if (ok(d.parsed)) repeats.otherOk++;
      else repeats.other++;
    }
  }

  latencies.sort((a, b) => a - b);
  const failures: string[] = [];
  if (valid5xx > thresholds.max5xx) {
    failures.push(
      `${valid5xx} valid event deliveries were answered 5xx (allowed: ${thresholds.max5xx}).`,
    );
  }
  if (late + noAnswer > thresholds.maxLate) {
    failures.push(
      `${late} answers took over ${thresholds.maxLatencyMs} ms and ${noAnswer} got no answer (allowed: ${thresholds.maxLate}).`,
    );
  }
  if (lostEvents > thresholds.maxLost) {
    failures.push(`${lostEvents} valid events never got a 2xx (allowed: ${thresholds.maxLost}).`);
  }
  return {
    deliveries: deliveries.length,
    answered: latencies.length,
    rows: [...rows.values()].sort((a, b) => Number(b.valid) - Number(a.valid) || b.sent - a.sent),
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? 0,
    },
    late,
    noAnswer,
    repeats,
    valid5xx,
    lostEvents,
    malformedOk,
    thresholds,
    failures,
    pass: failures.length === 0,
  };
}
