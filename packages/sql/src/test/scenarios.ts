import { randomUUID } from "node:crypto";
import { type DedupeStore, memoryStore } from "@fineguide-webhooks/core";
import fc from "fast-check";
import { expect } from "vitest";
import {
  claim,
  LEASE,
  STORE_SCENARIOS,
  type StoreScenario,
  TTL,
} from "../../../core/src/dedupe/test/storeScenarios.js";

export { claim, LEASE, TTL };

/** The shared scenarios, and those only the SQL stores' tests ran so far. */
export const SCENARIOS: readonly StoreScenario[] = [
  ...STORE_SCENARIOS,
  {
    name: "keys and tokens with quotes, separators and non-ASCII are stored as they are",
    expected: ["claimed", "in_progress", true, "duplicate", "claimed"],
    run: async (s, k) => [
      await claim(s, `${k}:'"; --ü`, "t'1", "latest", "fp'\""),
      await claim(s, `${k}:'"; --ü`, "t'2", "latest", "fp'\""),
      await s.complete(`${k}:'"; --ü`, "t'1", TTL),
      await claim(s, `${k}:'"; --ü`, "t'3", "latest", "fp'\""),
      await claim(s, `${k}:'"; --Ü`, "t'4", "latest", "fp'\""),
    ],
  },
];

/**
 * fast-check: random sequences of claims (two tokens, both modes, three
 * fingerprints), completions, releases and renewals give `store()` the same
 * answers as a fresh memoryStore. Leases are a minute, so none lapses.
 */
export async function sameAnswersAsMemoryStore(
  store: () => DedupeStore,
  numRuns: number,
): Promise<void> {
  const token = fc.constantFrom("a", "b");
  const op = fc.oneof(
    fc.record({
      op: fc.constant("claim" as const),
      token,
      mode: fc.constantFrom("once" as const, "latest" as const),
      fingerprint: fc.constantFrom(undefined, "X", "Y", ""),
    }),
    fc.record({ op: fc.constantFrom("complete", "release", "renew"), token }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const memory = memoryStore({ max: 1000 }); // small: a default one allocates for 100 000 keys
      const sql = store();
      const key = randomUUID();
      for (const o of ops) {
        const answer = (s: DedupeStore) =>
          o.op === "claim"
            ? claim(s, key, o.token, o.mode, o.fingerprint)
            : o.op === "complete"
              ? s.complete(key, o.token, TTL)
              : o.op === "release"
                ? s.release(key, o.token)
                : s.renew(key, o.token, LEASE);
        expect(await answer(sql)).toBe(await answer(memory));
      }
    }),
    { numRuns },
  );
}
