import { failures } from "./invariants.js";
import type { ScenarioRow } from "./ScenarioRow.js";

const HEADERS = [
  "scenario",
  "events",
  "exactly once",
  "twice+",
  "2xx, never processed",
  "lost after 4 attempts (observed / expected)",
  "5xx for bad input",
  "crashes",
  "notes",
] as const;

const count = (n: number | undefined) => (n === undefined ? "-" : n.toLocaleString("en-US"));
const percent = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;

function cells(row: ScenarioRow): string[] {
  const why = [
    row.crashWindow ? `${count(row.crashWindow)} in crash window` : "",
    row.claimLapsed ? `${count(row.claimLapsed)} claim lapsed` : "",
    row.completeFailed ? `${count(row.completeFailed)} complete failed` : "",
  ].filter(Boolean);
  const twice =
    row.twiceOrMore === undefined
      ? "-"
      : `${count(row.twiceOrMore)}${why.length ? ` (${why.join(", ")})` : ""}`;
  const lost =
    row.lost === undefined
      ? "-"
      : `${count(row.lost)} (${percent(row.lost / Math.max(1, row.events))}) / ${percent(row.expectedLossRate ?? 0)}`;
  return [
    row.scenario,
    count(row.events),
    count(row.exactlyOnce),
    twice,
    count(row.ackedUnprocessed),
    lost,
    count(row.serverErrors),
    count(row.crashes),
    row.notes.join("; "),
  ];
}

/**
 * The table of issue 9, one row per scenario, as Markdown (readable as it is
 * in a terminal), followed by every broken invariant (`FAIL`) and every
 * speed-dependent finding not judged (`NOT JUDGED`: the machine was too busy
 * for the time scale, or `judgeSpeed` is false, as in the short run).
 *
 * @example
 * ```ts
 * console.log(formatTable(rows, true));
 * ```
 */
export function formatTable(rows: readonly ScenarioRow[], judgeSpeed: boolean): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((header, i) =>
    Math.max(header.length, ...body.map((line) => line[i]!.length)),
  );
  const numeric = (i: number) => i > 0 && i < HEADERS.length - 1;
  const line = (values: readonly string[]) =>
    `| ${values
      .map((value, i) => (numeric(i) ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const out = [line(HEADERS), rule, ...body.map(line)];
  const broken = rows.flatMap((row) =>
    failures(row, judgeSpeed).map((v) => `FAIL ${row.scenario}: ${v}`),
  );
  const unjudged = rows.flatMap((row) => {
    const judged = failures(row, judgeSpeed);
    const why = judgeSpeed ? "the machine was too busy for the time scale" : "short run";
    return (row.speedDependent ?? [])
      .filter((finding) => !judged.includes(finding))
      .map((finding) => `NOT JUDGED (${why}) ${row.scenario}: ${finding}`);
  });
  out.push("", broken.length === 0 ? "Every invariant held." : broken.join("\n"));
  if (unjudged.length > 0) out.push(unjudged.join("\n"));
  return out.join("\n");
}
