import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { ClaimRequest, DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { WebhookContext } from "./handlers/types.js";
import type { WebhookResponse } from "./http/response.js";
import type { Logger } from "./logger.js";
import type { WebhooksOptions } from "./options.js";

// A run's deadline, lease renewals, queue and store calls, on a fake clock: the times below
// are exact, whatever the machine's speed. With deadlineMs 1000 and leaseMs 1200 the ticker
// wakes every 200 ms (a fifth of the deadline, a sixth of the lease) and a claim is renewed
// every 400 ms (a third of the lease).

const SECRET = "s3cr3t-for-run-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const KEY = `${botId}:MESSAGE:${messageId}`;
const message = JSON.stringify({
  type: "MESSAGE",
  botId,
  sessionId,
  role: "USER",
  message: "Hi",
  messageId,
});
const update = (v: string) =>
  JSON.stringify({ type: "VARIABLE_UPDATE", botId, sessionId, variables: { v } });
const post = (body: string) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET, "content-type": "application/json" },
  body,
});

const T0 = Date.UTC(2026, 0, 1);
const elapsed = () => Date.now() - T0;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A memory store that records every call and when it came (ms from T0). */
function recordingStore(overrides: Partial<DedupeStore> = {}) {
  const base = memoryStore({ max: 100 });
  const calls: string[] = [];
  const record =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(`${name}@${elapsed()}`);
      return fn(...args);
    };
  const store: DedupeStore = {
    claim: record("claim", overrides.claim ?? base.claim),
    complete: record("complete", overrides.complete ?? base.complete),
    release: record("release", overrides.release ?? base.release),
    renew: record("renew", overrides.renew ?? base.renew),
  };
  return { store, base, calls, of: (name: string) => calls.filter((c) => c.startsWith(name)) };
}

/** A promise the test settles. */
function gate() {
  let open = () => {};
  let fail = (_error: unknown) => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** The answer once it came, or undefined. */
function watch(answer: Promise<WebhookResponse>) {
  let response: WebhookResponse | undefined;
  void answer.then((r) => {
    response = r;
  });
  return () => response;
}

function recordingLogger() {
  const lines: { level: string; msg: string | undefined; obj: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg?: string): void =>
      void lines.push({ level, msg, obj });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return { logger, lines };
}

const make = (options: Partial<WebhooksOptions> = {}) =>
  createWebhooks({
    secret: SECRET,
    deadlineMs: 1_000,
    leaseMs: 1_200,
    dedupe: memoryStore({ max: 100 }),
    ...options,
  });

describe("the deadline and lease renewals of a running handler", () => {
  it("renews the claim every third of the lease while the handler runs, then completes it", async () => {
    const { store, calls, of } = recordingStore();
    const handler = gate();
    const webhooks = make({ dedupe: store, onMessage: () => handler.promise });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(999);
    expect(answer()).toBeUndefined();
    expect(of("renew")).toEqual(["renew@400", "renew@800"]);
    handler.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("processed");
    expect(calls).toEqual(["claim@0", "renew@400", "renew@800", "complete@999"]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(4);
  });

  it("answers 503 at the deadline to the millisecond, fires the signal and stops renewing", async () => {
    const { store, of } = recordingStore();
    let signal: AbortSignal | undefined;
    const webhooks = make({
      dedupe: store,
      onMessage: (_m, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(999);
    expect(answer()).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer()?.status).toBe(503);
    expect(answer()?.outcome).toBe("handler_timeout");
    expect(answer()?.headers["retry-after"]).toBe("60");
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: "TimeoutError" });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(of("renew")).toEqual(["renew@400", "renew@800"]);
  });

  it("lets the claim lapse a lease after the last renewal: the retry runs then, not before", async () => {
    let ran = 0;
    const webhooks = make({
      onMessage: () => {
        ran++;
        return new Promise(() => {});
      },
    });
    void webhooks.receive(post(message));
    await vi.advanceTimersByTimeAsync(1_999); // last renewal at 800: lapses at 2000
    expect((await webhooks.receive(post(message))).outcome).toBe("in_progress");
    await vi.advanceTimersByTimeAsync(1);
    void webhooks.receive(post(message));
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toBe(2);
  });

  it("gives two handlers that hang the same deadline and renewals as one", async () => {
    const { store, of } = recordingStore();
    const signals: AbortSignal[] = [];
    const hang = (_e: unknown, ctx: WebhookContext) => {
      signals.push(ctx.signal);
      return new Promise<void>(() => {});
    };
    const webhooks = make({ dedupe: store, onMessage: hang, onAny: hang });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(999);
    expect(answer()).toBeUndefined();
    expect(of("renew")).toEqual(["renew@400", "renew@800"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer()?.outcome).toBe("handler_timeout");
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });

  it("completes the claim it still owns when a handler ends after the deadline", async () => {
    const handler = gate();
    const webhooks = make({ onMessage: () => handler.promise });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(answer()?.outcome).toBe("handler_timeout");
    handler.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("handler_timeout");
    expect((await webhooks.receive(post(message))).outcome).toBe("duplicate");
  });

  it("releases the claim it still owns when a handler fails after the deadline", async () => {
    const handler = gate();
    let ran = 0;
    const webhooks = make({
      onMessage: () => {
        ran++;
        return ran === 1 ? handler.promise : undefined;
      },
    });
    void webhooks.receive(post(message));
    await vi.advanceTimersByTimeAsync(1_500);
    handler.fail(new Error("late failure"));
    await vi.advanceTimersByTimeAsync(0);
    expect((await webhooks.receive(post(message))).outcome).toBe("processed");
    expect(ran).toBe(2);
  });

  it("marks nothing when a handler ends after its claim lapsed and another delivery took it", async () => {
    const first = gate();
    const { store, base } = recordingStore();
    let ran = 0;
    const webhooks = make({
      dedupe: store,
      onMessage: () => {
        ran++;
        return ran === 1 ? first.promise : new Promise<void>(() => {});
      },
    });
    void webhooks.receive(post(message));
    await vi.advanceTimersByTimeAsync(2_000);
    void webhooks.receive(post(message)); // the retry claims the lapsed key and hangs too
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toBe(2);
    first.open(); // the first run's complete finds another owner
    await vi.advanceTimersByTimeAsync(0);
    expect(base.claim(KEY, { token: "probe", leaseMs: 1_000, mode: "once" })).toBe("in_progress");
  });

  it("answers a handler slower than several ticks and faster than the deadline 200", async () => {
    const webhooks = make({
      onMessage: () => new Promise<void>((resolve) => setTimeout(resolve, 900)),
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(900);
    expect(answer()?.outcome).toBe("processed");
  });
});

describe("a finished run leaves nothing behind", () => {
  it("is no longer in flight: close() resolves at once and its signal never fires", async () => {
    const { store, of } = recordingStore();
    let signal: AbortSignal | undefined;
    const webhooks = make({
      dedupe: store,
      onMessage: (_m, ctx) => {
        signal = ctx.signal;
        return new Promise<void>((resolve) => setTimeout(resolve, 300));
      },
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(300);
    expect(answer()?.outcome).toBe("processed");
    let closed = false;
    void webhooks.close({ timeoutMs: 10_000 }).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(signal?.aborted).toBe(false);
    expect(of("renew")).toEqual([]);
  });

  it("is no longer in flight after a failure, a duplicate or a store error", async () => {
    const cases: Partial<WebhooksOptions>[] = [
      {
        onMessage: () => new Promise((_, reject) => setTimeout(() => reject(new Error("x")), 50)),
      },
      { onDuplicate: () => new Promise<void>((resolve) => setTimeout(resolve, 50)) },
      {
        dedupe: {
          ...memoryStore({ max: 10 }),
          claim: () => new Promise((_, reject) => setTimeout(() => reject(new Error("down")), 50)),
        },
      },
    ];
    const outcomes: string[] = [];
    for (const options of cases) {
      const webhooks = make(options);
      if (options.onDuplicate) await webhooks.receive(post(message));
      const answer = watch(webhooks.receive(post(message)));
      await vi.advanceTimersByTimeAsync(50);
      outcomes.push(answer()?.outcome ?? "none");
      let closed = false;
      void webhooks.close({ timeoutMs: 10_000 }).then(() => {
        closed = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(closed).toBe(true);
    }
    expect(outcomes).toEqual(["handler_failed", "duplicate", "store_unavailable"]);
  });
});

describe("store calls that fail around a run", () => {
  it.each([
    ["rejects", () => Promise.reject(new Error("complete down"))],
    [
      "throws",
      () => {
        throw new Error("complete down");
      },
    ],
  ])("answers 200 when complete %s after the handlers succeeded, and logs it", async (_, fail) => {
    const { logger, lines } = recordingLogger();
    const { store } = recordingStore({ complete: fail });
    const webhooks = make({ dedupe: store, logger, onMessage: async () => {} });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("processed");
    const line = lines.find((l) => l.msg?.includes("complete failed"));
    expect(line?.level).toBe("error");
    expect(line?.obj.err).toMatchObject({ message: "complete down" });
    expect(line?.obj.key).toBe(KEY);
  });

  it.each([
    ["rejects", () => Promise.reject(new Error("release down"))],
    [
      "throws",
      () => {
        throw new Error("release down");
      },
    ],
  ])("answers 500 when release %s after a handler failed, and logs it", async (_, fail) => {
    const { logger, lines } = recordingLogger();
    const { store } = recordingStore({ release: fail });
    const webhooks = make({
      dedupe: store,
      logger,
      onMessage: async () => {
        throw new Error("handler broke");
      },
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("handler_failed");
    const line = lines.find((l) => l.msg?.includes("release failed"));
    expect(line?.level).toBe("error");
    expect(line?.obj.err).toMatchObject({ message: "release down" });
  });

  it("answers 503 at the deadline when release hangs after a handler failed", async () => {
    const { store } = recordingStore({ release: () => new Promise<boolean>(() => {}) });
    const webhooks = make({
      dedupe: store,
      onMessage: () => {
        throw new Error("handler broke");
      },
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(999);
    expect(answer()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer()?.outcome).toBe("handler_timeout");
  });

  it.each([
    ["rejects", () => Promise.reject(new Error("renew down"))],
    [
      "throws",
      () => {
        throw new Error("renew down");
      },
    ],
  ])("keeps running when a renewal %s, and logs it", async (_, fail) => {
    const { logger, lines } = recordingLogger();
    const { store } = recordingStore({ renew: fail });
    const webhooks = make({
      dedupe: store,
      logger,
      onMessage: () => new Promise<void>((resolve) => setTimeout(resolve, 500)),
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(500);
    expect(answer()?.outcome).toBe("processed");
    const line = lines.find((l) => l.msg?.includes("lease renewal failed"));
    expect(line?.level).toBe("error");
    expect(line?.obj.key).toBe(KEY);
  });

  it("answers 503 store_unavailable when the claim rejects, logs it and runs nothing", async () => {
    const { logger, lines } = recordingLogger();
    let ran = 0;
    const { store } = recordingStore({ claim: () => Promise.reject(new Error("store down")) });
    const webhooks = make({ dedupe: store, logger, onMessage: () => void ran++ });
    const res = await webhooks.receive(post(message));
    expect(res.status).toBe(503);
    expect(res.outcome).toBe("store_unavailable");
    expect(res.headers["retry-after"]).toBe("60");
    expect(ran).toBe(0);
    const line = lines.find((l) => l.level === "error");
    expect(line?.msg).toContain("dedupe store unreachable");
    expect(line?.obj.err).toMatchObject({ message: "store down" });
    expect(line?.obj).toMatchObject({ type: "MESSAGE", key: KEY });
  });

  it("runs the handlers once, without a claim, when the store fails open", async () => {
    const { logger, lines } = recordingLogger();
    const { store, calls } = recordingStore({
      claim: () => Promise.reject(new Error("store down")),
    });
    let ran = 0;
    const webhooks = make({
      dedupe: store,
      logger,
      onStoreError: "open",
      onMessage: () => new Promise<void>((resolve) => setTimeout(() => resolve(void ran++), 500)),
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(500);
    expect(answer()?.outcome).toBe("processed");
    expect(ran).toBe(1);
    // Nothing to renew, complete or release: the run holds no claim.
    expect(calls).toEqual(["claim@0"]);
    expect(lines.filter((l) => l.level === "warn")).toHaveLength(1);
  });

  it("forgets a claim that fails after the deadline answered", async () => {
    const claim = gate();
    const { store } = recordingStore({
      claim: () => claim.promise.then(() => Promise.reject(new Error("late"))),
    });
    const webhooks = make({ dedupe: store });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer()?.outcome).toBe("store_unavailable");
    claim.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("store_unavailable");
    let closed = false;
    void webhooks.close({ timeoutMs: 10_000 }).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(true);
  });

  it.each(["duplicate", "in_progress"] as const)(
    "leaves a late %s claim answer alone",
    async (result) => {
      const claim = gate();
      const { store, calls } = recordingStore({ claim: () => claim.promise.then(() => result) });
      const webhooks = make({ dedupe: store });
      const answer = watch(webhooks.receive(post(message)));
      await vi.advanceTimersByTimeAsync(1_000);
      claim.open();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(answer()?.outcome).toBe("store_unavailable");
      expect(calls).toEqual(["claim@0"]);
    },
  );
});

describe("when the run's own callbacks break", () => {
  it("answers 500 internal_error when a store's late claim answer breaks as it is read, and logs it", async () => {
    const { logger, lines } = recordingLogger();
    const broken = new Error("answer broke");
    const { store, of } = recordingStore({
      // An object whose fields throw: reading it breaks the run's callback, not the store call.
      claim: () =>
        Promise.resolve({
          get result(): never {
            throw broken;
          },
        } as never),
    });
    const onOutcome = vi.fn();
    const webhooks = make({ dedupe: store, logger, onOutcome, onMessage: () => {} });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()).toMatchObject({ status: 500, outcome: "internal_error" });
    expect(of("release")).toEqual([]); // it never held the claim
    const line = lines.find((l) => l.msg === "fineguide-webhooks: unexpected error");
    expect(line?.level).toBe("error");
    expect(line?.obj).toMatchObject({ err: broken, deliveryId: expect.any(String) });
    await vi.advanceTimersByTimeAsync(0);
    expect(onOutcome).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: "internal_error", error: broken }),
    );
  });

  it("logs a release that fails when a claim answered after the deadline is given back", async () => {
    const { logger, lines } = recordingLogger();
    const claim = gate();
    const { store, of } = recordingStore({
      claim: () => claim.promise.then(() => "claimed" as const),
      release: () => Promise.reject(new Error("release down")),
    });
    const webhooks = make({ dedupe: store, logger, onMessage: () => {} });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer()?.outcome).toBe("store_unavailable");
    claim.open(); // the claim comes through late: it is given back at once
    await vi.advanceTimersByTimeAsync(0);
    expect(of("release")).toEqual(["release@1000"]);
    const line = lines.find((l) => l.msg?.includes("release failed"));
    expect(line?.level).toBe("error");
    expect(line?.obj).toMatchObject({ key: KEY, err: { message: "release down" } });
    expect(answer()?.outcome).toBe("store_unavailable");
  });
});

describe("failures, hooks and what onError receives", () => {
  it("gives onError the error of the one handler that failed, with the event and ctx", async () => {
    const failure = new Error("one broke");
    const seen: unknown[][] = [];
    const webhooks = make({
      onMessage: async () => {
        throw failure;
      },
      onAny: async () => {},
      onError: (...args) => void seen.push(args),
    });
    const res = await webhooks.receive(post(message));
    expect(res.status).toBe(500);
    expect(res.outcome).toBe("handler_failed");
    expect(res.body).not.toContain("one broke");
    expect(seen).toHaveLength(1);
    const [error, event, ctx] = seen[0]!;
    expect(error).toBe(failure);
    expect(event).toMatchObject({ type: "MESSAGE", messageId });
    expect((ctx as WebhookContext).dedupeKey).toBe(KEY);
  });

  it("gives onError an AggregateError of every failure when several handlers failed", async () => {
    const errors: unknown[] = [];
    const webhooks = make({
      onMessage: async () => {
        throw new Error("first");
      },
      onAny: () => {
        throw new Error("second");
      },
      onError: (error) => void errors.push(error),
    });
    expect((await webhooks.receive(post(message))).outcome).toBe("handler_failed");
    expect(errors).toHaveLength(1);
    const error = errors[0] as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toBe("2 handlers failed for MESSAGE");
    expect(error.errors.map((e: Error) => e.message).sort()).toEqual(["first", "second"]);
  });

  it("answers a single handler's rejection 500 at once, and releases its claim", async () => {
    const { store, calls } = recordingStore();
    const webhooks = make({
      dedupe: store,
      onMessage: () => new Promise((_, reject) => setTimeout(() => reject(new Error("x")), 10)),
    });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(10);
    expect(answer()?.outcome).toBe("handler_failed");
    expect(calls).toEqual(["claim@0", "release@10"]);
  });

  it("logs a failing handler with its error, type and key", async () => {
    const { logger, lines } = recordingLogger();
    const webhooks = make({
      logger,
      onMessage: () => {
        throw new Error("handler broke");
      },
    });
    await webhooks.receive(post(message));
    const line = lines.find((l) => l.msg?.includes("handler failed"));
    expect(line?.level).toBe("error");
    expect(line?.obj).toMatchObject({ type: "MESSAGE", key: KEY });
    expect(line?.obj.err).toMatchObject({ message: "handler broke" });
  });

  it("keeps answering when hooks throw or reject, runs the next hook and logs each", async () => {
    const { logger, lines } = recordingLogger();
    const calls: string[] = [];
    const webhooks = make({
      logger,
      onMessage: () => {
        throw new Error("handler broke");
      },
      onError: [
        () => {
          calls.push("error 1");
          throw new Error("hook broke");
        },
        async () => {
          calls.push("error 2");
          throw new Error("hook rejected");
        },
        () => void calls.push("error 3"),
      ],
      onInvalid: () => {
        calls.push("invalid");
        throw new Error("hook broke");
      },
      onDuplicate: async () => {
        calls.push("duplicate");
        throw new Error("hook rejected");
      },
    });
    expect((await webhooks.receive(post(message))).outcome).toBe("handler_failed");
    expect((await webhooks.receive(post("{}"))).outcome).toBe("missing_type");
    const rating = JSON.stringify({ type: "RATE_MESSAGE", botId, sessionId, messageId, rating: 1 });
    expect((await webhooks.receive(post(rating))).outcome).toBe("processed");
    expect((await webhooks.receive(post(rating))).outcome).toBe("duplicate");
    expect(calls).toEqual(["error 1", "error 2", "error 3", "invalid", "duplicate"]);
    const hookLines = lines.filter((l) => l.msg?.includes("a hook threw"));
    expect(hookLines.map((l) => (l.obj.err as Error).message)).toEqual([
      "hook broke",
      "hook rejected",
      "hook broke",
      "hook rejected",
    ]);
  });

  it("waits for an onDuplicate hook before answering, up to the deadline", async () => {
    const hook = gate();
    const webhooks = make({ onDuplicate: () => hook.promise });
    await webhooks.receive(post(message));
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(500);
    expect(answer()).toBeUndefined();
    hook.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("duplicate");
  });
});

describe("newer versions of a latest key wait for the running one", () => {
  it("runs each waiting version as soon as the one before it ended, in arrival order", async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const log: string[] = [];
    const webhooks = make({
      onVariableUpdate: (e) => {
        const v = String(e.variables.v);
        log.push(`start ${v}@${elapsed()}`);
        const g = gate();
        gates.set(v, g);
        return g.promise.then(() => void log.push(`end ${v}@${elapsed()}`));
      },
    });
    const a = watch(webhooks.receive(post(update("A"))));
    await vi.advanceTimersByTimeAsync(10);
    const b = watch(webhooks.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(10);
    const c = watch(webhooks.receive(post(update("C"))));
    await vi.advanceTimersByTimeAsync(10);
    gates.get("A")!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(a()?.outcome).toBe("processed");
    expect(b()).toBeUndefined();
    gates.get("B")!.open();
    await vi.advanceTimersByTimeAsync(0);
    gates.get("C")!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect([a(), b(), c()].map((r) => r?.outcome)).toEqual(["processed", "processed", "processed"]);
    // No tick in between: each version starts the moment the one before it is done.
    expect(log).toEqual([
      "start A@0",
      "end A@30",
      "start B@30",
      "end B@30",
      "start C@30",
      "end C@30",
    ]);
  });

  it("claims once per version as the queue moves: none behind the new head claims in vain", async () => {
    const { store, of } = recordingStore();
    const gates = new Map<string, ReturnType<typeof gate>>();
    const webhooks = make({
      dedupe: store,
      onVariableUpdate: (e) => {
        const g = gate();
        gates.set(String(e.variables.v), g);
        return g.promise;
      },
    });
    const answers = ["A", "B", "C"].map((v) => watch(webhooks.receive(post(update(v)))));
    await vi.advanceTimersByTimeAsync(0);
    expect(of("claim")).toHaveLength(3); // A claimed; B and C in_progress, queued
    gates.get("A")!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(of("claim")).toHaveLength(4); // B claims; C, still behind B, does not
    gates.get("B")!.open();
    await vi.advanceTimersByTimeAsync(0);
    gates.get("C")!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(answers.map((a) => a()?.outcome)).toEqual(["processed", "processed", "processed"]);
    expect(of("claim")).toHaveLength(5);
  });

  it("polls with the head of the queue only; one leaving from behind it makes no one claim", async () => {
    const { store, of } = recordingStore();
    const first = gate();
    const webhooks = make({ dedupe: store, onVariableUpdate: () => first.promise });
    const a = watch(webhooks.receive(post(update("A")))); // runs until the gate opens
    const b = watch(webhooks.receive(post(update("B")))); // head of the queue
    // C arrived 500 ms ago (its deadline is at 500), queued behind B.
    const c = watch(webhooks.receive({ ...post(update("C")), receivedAt: T0 - 500 }));
    await vi.advanceTimersByTimeAsync(700);
    expect(c()?.outcome).toBe("in_progress");
    expect([a(), b()]).toEqual([undefined, undefined]);
    // A, B and C once each, then B alone on every tick; C's leaving adds nothing.
    expect(of("claim")).toEqual([
      "claim@0",
      "claim@0",
      "claim@0",
      "claim@200",
      "claim@400",
      "claim@600",
    ]);
    first.open();
    await vi.advanceTimersByTimeAsync(0);
    expect([a(), b()].map((r) => r?.outcome)).toEqual(["processed", "processed"]);
  });

  it("wakes nobody when a version that never held the claim ends (its claim failed)", async () => {
    let claims = 0;
    const { store, of } = recordingStore({
      // A runs, B finds it in progress, C's claim fails; later claims see A still running.
      claim: () => {
        claims++;
        if (claims === 3) throw new Error("store down for one call");
        return claims === 1 ? "claimed" : "in_progress";
      },
    });
    const first = gate();
    const webhooks = make({ dedupe: store, onVariableUpdate: () => first.promise });
    const a = watch(webhooks.receive(post(update("A")))); // claims and runs
    const b = watch(webhooks.receive(post(update("B")))); // in_progress: waits behind A
    const c = watch(webhooks.receive(post(update("C")))); // its claim throws: 503, ends
    await vi.advanceTimersByTimeAsync(0);
    expect([a(), b(), c()].map((r) => r?.outcome)).toEqual([
      undefined,
      undefined,
      "store_unavailable",
    ]);
    // C held nothing: B is not asked to claim again before its next poll.
    expect(of("claim")).toEqual(["claim@0", "claim@0", "claim@0"]);
    first.open();
    await vi.advanceTimersByTimeAsync(0);
  });

  it("runs the waiting version at once when the running one failed", async () => {
    const first = gate();
    const order: string[] = [];
    const webhooks = make({
      onVariableUpdate: (e) => {
        order.push(String(e.variables.v));
        return e.variables.v === "A" ? first.promise : undefined;
      },
    });
    const a = watch(webhooks.receive(post(update("A"))));
    const b = watch(webhooks.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(10);
    first.fail(new Error("A broke"));
    await vi.advanceTimersByTimeAsync(0);
    expect([a()?.outcome, b()?.outcome]).toEqual(["handler_failed", "processed"]);
    expect(order).toEqual(["A", "B"]);
  });

  it("answers a waiting version 503 in_progress at its deadline; the one behind it keeps waiting", async () => {
    const first = gate();
    const order: string[] = [];
    const webhooks = make({
      onVariableUpdate: (e) => {
        order.push(String(e.variables.v));
        return e.variables.v === "A" ? first.promise : undefined;
      },
    });
    const a = watch(webhooks.receive(post(update("A"))));
    await vi.advanceTimersByTimeAsync(100);
    const b = watch(webhooks.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(900);
    const c = watch(webhooks.receive(post(update("C"))));
    expect(a()?.outcome).toBe("handler_timeout");
    // B's deadline (1100) is enforced by the tick after it (the ticker runs every 200 ms from 0).
    await vi.advanceTimersByTimeAsync(199);
    expect(b()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(b()?.outcome).toBe("in_progress");
    expect(b()?.headers["retry-after"]).toBe("60");
    expect(c()).toBeUndefined();
    first.open(); // A ends late and completes: C runs at once
    await vi.advanceTimersByTimeAsync(0);
    expect(c()?.outcome).toBe("processed");
    expect(order).toEqual(["A", "C"]);
  });

  it("lets the next in line claim at once when the head of the queue leaves at its deadline", async () => {
    const first = gate();
    const { store, of } = recordingStore();
    const webhooks = make({
      dedupe: store,
      onVariableUpdate: (e) => (e.variables.v === "A" ? first.promise : undefined),
    });
    void webhooks.receive(post(update("A")));
    await vi.advanceTimersByTimeAsync(100);
    const b = watch(webhooks.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(1_000);
    const c = watch(webhooks.receive(post(update("C"))));
    await vi.advanceTimersByTimeAsync(100);
    expect(b()?.outcome).toBe("in_progress");
    // B polls on the ticks from its arrival; C claims when it arrives, then the moment B left
    // the head of the queue (1200), not at its own next poll (1400).
    expect(of("claim")).toEqual([
      "claim@0",
      "claim@100",
      "claim@400",
      "claim@600",
      "claim@800",
      "claim@1000",
      "claim@1100",
      "claim@1200",
    ]);
    await vi.advanceTimersByTimeAsync(200);
    expect(of("claim").slice(8)).toEqual(["claim@1400"]);
    first.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(c()?.outcome).toBe("processed");
  });

  it("answers a retry of the waiting version as a duplicate once the running one is done", async () => {
    const first = gate();
    let ran = 0;
    const webhooks = make({
      onVariableUpdate: () => {
        ran++;
        return first.promise;
      },
    });
    const a = watch(webhooks.receive(post(update("A"))));
    const retry = watch(webhooks.receive(post(update("A"))));
    await vi.advanceTimersByTimeAsync(10);
    first.open();
    await vi.advanceTimersByTimeAsync(0);
    expect([a()?.outcome, retry()?.outcome]).toEqual(["processed", "duplicate"]);
    expect(ran).toBe(1);
  });

  it("polls a version another instance runs on every tick, and runs it the tick after it ended", async () => {
    const shared = recordingStore();
    const other = gate();
    const order: string[] = [];
    const one = make({ dedupe: shared.store, onVariableUpdate: () => other.promise });
    const two = make({
      dedupe: shared.store,
      onVariableUpdate: (e) => void order.push(`${String(e.variables.v)}@${elapsed()}`),
    });
    void one.receive(post(update("A")));
    const b = watch(two.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(450);
    expect(shared.of("claim")).toEqual(["claim@0", "claim@0", "claim@200", "claim@400"]);
    other.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(b()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(150);
    expect(b()?.outcome).toBe("processed");
    expect(order).toEqual(["B@600"]);
  });

  it("does not claim again for a version whose poll is still waiting for a slow store", async () => {
    const base = memoryStore({ max: 100 });
    // Every claim takes the store 50 ms; it reads the key when it answers.
    const { store, of } = recordingStore({
      claim: (key, request) =>
        new Promise((resolve) => setTimeout(() => resolve(base.claim(key, request)), 50)),
      complete: base.complete,
    });
    const first = gate();
    const order: string[] = [];
    const webhooks = make({
      dedupe: store,
      onVariableUpdate: (e) => {
        order.push(`${String(e.variables.v)}@${elapsed()}`);
        return e.variables.v === "A" ? first.promise : undefined;
      },
    });
    const a = watch(webhooks.receive(post(update("A"))));
    const b = watch(webhooks.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(420);
    first.open(); // A ends while B's poll (sent at 400) is still with the store
    await vi.advanceTimersByTimeAsync(100);
    expect([a(), b()].map((r) => r?.outcome)).toEqual(["processed", "processed"]);
    expect(of("claim")).toEqual(["claim@0", "claim@0", "claim@400"]);
    expect(order).toEqual(["A@50", "B@450"]);
  });

  it("keeps a once key 503 in_progress while it runs, whatever else waits", async () => {
    const first = gate();
    const webhooks = make({ onMessage: () => first.promise });
    const a = watch(webhooks.receive(post(message)));
    const res = await webhooks.receive(post(message));
    expect(res.outcome).toBe("in_progress");
    expect(res.status).toBe(503);
    first.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(a()?.outcome).toBe("processed");
  });
});

describe("what a run asks of the store, and when it asks nothing", () => {
  it("completes the claim with the configured TTL", async () => {
    const ttls: number[] = [];
    const { store } = recordingStore();
    const base = store.complete;
    store.complete = (key, token, options) => {
      ttls.push(options.ttlMs);
      return base(key, token, options);
    };
    const webhooks = make({ dedupe: store, dedupeTtlMs: 26 * 60_000, onMessage: () => {} });
    expect((await webhooks.receive(post(message))).outcome).toBe("processed");
    expect(ttls).toEqual([26 * 60_000]);
  });

  it("claims nothing for a delivery that arrived a whole deadline ago, and runs one just under it", async () => {
    const { store, calls } = recordingStore();
    let ran = 0;
    const webhooks = make({ dedupe: store, onMessage: () => void ran++ });
    const late = await webhooks.receive({ ...post(message), receivedAt: Date.now() - 1_000 });
    expect(late.status).toBe(503);
    expect(late.outcome).toBe("handler_timeout");
    expect(calls).toEqual([]);
    expect(ran).toBe(0);
    const inTime = await webhooks.receive({ ...post(message), receivedAt: Date.now() - 999 });
    expect(inTime.outcome).toBe("processed");
    expect(calls).toEqual(["claim@0", "complete@0"]);
    expect(ran).toBe(1);
  });

  it("releases nothing when a handler fails after the store failed open", async () => {
    const { store, calls } = recordingStore({
      claim: () => Promise.reject(new Error("store down")),
    });
    const webhooks = make({
      dedupe: store,
      logger: recordingLogger().logger,
      onStoreError: "open",
      onMessage: () => {
        throw new Error("handler broke");
      },
    });
    expect((await webhooks.receive(post(message))).outcome).toBe("handler_failed");
    expect(calls).toEqual(["claim@0"]);
  });

  it("fires no signal and logs no running handler when the deadline comes while the claim hangs", async () => {
    const { logger, lines } = recordingLogger();
    const { store } = recordingStore({ claim: () => new Promise(() => {}) });
    let ran = 0;
    const webhooks = make({ dedupe: store, logger, onMessage: () => void ran++ });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer()?.outcome).toBe("store_unavailable");
    expect(ran).toBe(0);
    expect(lines.filter((l) => l.msg?.includes("handler still running"))).toEqual([]);
  });

  it("sends a key function's string as a once claim", async () => {
    const requests: ClaimRequest[] = [];
    const { store } = recordingStore();
    const base = store.claim;
    store.claim = (key, request) => {
      requests.push(request);
      return base(key, request);
    };
    const webhooks = make({
      dedupe: store,
      dedupeKeys: { MESSAGE: (m) => `custom:${m.messageId}` },
    });
    expect((await webhooks.receive(post(message))).outcome).toBe("processed");
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ mode: "once", leaseMs: 1_200 });
    expect(requests[0]?.fingerprint).toBeUndefined();
  });
});

describe("a run's store calls around its own timing", () => {
  it("counts renewals from the claim call, not from when a slow claim answered", async () => {
    const { store, base, of } = recordingStore();
    store.claim = (key, request) =>
      new Promise((resolve) => setTimeout(() => resolve(base.claim(key, request)), 100));
    const webhooks = make({ dedupe: store, onMessage: () => new Promise(() => {}) });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer()?.outcome).toBe("handler_timeout");
    expect(of("renew")).toEqual(["renew@400", "renew@800"]);
  });

  it("gives back nothing at close() for a run whose claim never answered", async () => {
    const { store, calls } = recordingStore({ claim: () => new Promise(() => {}) });
    const webhooks = make({ dedupe: store });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(10);
    void webhooks.close({ timeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("shutting_down");
    expect(calls).toEqual(["claim@0"]);
  });

  it("gives the claim back once at close(), and a handler ending later completes nothing", async () => {
    const handler = gate();
    const { store, calls } = recordingStore();
    const webhooks = make({ dedupe: store, onMessage: () => handler.promise });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(10);
    void webhooks.close({ timeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(answer()?.outcome).toBe("shutting_down");
    handler.open();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual(["claim@0", "release@10"]);
  });

  it("polls no more while a poll's claim is unanswered, and answers in_progress at the deadline", async () => {
    const base = memoryStore({ max: 100 });
    let n = 0;
    const { store, of } = recordingStore({
      claim: (key, request) => (++n <= 2 ? base.claim(key, request) : new Promise(() => {})),
      renew: base.renew,
      complete: base.complete,
      release: base.release,
    });
    const one = make({ dedupe: store, onVariableUpdate: () => new Promise(() => {}) });
    const two = make({ dedupe: store, onVariableUpdate: () => {} });
    void one.receive(post(update("A")));
    const b = watch(two.receive(post(update("B"))));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(b()?.outcome).toBe("in_progress");
    expect(of("claim")).toEqual(["claim@0", "claim@0", "claim@200"]);
  });

  it("logs nothing more when a claim fails after the deadline answered", async () => {
    const { logger, lines } = recordingLogger();
    const claim = gate();
    const { store } = recordingStore({
      claim: () => claim.promise.then(() => Promise.reject(new Error("late"))),
    });
    const webhooks = make({ dedupe: store, logger });
    const answer = watch(webhooks.receive(post(message)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer()?.outcome).toBe("store_unavailable");
    claim.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([]);
  });

  it("logs no debug line of a duplicate to a logger whose debug is off", async () => {
    const { logger, lines } = recordingLogger();
    const quiet = Object.assign(logger, { isLevelEnabled: () => false });
    const webhooks = make({ logger: quiet, onMessage: () => {} });
    expect((await webhooks.receive(post(message))).outcome).toBe("processed");
    expect((await webhooks.receive(post(message))).outcome).toBe("duplicate");
    expect(lines).toEqual([]);
  });
});

describe("aroundHandlers wrappers that misbehave", () => {
  it("logs a wrapper that throws as thrown and one that forgets run as forgetful, once each", async () => {
    const cases = [
      [
        () => {
          throw new Error("tracing broke");
        },
        "an aroundHandlers wrapper threw",
      ],
      [() => {}, "an aroundHandlers wrapper did not call run; running the handlers anyway"],
    ] as const;
    for (const [wrapper, expected] of cases) {
      const { logger, lines } = recordingLogger();
      let ran = 0;
      const webhooks = make({ logger, aroundHandlers: wrapper, onMessage: () => void ran++ });
      expect((await webhooks.receive(post(message))).outcome).toBe("processed");
      expect(ran).toBe(1);
      const errors = lines.filter((l) => l.level !== "debug");
      expect(errors.map((l) => [l.level, l.msg])).toEqual([
        ["error", `fineguide-webhooks: ${expected}`],
      ]);
    }
  });

  it("enters an inner wrapper once when an outer one calls run twice, or late", async () => {
    for (const outer of [
      (run: () => void) => {
        run();
        run();
      },
      (run: () => void) => {
        setTimeout(run, 100);
      },
    ]) {
      let entered = 0;
      let ran = 0;
      const webhooks = make({
        logger: recordingLogger().logger,
        aroundHandlers: [
          outer,
          (run) => {
            entered++;
            run();
          },
        ],
        onMessage: () => void ran++,
      });
      expect((await webhooks.receive(post(message))).outcome).toBe("processed");
      await vi.advanceTimersByTimeAsync(200);
      expect([entered, ran]).toEqual([1, 1]);
    }
  });
});
