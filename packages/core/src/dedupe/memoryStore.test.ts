import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { ClaimRequest, ClaimResult, DedupeStore } from "./DedupeStore.js";
import { type MemoryStore, type MemoryStoreStats, memoryStore } from "./memoryStore.js";

const once = (token: string, leaseMs = 10_000): ClaimRequest => ({ token, leaseMs, mode: "once" });
const latest = (token: string, fingerprint: string, leaseMs = 10_000): ClaimRequest => ({
  token,
  leaseMs,
  mode: "latest",
  fingerprint,
});
const TTL = { ttlMs: 60_000 };

describe("memoryStore", () => {
  it("moves a key from absent to in progress to done", async () => {
    const store = memoryStore();
    expect(await store.claim("k", once("a"))).toBe("claimed");
    expect(await store.claim("k", once("b"))).toBe("in_progress");
    expect(await store.complete("k", "a", TTL)).toBe(true);
    expect(await store.claim("k", once("c"))).toBe("duplicate");
  });

  it("lets exactly one of 100 concurrent claims win", async () => {
    const store = memoryStore();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.claim("k", once(randomUUID()))),
    );
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r === "in_progress")).toHaveLength(99);
  });

  it("returns a released key to absent, so the retry runs", async () => {
    const store = memoryStore();
    await store.claim("k", once("a"));
    expect(await store.release("k", "a")).toBe(true);
    expect(await store.claim("k", once("b"))).toBe("claimed");
  });

  it("lets only the owner complete, release or renew", async () => {
    const store = memoryStore();
    await store.claim("k", once("owner"));
    expect(await store.complete("k", "intruder", TTL)).toBe(false);
    expect(await store.release("k", "intruder")).toBe(false);
    expect(await store.renew("k", "intruder", 10_000)).toBe(false);
    expect(await store.claim("k", once("other"))).toBe("in_progress");
    expect(await store.renew("k", "owner", 10_000)).toBe(true);
    expect(await store.complete("k", "owner", TTL)).toBe(true);
    // Once done, nobody owns it any more.
    expect(await store.release("k", "owner")).toBe(false);
    expect(await store.claim("k", once("other"))).toBe("duplicate");
  });

  it("lets a crashed owner's lease expire; the late owner can do nothing", async () => {
    const store = memoryStore();
    await store.claim("k", once("crashed", 30));
    await sleep(60);
    expect(await store.claim("k", once("next"))).toBe("claimed");
    expect(await store.complete("k", "crashed", TTL)).toBe(false);
    expect(await store.release("k", "crashed")).toBe(false);
    expect(await store.renew("k", "crashed", 10_000)).toBe(false);
    expect(await store.complete("k", "next", TTL)).toBe(true);
    expect(await store.claim("k", once("late"))).toBe("duplicate");
  });

  it("keeps a renewed lease alive past its first expiry", async () => {
    const store = memoryStore();
    await store.claim("k", once("a", 60));
    await sleep(40);
    expect(await store.renew("k", "a", 200)).toBe(true);
    await sleep(40);
    expect(await store.claim("k", once("b"))).toBe("in_progress");
  });

  it("forgets a done key after its TTL", async () => {
    const store = memoryStore();
    await store.claim("k", once("a"));
    await store.complete("k", "a", { ttlMs: 30 });
    await sleep(60);
    expect(await store.claim("k", once("b"))).toBe("claimed");
  });

  it("in latest mode, runs each change and skips a retry of the last", async () => {
    const store = memoryStore();
    const deliver = async (fp: string) => {
      const token = randomUUID();
      const result = await store.claim("rating", latest(token, fp));
      if (result === "claimed") await store.complete("rating", token, TTL);
      return result;
    };
    expect(await deliver("+1")).toBe("claimed");
    expect(await deliver("-1")).toBe("claimed");
    expect(await deliver("+1")).toBe("claimed");
    expect(await deliver("+1")).toBe("duplicate");
  });

  it("in latest mode, a release restores the previous fingerprint", async () => {
    const store = memoryStore();
    await store.claim("k", latest("a", "v1"));
    await store.complete("k", "a", TTL);
    expect(await store.claim("k", latest("b", "v2"))).toBe("claimed");
    expect(await store.claim("k", latest("c", "v1"))).toBe("in_progress");
    await store.release("k", "b");
    expect(await store.claim("k", latest("d", "v1"))).toBe("duplicate");
    expect(await store.claim("k", latest("e", "v2"))).toBe("claimed");
  });

  it("in latest mode, a crashed claim's expiry also restores the previous fingerprint", async () => {
    const store = memoryStore();
    await store.claim("k", latest("a", "v1"));
    await store.complete("k", "a", TTL);
    await store.claim("k", latest("crashed", "v2", 30));
    await sleep(60);
    expect(await store.claim("k", latest("b", "v1"))).toBe("duplicate");
  });

  it("remembers at most `max` keys", async () => {
    const store = memoryStore({ max: 2 });
    for (const key of ["a", "b", "c"]) {
      await store.claim(key, once("t"));
      await store.complete(key, "t", TTL);
    }
    expect(await store.claim("a", once("u"))).toBe("claimed");
    expect(await store.claim("c", once("u"))).toBe("duplicate");
  });
});

describe("memoryStore size and stats()", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Claims and completes `key` with a fresh token. */
  const process = (store: MemoryStore, key: string, ttlMs = 60_000) => {
    const token = randomUUID();
    expect(store.claim(key, once(token))).toBe("claimed");
    expect(store.complete(key, token, { ttlMs })).toBe(true);
  };

  it("starts empty, with the default bound", () => {
    const store = memoryStore();
    expect(store.size).toBe(0);
    expect(store.stats()).toEqual({ size: 0, max: 100_000, evicted: 0, evictedUnexpired: 0 });
  });

  it("counts a key once, claimed or done; a released new key leaves none", () => {
    const store = memoryStore();
    store.claim("k", once("a"));
    expect(store.size).toBe(1);
    store.complete("k", "a", TTL);
    expect(store.size).toBe(1);
    store.claim("new", once("b"));
    expect(store.size).toBe(2);
    store.release("new", "b");
    expect(store.size).toBe(1);
    // A released claim on a done key leaves it done.
    store.claim("k", latest("c", "v2"));
    store.release("k", "c");
    expect(store.size).toBe(1);
    expect(store.claim("k", once("d"))).toBe("duplicate");
  });

  it("never holds more than `max` keys, and counts each key it forgets", () => {
    const store = memoryStore({ max: 3 });
    for (let i = 0; i < 10; i++) {
      process(store, `k${i}`);
      expect(store.size).toBe(Math.min(i + 1, 3));
    }
    expect(store.stats()).toEqual({ size: 3, max: 3, evicted: 7, evictedUnexpired: 7 });
    // The three most recent are remembered; the first was forgotten, so it runs again.
    for (const key of ["k7", "k8", "k9"]) expect(store.claim(key, once("u"))).toBe("duplicate");
    expect(store.claim("k0", once("u"))).toBe("claimed");
    expect(store.stats()).toMatchObject({ size: 3, evicted: 8, evictedUnexpired: 8 });
  });

  it("counts as unexpired only the evicted keys a retry would still have found", () => {
    let now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const store = memoryStore({ max: 2 });
    process(store, "expired", 100);
    store.claim("crashed", once("gone", 100));
    now += 200; // both are past their TTL and lease
    process(store, "a");
    process(store, "b");
    expect(store.stats()).toEqual({ size: 2, max: 2, evicted: 2, evictedUnexpired: 0 });
    store.claim("running", once("r")); // evicts "a", done
    process(store, "c"); // evicts "b", done
    process(store, "d"); // evicts "running", in progress
    expect(store.stats()).toEqual({ size: 2, max: 2, evicted: 5, evictedUnexpired: 3 });
    // A crashed claim over a done key still holds the done state: evicting it loses that.
    store.claim("d", latest("crashed", "v2", 100));
    now += 200;
    process(store, "e"); // evicts "c"
    process(store, "f"); // evicts "d": its claim expired, its done state not
    expect(store.stats()).toMatchObject({ evicted: 7, evictedUnexpired: 5 });
  });

  it("makes a key the most recently used when it is claimed or completed", () => {
    const store = memoryStore({ max: 2 });
    store.claim("slow", once("s"));
    process(store, "quick");
    store.complete("slow", "s", TTL);
    process(store, "next"); // evicts "quick": "slow" was used last
    expect(store.claim("slow", once("u"))).toBe("duplicate");
    expect(store.claim("quick", once("u"))).toBe("claimed");
  });

  it("has synchronous answers, a read-only size and typed stats", () => {
    const store = memoryStore();
    expectTypeOf(store).toEqualTypeOf<MemoryStore>();
    expectTypeOf(store).toExtend<DedupeStore>();
    expectTypeOf(store.claim).returns.toEqualTypeOf<ClaimResult>();
    expectTypeOf(store.complete).returns.toEqualTypeOf<boolean>();
    expectTypeOf(store.release).returns.toEqualTypeOf<boolean>();
    expectTypeOf(store.renew).returns.toEqualTypeOf<boolean>();
    expectTypeOf(store.size).toEqualTypeOf<number>();
    expectTypeOf(store.stats()).toEqualTypeOf<MemoryStoreStats>();
    expect(() => {
      // @ts-expect-error size is read-only
      store.size = 1;
    }).toThrow(TypeError);
  });
});

/**
 * The store's answers, step by step, against a plain model of the contract
 * (one record per key, never evicted): claims, completes, releases and
 * renewals with any tokens, modes, fingerprints, leases and TTLs, as time moves.
 */
describe("memoryStore against a model of the contract", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  interface ModelEntry {
    doneFingerprint: string | undefined;
    doneUntil: number;
    token: string | undefined;
    claimFingerprint: string | undefined;
    leaseUntil: number;
  }

  const model = (clock: () => number) => {
    const entries = new Map<string, ModelEntry>();
    const owned = (key: string, token: string) => {
      const e = entries.get(key);
      return e && e.token === token && e.leaseUntil > clock() ? e : undefined;
    };
    return {
      claim(key: string, r: ClaimRequest): ClaimResult {
        const e = entries.get(key) ?? {
          doneFingerprint: undefined,
          doneUntil: 0,
          token: undefined,
          claimFingerprint: undefined,
          leaseUntil: 0,
        };
        entries.set(key, e);
        if (e.token !== undefined && e.leaseUntil > clock()) return "in_progress";
        if (e.doneUntil > clock() && (r.mode === "once" || e.doneFingerprint === r.fingerprint))
          return "duplicate";
        Object.assign(e, {
          token: r.token,
          claimFingerprint: r.fingerprint,
          leaseUntil: clock() + r.leaseMs,
        });
        return "claimed";
      },
      complete(key: string, token: string, ttlMs: number) {
        const e = owned(key, token);
        if (!e) return false;
        Object.assign(e, {
          doneFingerprint: e.claimFingerprint,
          doneUntil: clock() + ttlMs,
          token: undefined,
        });
        return true;
      },
      release(key: string, token: string) {
        const e = owned(key, token);
        if (e) e.token = undefined;
        return !!e;
      },
      renew(key: string, token: string, leaseMs: number) {
        const e = owned(key, token);
        if (e) e.leaseUntil = clock() + leaseMs;
        return !!e;
      },
    };
  };

  // Few keys, tokens and durations (waits as long as leases and TTLs, so some
  // end exactly now), so that sequences often meet a key again in each state.
  const key = fc.constantFrom("a", "b");
  const token = fc.constantFrom("t1", "t2");
  const ms = fc.constantFrom(10, 20, 30, 40);
  const step = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant("claim" as const),
        key,
        token,
        ms,
        mode: fc.constantFrom("once" as const, "latest" as const),
        fingerprint: fc.constantFrom(undefined, "f1", "f2"),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constantFrom("complete", "release", "renew"), key, token, ms }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("wait" as const), ms }) },
  );

  it("gives the model's answer to every operation", () => {
    let now = 0;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: "max" }), (steps) => {
        now = 1_700_000_000_000;
        // Two keys in all: the bound never forgets one.
        const store = memoryStore({ max: 2 });
        const expected = model(() => now);
        for (const s of steps) {
          if (s.op === "wait") now += s.ms;
          else if (s.op === "claim") {
            const request = {
              token: s.token,
              leaseMs: s.ms,
              mode: s.mode,
              fingerprint: s.fingerprint,
            };
            expect(store.claim(s.key, request)).toBe(expected.claim(s.key, request));
          } else if (s.op === "complete") {
            expect(store.complete(s.key, s.token, { ttlMs: s.ms })).toBe(
              expected.complete(s.key, s.token, s.ms),
            );
          } else
            expect(store[s.op](s.key, s.token, s.ms)).toBe(expected[s.op](s.key, s.token, s.ms));
        }
      }),
      { numRuns: 500 },
    );
  });
});
