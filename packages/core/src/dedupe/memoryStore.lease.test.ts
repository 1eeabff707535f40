import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClaimRequest } from "./DedupeStore.js";
import { type MemoryStore, memoryStore } from "./memoryStore.js";

// Leases and TTLs to the millisecond, on a fake clock: the memory store reads Date.now().

const once = (token: string, leaseMs = 100, fingerprint?: string): ClaimRequest => ({
  token,
  leaseMs,
  mode: "once",
  ...(fingerprint === undefined ? {} : { fingerprint }),
});
const latest = (token: string, fingerprint?: string, leaseMs = 100): ClaimRequest => ({
  token,
  leaseMs,
  mode: "latest",
  ...(fingerprint === undefined ? {} : { fingerprint }),
});
// A small store: the default one (100,000 keys) takes a while to allocate.
const small = () => memoryStore({ max: 100 });
const at = (ms: number) => vi.setSystemTime(T0 + ms);
const T0 = Date.UTC(2026, 0, 1);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("memoryStore leases, to the millisecond", () => {
  it("holds a claim until its lease ends, and not a millisecond longer", () => {
    const store = small();
    expect(store.claim("k", once("a", 100))).toBe("claimed");
    at(99);
    expect(store.claim("k", once("b"))).toBe("in_progress");
    at(100);
    expect(store.claim("k", once("b"))).toBe("claimed");
  });

  it.each([
    ["complete", (s: MemoryStore) => s.complete("k", "a", { ttlMs: 1_000 })],
    ["release", (s: MemoryStore) => s.release("k", "a")],
    ["renew", (s: MemoryStore) => s.renew("k", "a", 100)],
  ])("refuses the owner's %s once its lease ended, and changes nothing", (_, operation) => {
    const store = small();
    store.claim("k", once("a", 100));
    at(100);
    expect(operation(store)).toBe(false);
    // The key is still free for the next delivery.
    expect(store.claim("k", once("b"))).toBe("claimed");
  });

  it("lets the owner act at the last millisecond of its lease", () => {
    const store = small();
    store.claim("k", once("a", 100));
    at(99);
    expect(store.renew("k", "a", 100)).toBe(true);
    at(198);
    expect(store.complete("k", "a", { ttlMs: 1_000 })).toBe(true);
    expect(store.claim("k", once("b"))).toBe("duplicate");
  });

  it("renews from now: the lease ends `leaseMs` after the renewal", () => {
    const store = small();
    store.claim("k", once("a", 100));
    at(50);
    expect(store.renew("k", "a", 100)).toBe(true);
    at(149);
    expect(store.claim("k", once("b"))).toBe("in_progress");
    at(150);
    expect(store.claim("k", once("b"))).toBe("claimed");
  });

  it("remembers a completed key for its TTL from the completion, and not a millisecond longer", () => {
    const store = small();
    store.claim("k", once("a", 100));
    at(50);
    store.complete("k", "a", { ttlMs: 1_000 });
    at(1_049);
    expect(store.claim("k", once("b"))).toBe("duplicate");
    at(1_050);
    expect(store.claim("k", once("b"))).toBe("claimed");
  });

  it("after a lapsed claim, gives a latest key back its done state", () => {
    const store = small();
    store.claim("k", latest("a", "A"));
    store.complete("k", "a", { ttlMs: 1_000 });
    store.claim("k", latest("b", "B", 100));
    at(100);
    expect(store.release("k", "b")).toBe(false);
    expect(store.claim("k", latest("c", "A"))).toBe("duplicate");
    expect(store.claim("k", once("d"))).toBe("duplicate");
    expect(store.claim("k", latest("e", "B"))).toBe("claimed");
  });

  it("forgets a done state that expired while a later claim held the key", () => {
    const store = small();
    store.claim("k", latest("a", "A"));
    store.complete("k", "a", { ttlMs: 150 });
    store.claim("k", latest("b", "B", 100));
    at(99);
    // The claim still holds: in progress whatever the fingerprint.
    expect(store.claim("k", latest("c", "A"))).toBe("in_progress");
    at(150);
    expect(store.claim("k", latest("c", "A"))).toBe("claimed");
  });

  it("gives the released key back its done state, which still expires on time", () => {
    const store = small();
    store.claim("k", latest("a", "A"));
    store.complete("k", "a", { ttlMs: 150 });
    store.claim("k", latest("b", "B", 1_000));
    expect(store.release("k", "b")).toBe(true);
    at(149);
    expect(store.claim("k", latest("c", "A"))).toBe("duplicate");
    at(150);
    expect(store.claim("k", latest("c", "A"))).toBe("claimed");
  });
});

describe("memoryStore fingerprints", () => {
  it("leaves the fingerprint of a once claim as the done one", () => {
    const store = small();
    store.claim("k", once("a", 100, "X"));
    store.complete("k", "a", { ttlMs: 1_000 });
    expect(store.claim("k", latest("b", "X"))).toBe("duplicate");
    expect(store.claim("k", latest("c", "Y"))).toBe("claimed");
  });

  it("matches a latest claim without a fingerprint to a done key without one, and only that", () => {
    const store = small();
    store.claim("k", once("a"));
    store.complete("k", "a", { ttlMs: 1_000 });
    expect(store.claim("k", latest("b"))).toBe("duplicate");
    expect(store.claim("k", latest("c", ""))).toBe("claimed");
    store.complete("k", "c", { ttlMs: 1_000 });
    expect(store.claim("k", latest("d"))).toBe("claimed");
    store.complete("k", "d", { ttlMs: 1_000 });
    expect(store.claim("k", latest("e", ""))).toBe("claimed");
  });

  it("answers the owner false once it completed, released or lost its claim", () => {
    const store = small();
    store.claim("k", latest("a", "A"));
    expect(store.complete("k", "a", { ttlMs: 1_000 })).toBe(true);
    expect(store.complete("k", "a", { ttlMs: 1_000 })).toBe(false);
    expect(store.renew("k", "a", 100)).toBe(false);
    expect(store.release("k", "a")).toBe(false);
    expect(store.claim("k", latest("b", "A"))).toBe("duplicate");
  });
});

describe("memoryStore stats() of evicted keys, to the millisecond", () => {
  const one = () => memoryStore({ max: 1 });

  it("counts a done key evicted before its TTL ended as unexpired, and not at its end", () => {
    const early = one();
    early.claim("k", once("a"));
    early.complete("k", "a", { ttlMs: 1_000 });
    at(999);
    early.claim("other", once("b"));
    expect(early.stats()).toMatchObject({ evicted: 1, evictedUnexpired: 1 });

    at(0);
    const late = one();
    late.claim("k", once("a"));
    late.complete("k", "a", { ttlMs: 1_000 });
    at(1_000);
    late.claim("other", once("b"));
    expect(late.stats()).toMatchObject({ evicted: 1, evictedUnexpired: 0 });
  });

  it("counts a claim evicted within its lease as unexpired, and not at its end", () => {
    const early = one();
    early.claim("k", once("a", 100));
    at(99);
    early.claim("other", once("b"));
    expect(early.stats()).toMatchObject({ evicted: 1, evictedUnexpired: 1 });

    at(0);
    const late = one();
    late.claim("k", once("a", 100));
    at(100);
    late.claim("other", once("b"));
    expect(late.stats()).toMatchObject({ evicted: 1, evictedUnexpired: 0 });
  });

  it("counts a lapsed claim on a done key as unexpired until the done state's TTL ended", () => {
    for (const [when, unexpired] of [
      [999, 1],
      [1_000, 0],
    ] as const) {
      at(0);
      const store = one();
      store.claim("k", latest("a", "A"));
      store.complete("k", "a", { ttlMs: 1_000 });
      store.claim("k", latest("b", "B", 100));
      at(when);
      store.claim("other", once("c"));
      expect(store.stats()).toMatchObject({ evicted: 1, evictedUnexpired: unexpired });
    }
  });

  it("does not count releases and completions as evictions", () => {
    const store = memoryStore({ max: 2 });
    store.claim("new", once("a"));
    store.release("new", "a");
    store.claim("k", once("b"));
    store.complete("k", "b", { ttlMs: 1_000 });
    store.claim("k2", latest("c", "C"));
    store.complete("k2", "c", { ttlMs: 1_000 });
    expect(store.stats()).toEqual({ size: 2, max: 2, evicted: 0, evictedUnexpired: 0 });
  });
});

describe("memoryStore versions", () => {
  it("answers the first version of a latest key as a plain result, later ones with their number", () => {
    const store = small();
    const v = (token: string, fingerprint: string): ClaimRequest => ({
      ...latest(token, fingerprint),
      versions: true,
    });
    expect(store.claim("k", v("a", "A"))).toBe("claimed");
    store.complete("k", "a", { ttlMs: 1_000 });
    expect(store.claim("k", v("b", "A"))).toBe("duplicate");
    expect(store.claim("k", v("c", "B"))).toEqual({ result: "claimed", version: 1 });
    store.complete("k", "c", { ttlMs: 1_000 });
    expect(store.claim("k", v("d", "B"))).toEqual({ result: "duplicate", version: 1 });
    // Without versions asked for, or in once mode, always the plain result.
    expect(store.claim("k", latest("e", "B"))).toBe("duplicate");
    expect(store.claim("o", { ...once("f"), versions: true })).toBe("claimed");
  });
});

describe("memoryStore retry windows", () => {
  const windowed = (request: ClaimRequest, retryWindowMs: number): ClaimRequest => ({
    ...request,
    retryWindowMs,
  });

  it("answers a once claim after a release reclaimed whatever its fingerprint", () => {
    const store = small();
    expect(store.claim("k", windowed(once("a", 100, "A"), 1_000))).toBe("claimed");
    store.release("k", "a");
    expect(store.claim("k", windowed(once("b", 100, "B"), 1_000))).toBe("reclaimed");
  });

  it("answers reclaimed only to a claim that asks with a window of its own", () => {
    const store = small();
    expect(store.claim("k", windowed(once("a"), 1_000))).toBe("claimed");
    store.release("k", "a");
    expect(store.claim("k", windowed(once("b"), 0))).toBe("claimed");
  });
});
