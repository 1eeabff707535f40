import { eventViolations } from "../invariants.js";
import type { Receiver } from "../ReceiverPool.js";
import type { ScenarioRow } from "../ScenarioRow.js";
import type { EventTally } from "../tallyEvents.js";

/** Options of {@link eventRow}. */
export interface EventRowOptions {
  readonly expectedLossRate: number;
  /** Every receiver the scenario started, to count crashes and read their stalls. */
  readonly receivers: readonly Receiver[];
  /** The receivers' (scaled) lease, to judge their event-loop stalls against. */
  readonly leaseMs: number;
  /** `performance.now()` when the scenario started. */
  readonly startedAt: number;
  readonly notes?: readonly string[];
  /** More for `--json` (and the short run's checks). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** "answers: 200×300, 500 handler_failed×95": answers by count, most frequent first. */
export function answersNote(answers: Readonly<Record<string, number>>, label = "answers"): string {
  const list = Object.entries(answers)
    .sort((a, b) => b[1] - a[1])
    .map(([answer, n]) => `${answer}×${n}`)
    .join(", ");
  return `${label}: ${list || "none"}`;
}

/** The longest event-loop stall of the receivers still running, in ms. */
async function maxLag(receivers: readonly Receiver[]): Promise<number> {
  const lags = await Promise.all(
    receivers
      .filter((r) => r.alive())
      .map((r) =>
        r.memory().then(
          (m) => m.maxLagMs,
          () => 0,
        ),
      ),
  );
  return Math.max(0, ...lags);
}

/**
 * The row of an event scenario, with its invariants checked. Call it before
 * stopping the receivers: it reads their longest event-loop stall, since a
 * stall longer than the (scaled) lease lets a claim lapse while its handler
 * runs, and a retry then runs it again: the machine was too busy for the time
 * scale (`busy`), which the notes then say.
 *
 * @example
 * ```ts
 * const row = await eventRow("handlers failing 30%", tally, {
 *   expectedLossRate: 0.3 ** 4, receivers: [receiver], leaseMs: 450, startedAt,
 * });
 * ```
 */
export async function eventRow(
  scenario: string,
  tally: EventTally,
  options: EventRowOptions,
): Promise<ScenarioRow> {
  const crashed = options.receivers.flatMap((r) => r.crash() ?? []);
  const lagMs = await maxLag(options.receivers);
  const notes = [...(options.notes ?? [])];
  if (tally.processedNotAcked > 0) {
    notes.push(`${tally.processedNotAcked} processed once but never acknowledged in time`);
  }
  notes.push(answersNote(tally.answers, "the vendor saw"));
  notes.push(answersNote(tally.receiverOutcomes, "the receivers answered"));
  if (tally.faults > 0) notes.push(`${tally.faults} handler calls made to go wrong`);
  if (tally.completeErrors > 0) notes.push(`${tally.completeErrors} completes failed`);
  const busy = Math.max(lagMs, tally.senderLagMs) > options.leaseMs / 2;
  notes.push(
    `longest stall: receivers ${Math.round(lagMs)} ms, sender ${Math.round(tally.senderLagMs)} ms${busy ? ` (over half the ${Math.round(options.leaseMs)} ms lease: too busy a machine for this time scale)` : ""}`,
  );
  for (const crash of crashed) notes.push(`crash: ${crash.slice(0, 300)}`);
  const findings = eventViolations(tally, options.expectedLossRate, crashed.length);
  return {
    scenario,
    events: tally.events,
    exactlyOnce: tally.exactlyOnce,
    twiceOrMore: tally.twiceOrMore,
    crashWindow: tally.crashWindow,
    claimLapsed: tally.claimLapsed,
    completeFailed: tally.completeFailed,
    ackedUnprocessed: tally.ackedUnprocessed,
    lost: tally.lost,
    expectedLossRate: options.expectedLossRate,
    crashes: crashed.length,
    notes,
    violations: findings.violations,
    speedDependent: findings.speedDependent,
    busy,
    durationMs: performance.now() - options.startedAt,
    details: {
      answers: tally.answers,
      receiverOutcomes: tally.receiverOutcomes,
      faults: tally.faults,
      completeErrors: tally.completeErrors,
      processedNotAcked: tally.processedNotAcked,
      receiverLagMs: lagMs,
      senderLagMs: tally.senderLagMs,
      busy,
      ...options.details,
    },
  };
}
