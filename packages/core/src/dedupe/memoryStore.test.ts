import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ClaimRequest } from "./DedupeStore.js";
import { memoryStore } from "./memoryStore.js";

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
