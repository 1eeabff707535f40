import type { ScenarioRow } from "./ScenarioRow.js";
import type { EventTally } from "./tallyEvents.js";

/**
 * The most events a scenario may lose when each is lost with probability
 * `rate`: the binomial mean plus four standard deviations, plus 2 for small
 * samples and timing noise.
 *
 * @example
 * ```ts
 * lossBound(5000, 0.3 ** 4); // 67 (the mean is 40.5)
 * ```
 */
export function lossBound(events: number, rate: number): number {
  const mean = events * rate;
  return Math.floor(mean + 4 * Math.sqrt(mean * (1 - rate)) + 2);
}

/** What {@link eventViolations} found. */
export interface EventFindings {
  /** Broken whatever the machine's speed. */
  readonly violations: string[];
  /** Worse than expected in ways a machine too busy for the time scale can cause. */
  readonly speedDependent: string[];
}

/**
 * The invariants of issue 9 that an event scenario can break. Whatever the
 * machine's speed: no event twice outside the documented windows (a crash, a
 * store restarted empty, a claim that lapsed, a `complete` that failed), no
 * 2xx without a successful handler call, no crash. Depending on its speed:
 * no doubles after a lapsed claim or a failed complete (no handler of the
 * suite outlives its lease, and the store answers within its timeout, unless
 * the machine stalls), no more lost events than the fault rate explains.
 *
 * @example
 * ```ts
 * const { violations, speedDependent } = eventViolations(tally, 0.3 ** 4, 0);
 * ```
 */
export function eventViolations(
  tally: EventTally,
  expectedLossRate: number,
  crashes: number,
): EventFindings {
  const violations: string[] = [];
  const speedDependent: string[] = [];
  const doubles = tally.twiceOrMore - tally.crashWindow - tally.claimLapsed - tally.completeFailed;
  if (doubles > 0) {
    violations.push(
      `${doubles} events processed twice or more outside the documented windows (e.g. ${tally.examples.doubles.join("; ")})`,
    );
  }
  if (tally.ackedUnprocessed > 0) {
    violations.push(
      `${tally.ackedUnprocessed} events acknowledged 2xx but never processed (e.g. ${tally.examples.ackedUnprocessed.join("; ")})`,
    );
  }
  if (crashes > 0) violations.push(`${crashes} receiver crashes`);
  if (tally.claimLapsed > 0) {
    speedDependent.push(
      `${tally.claimLapsed} events processed twice after a complete found its claim lapsed (a run or a stall outlasted the lease; e.g. ${tally.examples.claimLapsed.join("; ")})`,
    );
  }
  if (tally.completeFailed > 0) {
    speedDependent.push(
      `${tally.completeFailed} events processed twice after a complete failed (the store did not answer in time; e.g. ${tally.examples.completeFailed.join("; ")})`,
    );
  }
  const bound = lossBound(tally.events, expectedLossRate);
  if (tally.lost > bound) {
    speedDependent.push(
      `${tally.lost} events lost after four attempts, more than the ${bound} the fault rate explains (e.g. ${tally.examples.lost.join("; ")})`,
    );
  }
  return { violations, speedDependent };
}

/**
 * What makes `row` fail: its violations, and, when `judgeSpeed` (the full
 * run) and the machine kept up with the time scale (`busy` false), its
 * speed-dependent findings too.
 *
 * @example
 * ```ts
 * process.exitCode = rows.some((row) => failures(row, true).length > 0) ? 1 : 0;
 * ```
 */
export function failures(row: ScenarioRow, judgeSpeed: boolean): readonly string[] {
  const speed = judgeSpeed && !row.busy ? (row.speedDependent ?? []) : [];
  return [...row.violations, ...speed];
}
