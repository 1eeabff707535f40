import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { ClaimRequest, ClaimResult, VersionedClaim } from "./DedupeStore.js";
import { memoryStore } from "./memoryStore.js";

const WINDOW = 60_000;
const TTL = { ttlMs: 30 * 60_000 };
const LEASE = 1_000;

/** A claim as the receiver makes it: with a retry window and version numbers. */
const tracked = (token: string, fingerprint?: string): ClaimRequest => ({
  token,
  leaseMs: LEASE,
  mode: fingerprint === undefined ? "once" : "latest",
  fingerprint,
  retryWindowMs: WINDOW,
  versions: true,
});
/** A claim as callers from before `reclaimed` and versions make it. */
const plain = (token: string, fingerprint?: string): ClaimRequest => ({
  token,
  leaseMs: LEASE,
  mode: fingerprint === undefined ? "once" : "latest",
  fingerprint,
});

let now = 1_700_000_000_000;
beforeEach(() => {
  now = 1_700_000_000_000;
  vi.spyOn(Date, "now").mockImplementation(() => now);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("memoryStore: reclaimed (a retry of a released or lapsed claim)", () => {
  it("answers reclaimed to the claim after a release, within the window", () => {
    const store = memoryStore();
    expect(store.claim("k", tracked("a"))).toBe("claimed");
    expect(store.release("k", "a")).toBe(true);
    expect(store.size).toBe(1); // the marker stays
    now += WINDOW - 1;
    expect(store.claim("k", tracked("b"))).toBe("reclaimed");
    // The retry owns the key as any claim does.
    expect(store.claim("k", tracked("c"))).toBe("in_progress");
    expect(store.complete("k", "b", TTL)).toBe(true);
    expect(store.claim("k", tracked("d"))).toBe("duplicate");
  });

  it("answers reclaimed after a lapsed lease, claimed once the window passed", () => {
    const store = memoryStore();
    expect(store.claim("k", tracked("crashed"))).toBe("claimed");
    now += LEASE;
    expect(store.claim("k", tracked("retry"))).toBe("reclaimed");
    now += LEASE + WINDOW; // this claim lapsed too, a window ago
    expect(store.claim("k", tracked("late"))).toBe("claimed");
  });

  it("lets the released owner do nothing more, at once or later", () => {
    const store = memoryStore();
    store.claim("k", tracked("a"));
    expect(store.release("k", "a")).toBe(true);
    expect(store.release("k", "a")).toBe(false);
    expect(store.complete("k", "a", TTL)).toBe(false);
    expect(store.renew("k", "a", LEASE)).toBe(false);
    expect(store.claim("k", tracked("b"))).toBe("reclaimed");
  });

  it("answers claimed to a caller that did not ask, and deletes its released claims", () => {
    const store = memoryStore();
    store.claim("k", plain("a"));
    store.release("k", "a");
    expect(store.size).toBe(0);
    expect(store.claim("k", tracked("b"))).toBe("claimed");
    store.release("k", "b");
    // The marker was left by a tracked claim, but this caller cannot read `reclaimed`.
    expect(store.claim("k", plain("c"))).toBe("claimed");
    now += LEASE;
    expect(store.claim("k", plain("d"))).toBe("claimed");
  });

  it("in latest mode, a retry only of the same fingerprint; the done version stays", () => {
    const store = memoryStore();
    store.claim("k", tracked("a", "up"));
    store.complete("k", "a", TTL);
    expect(store.claim("k", tracked("b", "down"))).toEqual({ result: "claimed", version: 1 });
    store.release("k", "b");
    // The key answers as before the released claim: "up" is still done.
    expect(store.claim("k", tracked("c", "up"))).toBe("duplicate");
    expect(store.claim("k", tracked("d", "down"))).toEqual({ result: "reclaimed", version: 1 });
    store.release("k", "d");
    // Another version after a released one is not its retry.
    expect(store.claim("k", tracked("e", "sideways"))).toEqual({ result: "claimed", version: 1 });
  });
});

describe("memoryStore: version numbers of a latest key", () => {
  it("counts versions up, down, up, down; duplicates name the done version", () => {
    const store = memoryStore();
    const answers: ClaimResult[] = [];
    ["up", "down", "up", "down"].forEach((fp, i) => {
      answers.push(store.claim("k", tracked(`t${i}`, fp)));
      expect(store.complete("k", `t${i}`, TTL)).toBe(true);
    });
    expect(answers).toEqual([
      "claimed",
      { result: "claimed", version: 1 },
      { result: "claimed", version: 2 },
      { result: "claimed", version: 3 },
    ]);
    expect(store.claim("k", tracked("again", "down"))).toEqual({ result: "duplicate", version: 3 });
  });

  it("gives a retry the number of the version it retries (release and lapse)", () => {
    const store = memoryStore();
    store.claim("k", tracked("a", "up"));
    store.complete("k", "a", TTL);
    expect(store.claim("k", tracked("b", "down"))).toEqual({ result: "claimed", version: 1 });
    store.release("k", "b");
    expect(store.claim("k", tracked("c", "down"))).toEqual({ result: "reclaimed", version: 1 });
    now += LEASE; // c crashed
    expect(store.claim("k", tracked("d", "down"))).toEqual({ result: "reclaimed", version: 1 });
    store.complete("k", "d", TTL);
    expect(store.claim("k", tracked("e", "up"))).toEqual({ result: "claimed", version: 2 });
  });

  it("starts again at 0 once the done version expired", () => {
    const store = memoryStore();
    store.claim("k", tracked("a", "up"));
    store.complete("k", "a", TTL);
    now += TTL.ttlMs;
    expect(store.claim("k", tracked("b", "down"))).toBe("claimed");
    store.complete("k", "b", TTL);
    expect(store.claim("k", tracked("c", "up"))).toEqual({ result: "claimed", version: 1 });
  });

  it("answers plain strings without `versions`, and in once mode", () => {
    const store = memoryStore();
    for (const [i, fp] of ["up", "down", "up"].entries()) {
      expect(store.claim("k", plain(`t${i}`, fp))).toBe("claimed");
      store.complete("k", `t${i}`, TTL);
    }
    expect(store.claim("k", plain("x", "up"))).toBe("duplicate");
    // The count went on while nobody asked.
    expect(store.claim("k", tracked("y", "up"))).toEqual({ result: "duplicate", version: 2 });
    store.claim("o", tracked("a"));
    store.complete("o", "a", TTL);
    expect(store.claim("o", tracked("b"))).toBe("duplicate");
  });

  it("types the new answers", () => {
    expectTypeOf<"reclaimed">().toMatchTypeOf<ClaimResult>();
    expectTypeOf<VersionedClaim>().toMatchTypeOf<ClaimResult>();
    expectTypeOf<VersionedClaim["result"]>().toEqualTypeOf<"claimed" | "reclaimed" | "duplicate">();
    expectTypeOf<ClaimRequest["retryWindowMs"]>().toEqualTypeOf<number | undefined>();
  });
});
