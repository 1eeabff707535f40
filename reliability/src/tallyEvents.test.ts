/**
 * The suite's own judgement, on made-up records: each invariant fails on
 * the records that break it, and the documented windows are told apart.
 */
import type { DeliveryAttempt, DeliveryResult } from "@fineguide-webhooks/testing";
import { describe, expect, it } from "vitest";
import type { Effects, Run } from "./effects.js";
import { eventViolations, failures, lossBound } from "./invariants.js";
import type { ScenarioRow } from "./ScenarioRow.js";
import { type TallyOptions, tallyEvents } from "./tallyEvents.js";

const answered = (status: number, body = "{}"): DeliveryAttempt => ({
  attempt: 1,
  at: new Date(1000),
  delayMs: 0,
  durationMs: 5,
  status,
  ok: status >= 200 && status < 300,
  body,
});
const timedOut: DeliveryAttempt = {
  attempt: 1,
  at: new Date(1000),
  delayMs: 0,
  durationMs: 1000,
  ok: false,
  error: "timeout",
  message: "no answer",
};
const delivery = (...attempts: DeliveryAttempt[]): DeliveryResult => ({
  delivered: attempts.some((a) => a.ok),
  givenUp: !attempts.some((a) => a.ok),
  attempts,
});
const run = (pid: number, at: number, completed: Run["completed"]): Run => ({
  deliveryId: `d-${pid}-${at}`,
  pid,
  arrivedAt: at - 10,
  at,
  completed,
});

/** One event `e` with these deliveries and runs, tallied. */
function tallyOne(
  deliveries: DeliveryResult[],
  runs: Run[],
  options?: TallyOptions,
): ReturnType<typeof tallyEvents> {
  const effects: Effects = {
    runs: new Map([["e", runs]]),
    outcomes: {},
    faults: 0,
    completeErrors: 0,
  };
  return tallyEvents({ events: [{ id: "e", deliveries }], senderLagMs: 0 }, effects, options);
}

describe("tallyEvents and eventViolations", () => {
  it("an event run once and acknowledged breaks nothing", () => {
    const tally = tallyOne([delivery(answered(200))], [run(1, 100, "ok")]);
    expect(tally.exactlyOnce).toBe(1);
    expect(eventViolations(tally, 0, 0)).toEqual({ violations: [], speedDependent: [] });
  });

  it("a 2xx for an event never processed is a violation", () => {
    const tally = tallyOne([delivery(answered(200, '{"duplicate":true}'))], []);
    expect(tally.ackedUnprocessed).toBe(1);
    expect(eventViolations(tally, 0, 0).violations[0]).toMatch(/acknowledged 2xx but never/);
  });

  it("a second run after a completed first one is a violation", () => {
    const tally = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, "ok"), run(1, 700, "ok")],
    );
    expect(tally.twiceOrMore).toBe(1);
    expect(eventViolations(tally, 0, 0).violations[0]).toMatch(/outside the documented windows/);
  });

  it("a second run after a SIGKILL between effect and complete is the crash window", () => {
    const tally = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, undefined), run(2, 700, "ok")],
      { kills: [{ pid: 1, at: 105 }] },
    );
    expect(tally.crashWindow).toBe(1);
    expect(eventViolations(tally, 0, 0)).toEqual({ violations: [], speedDependent: [] });
  });

  it("a second run after a complete that never came, without a kill, is a violation", () => {
    const tally = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, undefined), run(2, 700, "ok")],
    );
    expect(eventViolations(tally, 0, 0).violations).toHaveLength(1);
  });

  it("a second run after a Redis restart between the two is the store's crash window", () => {
    const tally = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, "ok"), run(2, 700, "ok")],
      { storeResets: [{ from: 300, to: 400 }] },
    );
    expect(tally.crashWindow).toBe(1);
  });

  it("doubles after a lapsed claim or a failed complete depend on speed", () => {
    const lapsed = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, "lapsed"), run(1, 700, "ok")],
    );
    expect(lapsed.claimLapsed).toBe(1);
    const failed = tallyOne(
      [delivery(timedOut, answered(200))],
      [run(1, 100, "error"), run(1, 700, "ok")],
    );
    expect(failed.completeFailed).toBe(1);
    for (const tally of [lapsed, failed]) {
      const found = eventViolations(tally, 0, 0);
      expect(found.violations).toEqual([]);
      expect(found.speedDependent).toHaveLength(1);
    }
  });

  it("lost events are judged against the fault rate, and crashes always fail", () => {
    const lost = tallyOne([delivery(timedOut, timedOut, timedOut, timedOut)], []);
    expect(lost.lost).toBe(1);
    expect(eventViolations(lost, 0.3 ** 4, 0).speedDependent).toEqual([]); // bound is 2
    expect(lossBound(1, 0.3 ** 4)).toBe(2);
    expect(lossBound(5000, 0.3 ** 4)).toBe(67);
    expect(eventViolations(lost, 0, 1).violations).toEqual(["1 receiver crashes"]);
  });

  it("speed-dependent findings fail only a judged run on a machine that kept up", () => {
    const row: ScenarioRow = {
      scenario: "s",
      events: 1,
      crashes: 0,
      notes: [],
      violations: [],
      speedDependent: ["3 events lost"],
      busy: false,
      durationMs: 1,
    };
    expect(failures(row, true)).toEqual(["3 events lost"]);
    expect(failures(row, false)).toEqual([]);
    expect(failures({ ...row, busy: true }, true)).toEqual([]);
    expect(failures({ ...row, violations: ["x"], busy: true }, false)).toEqual(["x"]);
  });
});
