import type { LoadSummary } from "./loadSummary.js";
import { ms, type Paint, table } from "./output.js";

/** What the run was, beside its summary. */
export interface LoadRunInfo {
  readonly url: string;
  readonly events: number;
  readonly sessions: number;
  /** Events delivered twice at once and retried later. */
  readonly twinned: number;
  readonly retryDelayMs: number;
  readonly durationMs: number;
  readonly perSecond: number;
}

/**
 * The summary of a load run for people: a table of answers per type, then
 * latency, late answers, repeats, 5xx and lost events, and the verdict.
 *
 * @example
 * ```ts
 * io.stdout.write(formatLoadSummary(run, summarizeLoad(deliveries, answers, thresholds), paint));
 * ```
 */
export function formatLoadSummary(run: LoadRunInfo, s: LoadSummary, paint: Paint): string {
  const out: string[] = [];
  const seconds = (run.durationMs / 1000).toFixed(1);
  out.push(
    `${paint("bold", "Load")} ${run.url}: ${s.deliveries} deliveries of ${run.events} events over ${run.sessions} sessions in ${seconds} s (${run.perSecond}/s)`,
    `  ${run.twinned} events sent twice at once and again ${Math.round(run.retryDelayMs)} ms later; malformed bodies are the rows in brackets`,
    "",
  );
  const rows = s.rows.map((row) => {
    const answers = Object.entries(row.answers)
      .sort((a, b) => b[1] - a[1])
      .map(([answer, n]) => {
        const status = Number(answer.slice(0, 3));
        const good = row.valid
          ? (status >= 200 && status < 300) || answer === "503 in_progress"
          : status >= 400 && status < 500;
        return paint(good ? "green" : "red", `${answer} ×${n}`);
      })
      .join(", ");
    return [row.label, String(row.sent), answers];
  });
  out.push(table(["type", "sent", "answers"], rows).trimEnd(), "");
  const l = s.latencyMs;
  out.push(
    `Latency: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)} (${s.answered} answers)`,
  );
  const late = s.late + s.noAnswer > 0 ? "red" : "green";
  out.push(
    paint(late, `Over ${s.thresholds.maxLatencyMs} ms: ${s.late}; no answer: ${s.noAnswer}`),
  );
  const r = s.repeats;
  out.push(
    `Repeats of answered events: ${r.total}: ${r.duplicate} answered as duplicates, ${r.inProgress} 503 in_progress, ${r.otherOk} other 2xx, ${r.other} other answers`,
  );
  out.push(
    paint(s.valid5xx > 0 ? "red" : "green", `Valid events answered 5xx: ${s.valid5xx}`) +
      `; valid events never answered 2xx: ${s.lostEvents}; malformed bodies answered 2xx: ${s.malformedOk}`,
  );
  out.push(s.pass ? paint("green", "PASS") : paint("red", `FAIL: ${s.failures.join(" ")}`));
  return `${out.join("\n")}\n`;
}
