import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { Logger } from "./logger.js";
import type { WebhooksOptions } from "./options.js";

const SECRET = "s3cr3t-for-deliver-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const message = { type: "MESSAGE", botId, sessionId, role: "USER", message: "Hi", messageId };
const update = (variables: Record<string, unknown>) =>
  JSON.stringify({ type: "VARIABLE_UPDATE", botId, sessionId, variables });

const make = (options: Partial<WebhooksOptions> = {}) =>
  createWebhooks({ secret: SECRET, ...options });
const post = (body: unknown, receivedAt?: number) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET, "content-type": "application/json" },
  body,
  ...(receivedAt === undefined ? {} : { receivedAt }),
});
const never = new Promise<never>(() => {});

describe("hostile bodies", () => {
  it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "isPrototypeOf"])(
    "processes an undocumented type named %s like any other",
    async (type) => {
      const seen: string[] = [];
      const webhooks = make({ onUnknown: (e) => void seen.push(e.type) });
      const body = JSON.stringify({ type, botId, sessionId });
      expect((await webhooks.receive(post(body))).outcome).toBe("unknown_type");
      expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
      expect(seen).toEqual([type]);
    },
  );

  it("keys an undocumented type whose ids are objects, arrays or numbers", async () => {
    let ran = 0;
    const webhooks = make({ onUnknown: () => void ran++ });
    for (const id of [{ toString: 1 }, { valueOf: {} }, [1, 2], 42, true, null]) {
      const body = JSON.stringify({ type: "NEW", botId: id, sessionId: id });
      expect((await webhooks.receive(post(body))).outcome).toBe("unknown_type");
      expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
    }
    expect(ran).toBe(6);
  });

  it.each([
    [
      "VARIABLE_UPDATE.variables",
      (deep: string) => update({ deep: "__DEEP__" }).replace('"__DEEP__"', deep),
    ],
    [
      "CREATE_LEAD.props",
      (deep: string) =>
        `{"type":"CREATE_LEAD","botId":"${botId}","sessionId":"${sessionId}","organizationId":"o","intent":"i","source":"s","props":{"x":${deep}}}`,
    ],
    ["an undocumented type's field", (deep: string) => `{"type":"NEW","botId":"b","x":${deep}}`],
    ["the type itself", (deep: string) => `{"type":${deep}}`],
  ])("answers 400 nesting_too_deep for 10,000 levels in %s", async (_where, body) => {
    let ran = 0;
    const webhooks = make({ onAny: () => void ran++ });
    const deep = `${'{"a":['.repeat(5_000)}${"]}".repeat(5_000)}`;
    const res = await webhooks.receive(post(body(deep)));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("nesting_too_deep");
    expect(ran).toBe(0);
  });

  it("takes nesting up to maxDepth and refuses one level more, parsed upstream too", async () => {
    const webhooks = make({ maxDepth: 4 });
    // `levels` counts the body itself as level 1 and `variables` as level 2.
    const at = (levels: number) => {
      let variables: Record<string, unknown> = {};
      for (let i = 2; i < levels; i++) variables = { v: variables };
      return { type: "VARIABLE_UPDATE", botId, sessionId, variables };
    };
    expect((await webhooks.receive(post(at(4)))).status).toBe(200);
    expect((await webhooks.receive(post(at(5)))).outcome).toBe("nesting_too_deep");
    expect((await webhooks.receive(post(JSON.stringify(at(5))))).outcome).toBe("nesting_too_deep");
  });

  it("answers a dedupe key function that throws, or returns no key, like a failing handler", async () => {
    const errors: unknown[] = [];
    let ran = 0;
    const webhooks = make({
      dedupeKeys: {
        MESSAGE: () => {
          throw new Error("key broke");
        },
        TICKET: () => undefined as unknown as string,
      },
      onAny: () => void ran++,
      onError: (error) => void errors.push(error),
    });
    const res = await webhooks.receive(post(JSON.stringify(message)));
    expect(res.status).toBe(500);
    expect(res.outcome).toBe("handler_failed");
    const ticket = {
      type: "TICKET",
      botId,
      sessionId,
      customerName: "A",
      customerEmail: "a@b.c",
      customerMessage: "m",
    };
    expect((await webhooks.receive(post(JSON.stringify(ticket)))).outcome).toBe("handler_failed");
    expect(ran).toBe(0);
    expect(errors).toHaveLength(2);
    expect((errors[0] as Error).message).toBe("key broke");
    expect(errors[1]).toBeInstanceOf(TypeError);
  });

  it("keeps answering by the contract when the logger throws", async () => {
    const broken = () => {
      throw new Error("logger broke");
    };
    const logger: Logger = { debug: broken, info: broken, warn: broken, error: broken };
    const webhooks = make({
      logger,
      onMessage: async () => {
        throw new Error("handler broke");
      },
    });
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("handler_failed");
    expect((await webhooks.receive(post("{"))).outcome).toBe("invalid_json");
    expect(
      (await webhooks.receive(post(async () => Promise.reject(new Error("reset"))))).outcome,
    ).toBe("invalid_json");
    // The claim was given back: the retry runs (and fails the same way).
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("handler_failed");
  });

  it("answers 500 internal_error, and never throws, when something inside the kit throws", async () => {
    const webhooks = make();
    const headers = new Proxy(
      {},
      {
        get: () => {
          throw new Error("headers broke");
        },
      },
    );
    const res = await webhooks.receive({ method: "POST", headers, body: "{}" });
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.body)).toEqual({
      ok: false,
      error: { code: "internal_error", message: "The receiver failed unexpectedly; retry later." },
    });
  });

  it("answers a handler returning null, a plain object or a thenable whose then throws", async () => {
    const results: unknown[] = [
      null,
      { ok: 1 },
      {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable on purpose
        then: () => {
          throw new Error("then broke");
        },
      },
    ];
    const outcomes: string[] = [];
    for (const [i, result] of results.entries()) {
      const webhooks = make({ onMessage: () => result });
      const body = JSON.stringify({ ...message, messageId: messageId.replace("733", `73${i}`) });
      outcomes.push((await webhooks.receive(post(body))).outcome);
    }
    expect(outcomes).toEqual(["processed", "processed", "handler_failed"]);
  });
});

describe("the deadline counts from arrival", () => {
  it("covers a slow body read: nothing is claimed or run once it passed", async () => {
    let ran = 0;
    const webhooks = make({ deadlineMs: 40, leaseMs: 80, onMessage: () => void ran++ });
    const slowBody = async () => {
      await sleep(60);
      return JSON.stringify(message);
    };
    expect((await webhooks.receive(post(slowBody))).outcome).toBe("handler_timeout");
    expect(ran).toBe(0);
    // Nothing was claimed: the retry runs at once.
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("processed");
    expect(ran).toBe(1);
  });

  it("counts from the adapter's receivedAt", async () => {
    // On a fake clock: the answer's time does not depend on the machine's load.
    vi.useFakeTimers();
    try {
      const webhooks = make({
        deadlineMs: 1_000,
        leaseMs: 2_000,
        onMessage: () => never,
      });
      const outcomes: string[] = [];
      void webhooks
        .receive(post(JSON.stringify(message), Date.now() - 900))
        .then((res) => void outcomes.push(res.outcome));
      // 100 ms were left, not 1000: answered on the first tick past them (ticks every 200 ms).
      await vi.advanceTimersByTimeAsync(200);
      expect(outcomes).toEqual(["handler_timeout"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers a slow handler within the deadline 200", async () => {
    // Slower than several ticks (the tick is a fifth of the deadline), faster than the deadline.
    const webhooks = make({ deadlineMs: 200, leaseMs: 400, onMessage: () => sleep(120) });
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("processed");
  });

  it("covers a claim that never settles: 503 store_unavailable, and a late claim is given back", async () => {
    const store = memoryStore();
    let answerClaim: (() => void) | undefined;
    const slow: DedupeStore = {
      ...store,
      claim: (key, request) =>
        new Promise((resolve) => {
          answerClaim = () => resolve(store.claim(key, request));
        }),
    };
    let ran = 0;
    const webhooks = make({
      deadlineMs: 30,
      leaseMs: 60,
      dedupe: slow,
      onMessage: () => void ran++,
    });
    const res = await webhooks.receive(post(JSON.stringify(message)));
    expect(res.outcome).toBe("store_unavailable");
    expect(res.headers["retry-after"]).toBe("60");
    answerClaim?.(); // the store wakes up and grants the claim after the answer
    await sleep(10);
    expect(ran).toBe(0);
    const key = `${botId}:MESSAGE:${messageId}`;
    expect(store.claim(key, { token: "next", leaseMs: 60, mode: "once" })).toBe("claimed");
  });

  it("answers duplicate at the deadline when an onDuplicate hook hangs", async () => {
    const webhooks = make({ deadlineMs: 30, leaseMs: 60, onDuplicate: () => never });
    const body = JSON.stringify(message);
    await webhooks.receive(post(body));
    expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
  });

  it("fires ctx.signal at the deadline, and only then", async () => {
    let signal: AbortSignal | undefined;
    const webhooks = make({
      deadlineMs: 40,
      leaseMs: 80,
      onMessage: async (_m, ctx) => {
        signal = ctx.signal;
        await sleep(20);
        expect(ctx.signal.aborted).toBe(false);
        await sleep(60);
      },
    });
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("handler_timeout");
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as DOMException).name).toBe("TimeoutError");
  });
});

describe("quick successive versions of a latest key", () => {
  const sendAll = async (
    send: (body: string) => Promise<{ outcome: string }>,
    bodies: string[],
    gapMs: number,
  ) => {
    const answers: Promise<{ outcome: string }>[] = [];
    for (const body of bodies) {
      answers.push(send(body));
      await sleep(gapMs);
    }
    return (await Promise.all(answers)).map((a) => a.outcome);
  };

  it("runs A, B, C sent 10 ms apart in arrival order, with no 503", async () => {
    const applied: unknown[] = [];
    let state: unknown;
    const webhooks = make({
      onVariableUpdate: async (event) => {
        await sleep(30); // a downstream write
        state = event.variables;
        applied.push(event.variables);
      },
    });
    const outcomes = await sendAll(
      (body) => webhooks.receive(post(body)),
      [update({ v: "A" }), update({ v: "B" }), update({ v: "C" })],
      10,
    );
    expect(outcomes).toEqual(["processed", "processed", "processed"]);
    expect(applied).toEqual([{ v: "A" }, { v: "B" }, { v: "C" }]);
    expect(state).toEqual({ v: "C" });
  });

  it("answers a retry of the running version as a duplicate once it is done", async () => {
    let ran = 0;
    const webhooks = make({
      onVariableUpdate: async () => {
        ran++;
        await sleep(30);
      },
    });
    const outcomes = await sendAll(
      (body) => webhooks.receive(post(body)),
      [update({ v: "A" }), update({ v: "A" }), update({ v: "B" })],
      5,
    );
    expect(outcomes).toEqual(["processed", "duplicate", "processed"]);
    expect(ran).toBe(2);
  });

  it("polls a version held by another instance, then runs it", async () => {
    const store = memoryStore(); // shared, as Redis is between two processes
    const order: string[] = [];
    const instance = () =>
      make({
        dedupe: store,
        onVariableUpdate: async (event) => {
          await sleep(40);
          order.push(String(event.variables.v));
        },
      });
    const [one, two] = [instance(), instance()];
    const a = one.receive(post(update({ v: "A" })));
    await sleep(10);
    const b = two.receive(post(update({ v: "B" })));
    expect([(await a).outcome, (await b).outcome]).toEqual(["processed", "processed"]);
    expect(order).toEqual(["A", "B"]);
  });

  it("gives up at the deadline with 503 in_progress, and the next in line still runs", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const webhooks = make({
      deadlineMs: 60,
      leaseMs: 120,
      onVariableUpdate: async (event) => {
        if (event.variables.v === "A") await gate;
        order.push(String(event.variables.v));
      },
    });
    const a = webhooks.receive(post(update({ v: "A" })));
    await sleep(5);
    const b = webhooks.receive(post(update({ v: "B" })));
    expect((await a).outcome).toBe("handler_timeout");
    expect((await b).outcome).toBe("in_progress");
    release();
    await sleep(10);
    expect((await webhooks.receive(post(update({ v: "C" })))).outcome).toBe("processed");
    expect(order).toEqual(["A", "C"]);
  });

  it("keeps 503 in_progress for a concurrent copy of a once key", async () => {
    const webhooks = make({ onMessage: () => sleep(30) });
    const body = JSON.stringify(message);
    const first = webhooks.receive(post(body));
    expect((await webhooks.receive(post(body))).outcome).toBe("in_progress");
    expect((await first).outcome).toBe("processed");
  });
});
