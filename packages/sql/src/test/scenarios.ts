import { randomUUID } from "node:crypto";
import {
  type ClaimResult,
  type DedupeMode,
  type DedupeStore,
  memoryStore,
} from "@fineguide-webhooks/core";
import fc from "fast-check";
import { expect } from "vitest";

export const LEASE = 60_000;
export const TTL = { ttlMs: 30 * 60_000 };

export const claim = (
  store: DedupeStore,
  key: string,
  token: string,
  mode: DedupeMode = "once",
  fingerprint?: string,
  leaseMs = LEASE,
): Promise<ClaimResult> =>
  Promise.resolve(
    store.claim(key, {
      token,
      leaseMs,
      mode,
      ...(fingerprint === undefined ? {} : { fingerprint }),
    }),
  );

/**
 * Sequences run against core's memoryStore and a SQL store alike: both must
 * give the listed answers (the Redis store's tests use the same ones).
 */
export const SCENARIOS: readonly {
  readonly name: string;
  readonly expected: readonly unknown[];
  run(s: DedupeStore, k: string): Promise<unknown[]>;
}[] = [
  {
    name: "once: absent -> claimed; in progress -> in_progress; done -> duplicate",
    expected: ["claimed", "in_progress", true, "duplicate", "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a"),
      await claim(s, k, "b"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "c"),
      await claim(s, k, "d", "once", "any-fingerprint"),
    ],
  },
  {
    name: "once: a release returns the key to absent",
    expected: ["claimed", true, "claimed", true, "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a"),
      await s.release(k, "a"),
      await claim(s, k, "b"),
      await s.complete(k, "b", TTL),
      await claim(s, k, "c"),
    ],
  },
  {
    name: "only the owner of the claim can complete, release or renew it",
    expected: ["claimed", false, false, false, "in_progress", true, true, false, false, false],
    run: async (s, k) => [
      await claim(s, k, "a"),
      await s.complete(k, "b", TTL),
      await s.release(k, "b"),
      await s.renew(k, "b", LEASE),
      await claim(s, k, "c"),
      await s.renew(k, "a", LEASE),
      await s.complete(k, "a", TTL),
      await s.complete(k, "a", TTL),
      await s.release(k, "a"),
      await s.renew(k, "a", LEASE),
    ],
  },
  {
    name: "operations on an absent key answer false",
    expected: [false, false, false, "claimed"],
    run: async (s, k) => [
      await s.complete(k, "a", TTL),
      await s.release(k, "a"),
      await s.renew(k, "a", LEASE),
      await claim(s, k, "a"),
    ],
  },
  {
    name: "latest: a rating changed 1, -1, 1 runs three times; a retry of the last is a duplicate",
    expected: ["claimed", true, "claimed", true, "claimed", true, "duplicate", "claimed"],
    run: async (s, k) => [
      await claim(s, k, "a", "latest", "up"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest", "down"),
      await s.complete(k, "b", TTL),
      await claim(s, k, "c", "latest", "up"),
      await s.complete(k, "c", TTL),
      await claim(s, k, "d", "latest", "up"),
      await claim(s, k, "e", "latest", "down"),
    ],
  },
  {
    name: "latest: a release restores the previous done fingerprint",
    expected: ["claimed", true, "claimed", true, "duplicate", "claimed", true, "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a", "latest", "A"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest", "B"),
      await s.release(k, "b"),
      await claim(s, k, "c", "latest", "A"),
      await claim(s, k, "d", "latest", "B"),
      await s.complete(k, "d", TTL),
      await claim(s, k, "e", "latest", "B"),
    ],
  },
  {
    name: "latest: an in-progress key answers in_progress whatever the fingerprint",
    expected: [
      "claimed",
      "in_progress",
      "in_progress",
      "in_progress",
      true,
      "claimed",
      "in_progress",
    ],
    run: async (s, k) => [
      await claim(s, k, "a", "latest", "A"),
      await claim(s, k, "b", "latest", "A"),
      await claim(s, k, "c", "latest", "B"),
      await claim(s, k, "d", "once"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "e", "latest", "B"),
      await claim(s, k, "f", "latest", "A"),
    ],
  },
  {
    name: "latest without a fingerprint matches a done delivery without one, and only that",
    expected: ["claimed", true, "duplicate", "claimed", true, "claimed", true, "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a", "once"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest"),
      await claim(s, k, "c", "latest", "X"),
      await s.complete(k, "c", TTL),
      await claim(s, k, "d", "latest"),
      await s.release(k, "d"),
      await claim(s, k, "e", "latest", "X"),
    ],
  },
  {
    name: "a once claim with a fingerprint leaves that fingerprint as the done one",
    expected: ["claimed", true, "duplicate", "claimed"],
    run: async (s, k) => [
      await claim(s, k, "a", "once", "X"),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest", "X"),
      await claim(s, k, "c", "latest", "Y"),
    ],
  },
  {
    name: "an empty fingerprint is a fingerprint, not its absence",
    expected: ["claimed", true, "claimed", true, "duplicate"],
    run: async (s, k) => [
      await claim(s, k, "a", "latest", ""),
      await s.complete(k, "a", TTL),
      await claim(s, k, "b", "latest"),
      await s.complete(k, "b", TTL),
      await claim(s, k, "c", "latest"),
    ],
  },
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
