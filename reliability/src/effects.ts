import { existsSync, readFileSync } from "node:fs";
import type { CompleteOutcome } from "./trackCompletes.js";

/** One successful handler call, as a receiver recorded it. */
export interface Run {
  /** The delivery (and claim owner token) it ran for. */
  readonly deliveryId: string;
  /** The receiver process that ran it. */
  readonly pid: number;
  /** When its delivery arrived (epoch ms): its claim came right after. */
  readonly arrivedAt: number;
  /** When it recorded its effect (epoch ms). */
  readonly at: number;
  /** How the store's `complete` after it ended; undefined when it never did (a SIGKILL). */
  readonly completed: CompleteOutcome | undefined;
}

/** What the receivers of a scenario recorded. */
export interface Effects {
  /** The successful handler calls, per event id, in the order of their effects. */
  readonly runs: ReadonlyMap<string, readonly Run[]>;
  /** Every answer the receivers gave, by status and outcome (`503 store_unavailable`). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Handler calls that went wrong on purpose (the scenario's fault). */
  readonly faults: number;
  /** `complete` calls that failed (the store could not be reached). */
  readonly completeErrors: number;
}

/**
 * What the receivers recorded in their effects files. A file holds four kinds
 * of lines: `run <eventId> <deliveryId> <pid> <arrival ms> <effect ms>` when a
 * handler call succeeded, `complete <deliveryId> ok|lapsed|error` when the
 * store's `complete` after it ended, `fault <kind>` when a handler call was
 * made to go wrong, and `outcome <status> <outcome>` for every answer.
 *
 * @example
 * ```ts
 * readEffects([file]).runs.get(event.id)?.length; // how many handler calls succeeded
 * ```
 */
export function readEffects(files: readonly string[]): Effects {
  const runs: (Omit<Run, "completed"> & { readonly id: string })[] = [];
  const completes = new Map<string, CompleteOutcome>();
  const outcomes: Record<string, number> = {};
  let faults = 0;
  let completeErrors = 0;
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [kind, ...fields] = line.split("\t");
      if (kind === "run") {
        const [id = "", deliveryId = "", pid = "0", arrivedAt = "0", at = "0"] = fields;
        runs.push({
          id,
          deliveryId,
          pid: Number(pid),
          arrivedAt: Number(arrivedAt),
          at: Number(at),
        });
      } else if (kind === "complete") {
        const [deliveryId = "", outcome = ""] = fields;
        completes.set(deliveryId, outcome as CompleteOutcome);
        if (outcome === "error") completeErrors++;
      } else if (kind === "fault") {
        faults++;
      } else if (kind === "outcome") {
        const answer = fields[0] ?? "";
        outcomes[answer] = (outcomes[answer] ?? 0) + 1;
      }
    }
  }
  const byEvent = new Map<string, Run[]>();
  for (const { id, ...run } of runs.sort((a, b) => a.at - b.at)) {
    const list = byEvent.get(id) ?? [];
    list.push({ ...run, completed: completes.get(run.deliveryId) });
    byEvent.set(id, list);
  }
  return { runs: byEvent, outcomes, faults, completeErrors };
}
