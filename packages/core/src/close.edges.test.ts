import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { WebhookResponse } from "./http/response.js";
import type { WebhooksOptions } from "./options.js";

// close() on a fake clock: how long it waits, for what, and what it leaves behind.

const SECRET = "s3cr3t-for-close-edges";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const message = (n: number) =>
  JSON.stringify({
    type: "MESSAGE",
    botId,
    sessionId,
    role: "USER",
    message: "Hi",
    messageId: `733b7d55-61ea-450f-b585-${String(n).padStart(12, "0")}`,
  });
const keyOf = (n: number) =>
  `${botId}:MESSAGE:733b7d55-61ea-450f-b585-${String(n).padStart(12, "0")}`;
const headers = { "x-webhook-secret": SECRET };
const post = (body: string) => ({ method: "POST", headers, body });

const T0 = Date.UTC(2026, 0, 1);
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const make = (options: Partial<WebhooksOptions> = {}) =>
  createWebhooks({ secret: SECRET, dedupe: memoryStore({ max: 10 }), ...options });

/** When the promise settled (ms from T0), or undefined. */
function settledAt(promise: Promise<unknown>) {
  let at: number | undefined;
  void promise.then(() => {
    at = Date.now() - T0;
  });
  return () => at;
}

function answerOf(promise: Promise<WebhookResponse>) {
  let response: WebhookResponse | undefined;
  void promise.then((r) => {
    response = r;
  });
  return () => response;
}

describe("close() waits for what is in flight", () => {
  it("resolves within a tick of the last delivery finishing", async () => {
    // deadlineMs 1000: the ticker (and close's polling) runs every 200 ms.
    const webhooks = make({
      deadlineMs: 1_000,
      leaseMs: 2_000,
      onMessage: () => new Promise<void>((resolve) => setTimeout(resolve, 700)),
    });
    const answer = answerOf(webhooks.receive(post(message(1))));
    const closed = settledAt(webhooks.close({ timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(700);
    expect(answer()?.outcome).toBe("processed");
    expect(closed()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(closed()).toBe(800);
  });

  it("resolves at once when nothing is in flight, even with a long timeout", async () => {
    const webhooks = make();
    const closed = settledAt(webhooks.close({ timeoutMs: 60_000 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed()).toBe(0);
  });

  it("waits 10 s by default, then answers what still runs 503 shutting_down", async () => {
    let signal: AbortSignal | undefined;
    const webhooks = make({
      onMessage: (_m, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
    });
    const answer = answerOf(webhooks.receive(post(message(1))));
    const closed = settledAt(webhooks.close());
    await vi.advanceTimersByTimeAsync(9_999);
    expect([answer(), closed(), signal?.aborted]).toEqual([undefined, undefined, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer()?.status).toBe(503);
    expect(answer()?.outcome).toBe("shutting_down");
    expect(answer()?.headers["retry-after"]).toBe("60");
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: "AbortError" });
    expect(closed()).toBe(10_000);
  });

  it("abandons at once with timeoutMs 0, and releases the claims", async () => {
    const store = memoryStore({ max: 10 });
    const webhooks = make({ dedupe: store, onMessage: () => new Promise(() => {}) });
    const answers = [1, 2].map((n) => answerOf(webhooks.receive(post(message(n)))));
    const closed = settledAt(webhooks.close({ timeoutMs: 0 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(answers.map((a) => a()?.outcome)).toEqual(["shutting_down", "shutting_down"]);
    expect(closed()).toBe(0);
    for (const n of [1, 2]) {
      expect(store.claim(keyOf(n), { token: "next", leaseMs: 1_000, mode: "once" })).toBe(
        "claimed",
      );
    }
  });

  it("waits at most 2 s for a store that does not answer the releases", async () => {
    const base = memoryStore({ max: 10 });
    const hanging: DedupeStore = { ...base, release: () => new Promise<boolean>(() => {}) };
    const webhooks = make({ dedupe: hanging, onMessage: () => new Promise(() => {}) });
    void webhooks.receive(post(message(1)));
    const closed = settledAt(webhooks.close({ timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(2_099);
    expect(closed()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(closed()).toBe(2_100);
  });

  it("waits for releases that answer within the grace period, and no longer", async () => {
    const base = memoryStore({ max: 10 });
    const slow: DedupeStore = {
      ...base,
      release: (key, token) =>
        new Promise<boolean>((resolve) => setTimeout(() => resolve(base.release(key, token)), 500)),
    };
    const webhooks = make({ dedupe: slow, onMessage: () => new Promise(() => {}) });
    void webhooks.receive(post(message(1)));
    const closed = settledAt(webhooks.close({ timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(closed()).toBe(600);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("after close()", () => {
  it("answers 503 shutting_down even for headers that passed preflight before", async () => {
    let ran = 0;
    const webhooks = make({ onMessage: () => void ran++ });
    const early = { ...headers };
    expect(webhooks.preflight({ method: "POST", headers: early })).toBeUndefined();
    await webhooks.close();
    const res = await webhooks.receive({ method: "POST", headers: early, body: message(1) });
    expect(res.outcome).toBe("shutting_down");
    expect(ran).toBe(0);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses timeoutMs %s and keeps receiving",
    async (timeoutMs) => {
      const webhooks = make();
      await expect(webhooks.close({ timeoutMs })).rejects.toThrow(
        "close(): `timeoutMs` must be a number of milliseconds, 0 or more.",
      );
      expect((await webhooks.receive(post(message(1)))).outcome).toBe("processed");
    },
  );
});
