import type { ClaimResult, DedupeMode, DedupeStore } from "../DedupeStore.js";

/** A store scenario: the answers `run` must give, as core's memoryStore gives them. */
export interface StoreScenario {
  readonly name: string;
  readonly expected: readonly unknown[];
  run(s: DedupeStore, k: string): Promise<unknown[]>;
}

export const LEASE = 60_000;
export const TTL = { ttlMs: 30 * 60_000 };

/** `store.claim` with the test's defaults (a 60 s lease, `once`), as a promise. */
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
 * Sequences every shared store (Redis, Postgres, SQLite) runs beside core's
 * memoryStore: each must give the listed answers, so they all match it exactly.
 */
export const STORE_SCENARIOS: readonly StoreScenario[] = [
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
];
