import type { DeliveryAttempt } from "@fineguide-webhooks/testing";
import type { Effects, Run } from "./effects.js";
import type { Sent, SentEvent } from "./sendLikeVendor.js";

/** A receiver process SIGKILLed by a scenario, and when. */
export interface Kill {
  readonly pid: number;
  readonly at: number;
}

/** Redis SIGKILLed at `from` and back, empty, at `to`: every key it held is forgotten. */
export interface StoreReset {
  readonly from: number;
  readonly to: number;
}

/** What happened to the events of a scenario, from the sender's and the receivers' records. */
export interface EventTally {
  readonly events: number;
  /** Exactly one handler call succeeded. */
  readonly exactlyOnce: number;
  /** Two or more handler calls succeeded. */
  readonly twiceOrMore: number;
  /**
   * Of {@link twiceOrMore}, those a documented crash window explains: before
   * each rerun, the previous run's process was SIGKILLed between its effect
   * and its `complete` (which never happened), or Redis restarted empty
   * between the two claims (or failed the previous run's `complete`).
   */
  readonly crashWindow: number;
  /**
   * Of {@link twiceOrMore}, the others explained by a `complete` that found
   * its claim lapsed: the run, or a stall of its process, outlasted the lease
   * (renewals stop at the deadline, contract row 13), so the retry ran it
   * again. No handler of the suite is that slow: these come from a machine
   * too busy for the time scale.
   */
  readonly claimLapsed: number;
  /**
   * Of {@link twiceOrMore}, the others explained by a `complete` that failed
   * (the store did not answer within its timeout) while the store was up:
   * the claim stayed until its lease lapsed and the vendor's retry, which had
   * no 2xx, ran the handler again. On a healthy machine and store this does
   * not happen; a machine too busy for the time scale causes it.
   */
  readonly completeFailed: number;
  /** A 2xx reached the vendor, yet no handler call succeeded. Must be 0. */
  readonly ackedUnprocessed: number;
  /** No 2xx in four attempts (of any copy) and no handler call succeeded: lost. */
  readonly lost: number;
  /** No 2xx reached the vendor, yet a handler call succeeded (e.g. it answered too late). */
  readonly processedNotAcked: number;
  /** Every answer the sender saw, by status and code (`503 in_progress`, `timeout`, ...). */
  readonly answers: Readonly<Record<string, number>>;
  /** Every answer the receivers gave, by status and outcome (`503 handler_timeout`). */
  readonly receiverOutcomes: Readonly<Record<string, number>>;
  /** Handler calls that went wrong on purpose. */
  readonly faults: number;
  /** `complete` calls that failed. */
  readonly completeErrors: number;
  /** Up to three events per kind of trouble, with their attempts and runs, to look into. */
  readonly examples: {
    readonly doubles: string[];
    readonly claimLapsed: string[];
    readonly completeFailed: string[];
    readonly ackedUnprocessed: string[];
    readonly lost: string[];
  };
  /** The sender's longest event-loop stall, in ms. */
  readonly senderLagMs: number;
}

/** Options of {@link tallyEvents}. */
export interface TallyOptions {
  /** Receivers SIGKILLed during the scenario. */
  readonly kills?: readonly Kill[];
  /** Restarts of a Redis without persistence. */
  readonly storeResets?: readonly StoreReset[];
}

const label = (status: number, body: string): string => {
  try {
    const json = JSON.parse(body) as { duplicate?: boolean; error?: { code?: string } };
    if (json.duplicate) return `${status} duplicate`;
    if (json.error?.code) return `${status} ${json.error.code}`;
  } catch {}
  return String(status);
};

/** `200`, `503 in_progress`, `200 duplicate`, `timeout`, `network`. */
const answerOf = (attempt: DeliveryAttempt): string =>
  attempt.error === undefined ? label(attempt.status, attempt.body) : attempt.error;

/**
 * One event's story, times from its first attempt: "<id> (attempts: 503
 * in_progress +0 ms (12 ms), 200 +312 ms (9 ms); runs: pid 41 arrived +0 ms,
 * effect +40 ms, complete ok)".
 */
function describe(event: SentEvent, runs: readonly Run[]): string {
  const t0 = event.deliveries[0]?.attempts[0]?.at.getTime() ?? 0;
  const attempts = event.deliveries
    .flatMap((d) => d.attempts)
    .map((a) => `${answerOf(a)} +${a.at.getTime() - t0} ms (${Math.round(a.durationMs)} ms)`);
  const ran = runs.map(
    (r) =>
      `pid ${r.pid} arrived +${r.arrivedAt - t0} ms, effect +${r.at - t0} ms, complete ${r.completed ?? "never"}`,
  );
  return `${event.id} (attempts: ${attempts.join(", ")}; runs: ${ran.join(", ") || "none"})`;
}

/**
 * Counts, per event, the handler calls that succeeded and what the vendor
 * saw, and tells why an event ran twice: a crash window, a lapsed claim, a
 * failed complete, or nothing the contract allows.
 *
 * @example
 * ```ts
 * const tally = tallyEvents(sent, readEffects([file]));
 * tally.ackedUnprocessed; // 0
 * ```
 */
export function tallyEvents(sent: Sent, effects: Effects, options: TallyOptions = {}): EventTally {
  const killed = new Map((options.kills ?? []).map((k) => [k.pid, k.at] as const));
  const resets = options.storeResets ?? [];
  /** Whether a crash explains why `later` ran although `earlier` succeeded. */
  const crashed = (earlier: Run, later: Run) =>
    (earlier.completed === undefined && (killed.get(earlier.pid) ?? -1) >= earlier.at) ||
    resets.some(
      (r) =>
        (earlier.arrivedAt <= r.from && later.arrivedAt >= r.from) ||
        (earlier.completed === "error" && earlier.at <= r.to),
    );
  /** Whether `earlier`'s claim lapsed before its complete, which let `later` claim it. */
  const lapsed = (earlier: Run) => earlier.completed === "lapsed";
  /** Whether `earlier`'s complete failed, which left its claim to lapse. */
  const failedComplete = (earlier: Run) => earlier.completed === "error";

  let exactlyOnce = 0;
  let twiceOrMore = 0;
  let crashWindow = 0;
  let claimLapsed = 0;
  let completeFailed = 0;
  let ackedUnprocessed = 0;
  let lost = 0;
  let processedNotAcked = 0;
  const answers: Record<string, number> = {};
  const examples = {
    doubles: [] as string[],
    claimLapsed: [] as string[],
    completeFailed: [] as string[],
    ackedUnprocessed: [] as string[],
    lost: [] as string[],
  };
  const keep = (list: string[], event: SentEvent, runs: readonly Run[]) => {
    if (list.length < 3) list.push(describe(event, runs));
  };

  for (const event of sent.events) {
    const runs = effects.runs.get(event.id) ?? [];
    let acked = false;
    for (const delivery of event.deliveries) {
      if (delivery.delivered) acked = true;
      for (const attempt of delivery.attempts) {
        const key = answerOf(attempt);
        answers[key] = (answers[key] ?? 0) + 1;
      }
    }
    if (runs.length === 1) exactlyOnce++;
    if (runs.length >= 2) {
      twiceOrMore++;
      const pairs = runs.slice(1).map((later, i) => [runs[i]!, later] as const);
      if (pairs.every(([earlier, later]) => crashed(earlier, later))) crashWindow++;
      else if (
        pairs.every(
          ([earlier, later]) =>
            crashed(earlier, later) || lapsed(earlier) || failedComplete(earlier),
        )
      ) {
        if (pairs.some(([earlier]) => failedComplete(earlier))) {
          completeFailed++;
          keep(examples.completeFailed, event, runs);
        } else {
          claimLapsed++;
          keep(examples.claimLapsed, event, runs);
        }
      } else keep(examples.doubles, event, runs);
    }
    if (acked && runs.length === 0) {
      ackedUnprocessed++;
      keep(examples.ackedUnprocessed, event, runs);
    }
    if (!acked && runs.length === 0) {
      lost++;
      keep(examples.lost, event, runs);
    }
    if (!acked && runs.length > 0) processedNotAcked++;
  }
  return {
    events: sent.events.length,
    exactlyOnce,
    twiceOrMore,
    crashWindow,
    claimLapsed,
    completeFailed,
    ackedUnprocessed,
    lost,
    processedNotAcked,
    answers,
    receiverOutcomes: effects.outcomes,
    faults: effects.faults,
    completeErrors: effects.completeErrors,
    examples,
    senderLagMs: sent.senderLagMs,
  };
}
