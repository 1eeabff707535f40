import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeadlines } from "./createDeadlines.js";
import { type IORedisLike, ioredisRunner } from "./ioredisRunner.js";
import {
  type NodeRedisEvalOptions,
  type NodeRedisLike,
  nodeRedisRunner,
} from "./nodeRedisRunner.js";
import { RedisStoreTimeoutError } from "./RedisStoreTimeoutError.js";
import { type RedisClientLike, redisStore } from "./redisStore.js";
import { SCRIPTS } from "./scripts.js";

// The store's TypeScript without a server: what it sends, how it reads replies, its timeouts
// and the two client adapters, with fake clients. The scripts themselves are tested against a
// real redis-server in redisStore.test.ts.

type Call = { how: "eval" | "evalSha"; script: string; options: NodeRedisEvalOptions };

/** A node-redis-shaped client answering every call with `reply` (or what `answer` returns). */
function fakeNodeRedis(answer: (call: Call) => Promise<unknown> = async () => 1) {
  const calls: Call[] = [];
  const client: NodeRedisLike = {
    eval: (script, options) => {
      const call: Call = { how: "eval", script, options };
      calls.push(call);
      return answer(call);
    },
    evalSha: (script, options) => {
      const call: Call = { how: "evalSha", script, options };
      calls.push(call);
      return answer(call);
    },
  };
  return { client, calls };
}

const LEASE = 45_000;

describe("redisStore sends one script per operation, on the prefixed key", () => {
  it("claims with token, lease, mode and fingerprint flag", async () => {
    const { client, calls } = fakeNodeRedis(async () => "claimed");
    const store = redisStore({ client, prefix: "p:" });
    await store.claim("k", { token: "t", leaseMs: LEASE, mode: "latest", fingerprint: "fp" });
    await store.claim("k", { token: "t", leaseMs: 1.2, mode: "once" });
    await store.claim("k", { token: "t", leaseMs: LEASE, mode: "latest", fingerprint: "" });
    expect(calls.map((c) => [c.script, c.options])).toEqual([
      [SCRIPTS.claim.lua, { keys: ["p:k"], arguments: ["t", "45000", "latest", "1", "fp"] }],
      [SCRIPTS.claim.sha, { keys: ["p:k"], arguments: ["t", "2", "once", "0", ""] }],
      [SCRIPTS.claim.sha, { keys: ["p:k"], arguments: ["t", "45000", "latest", "1", ""] }],
    ]);
  });

  it("completes, releases and renews with the token and whole milliseconds", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = redisStore({ client });
    await store.complete("k", "t", { ttlMs: 1_800_000.5 });
    await store.release("k", "t");
    await store.renew("k", "t", 999.1);
    expect(calls.map((c) => [c.script, c.options])).toEqual([
      [
        SCRIPTS.complete.lua,
        { keys: ["fineguide-webhooks:dedupe:k"], arguments: ["t", "1800001"] },
      ],
      [SCRIPTS.release.lua, { keys: ["fineguide-webhooks:dedupe:k"], arguments: ["t"] }],
      [SCRIPTS.renew.lua, { keys: ["fineguide-webhooks:dedupe:k"], arguments: ["t", "1000"] }],
    ]);
  });

  it("rejects, sending nothing, a lease or TTL that is not a finite number", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = redisStore({ client });
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number];
    for (const leaseMs of bad) {
      await expect(store.claim("k", { token: "t", leaseMs, mode: "once" })).rejects.toThrow(
        /`leaseMs` must be a finite number/,
      );
      await expect(store.renew("k", "t", leaseMs)).rejects.toThrow(TypeError);
      await expect(store.complete("k", "t", { ttlMs: leaseMs })).rejects.toThrow(
        /`ttlMs` must be a finite number/,
      );
    }
    expect(calls).toEqual([]);
  });
});

describe("redisStore reads the scripts' replies strictly", () => {
  it.each([
    ["claimed", "claimed"],
    ["duplicate", "duplicate"],
    ["in_progress", "in_progress"],
    [Buffer.from("claimed"), "claimed"],
  ])("reads the claim reply %s", async (reply, result) => {
    const store = redisStore({ client: fakeNodeRedis(async () => reply).client });
    expect(await store.claim("k", { token: "t", leaseMs: LEASE, mode: "once" })).toBe(result);
  });

  it.each(["", "CLAIMED", "ok", 1, null, "unclaimed 2", "claimed 2 "])(
    "rejects the claim reply %j with an Error naming it",
    async (reply) => {
      const store = redisStore({ client: fakeNodeRedis(async () => reply).client });
      // toEqual, not toThrow(text): vitest's rejects.toThrow(text) also passes on `undefined`.
      await expect(store.claim("k", { token: "t", leaseMs: LEASE, mode: "once" })).rejects.toEqual(
        new Error(`fineguide-webhooks/redis: unexpected reply to claim: ${String(reply)}`),
      );
    },
  );

  it.each([
    [1, true],
    [0, false],
    ["1", true],
    ["0", false],
    [1n, true],
  ])("reads %s as %s for complete, release and renew", async (reply, result) => {
    const store = redisStore({ client: fakeNodeRedis(async () => reply).client });
    expect(await store.complete("k", "t", { ttlMs: 1 })).toBe(result);
    expect(await store.release("k", "t")).toBe(result);
    expect(await store.renew("k", "t", 1)).toBe(result);
  });

  it.each([2, -1, "yes", "0.5", Number.NaN])(
    "rejects the reply %j, naming the operation",
    async (reply) => {
      const store = redisStore({ client: fakeNodeRedis(async () => reply).client });
      for (const [operation, call] of [
        ["complete", () => store.complete("k", "t", { ttlMs: 1 })],
        ["release", () => store.release("k", "t")],
        ["renew", () => store.renew("k", "t", 1)],
      ] as const) {
        await expect(call()).rejects.toEqual(
          new Error(`fineguide-webhooks/redis: unexpected reply to ${operation}: ${String(reply)}`),
        );
      }
    },
  );

  it("passes a client's rejection on as it is", async () => {
    const down = new Error("connection lost");
    const store = redisStore({ client: fakeNodeRedis(() => Promise.reject(down)).client });
    await expect(store.release("k", "t")).rejects.toBe(down);
  });

  it("rejects, not throws, when the client throws synchronously", async () => {
    const broken = new Error("sync");
    const client: NodeRedisLike = {
      eval: () => {
        throw broken;
      },
      evalSha: () => {
        throw broken;
      },
    };
    const store = redisStore({ client });
    const pending = store.release("k", "t");
    await expect(pending).rejects.toBe(broken);
  });
});

describe("redisStore options", () => {
  it("refuses what is not a client", () => {
    for (const client of [
      null,
      undefined,
      "redis://",
      42,
      {},
      { evalSha: () => {} },
      { eval() {} },
    ]) {
      expect(() => redisStore({ client: client as unknown as RedisClientLike })).toThrow(
        /`client` must be an ioredis Redis\/Cluster or a node-redis client\/cluster/,
      );
    }
  });

  it("refuses a prefix that is not a string", () => {
    const { client } = fakeNodeRedis();
    expect(() => redisStore({ client, prefix: 5 as unknown as string })).toThrow(
      /`prefix` must be a string/,
    );
    expect(() => redisStore({ client, prefix: "" })).not.toThrow();
  });

  it("refuses a timeout that is not a positive finite number", () => {
    const { client } = fakeNodeRedis();
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => redisStore({ client, timeoutMs })).toThrow(
        /`timeoutMs` must be a positive number/,
      );
    }
    expect(() => redisStore({ client, timeoutMs: 0.5 })).not.toThrow();
  });
});

describe("redisStore timeouts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("rejects an operation Redis does not answer within the default second", async () => {
    const store = redisStore({ client: fakeNodeRedis(() => new Promise(() => {})).client });
    let error: unknown;
    void Promise.resolve(store.renew("k", "t", 1)).catch((e: unknown) => {
      error = e;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(error).toBeInstanceOf(RedisStoreTimeoutError);
    expect(error).toMatchObject({
      name: "RedisStoreTimeoutError",
      operation: "renew",
      timeoutMs: 1000,
      message: "fineguide-webhooks/redis: renew got no answer from Redis within 1000 ms",
    });
  });
});

describe("createDeadlines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The outcome of a guarded promise once it settled, as a string. */
  function outcome(promise: Promise<unknown>) {
    let result = "pending";
    promise.then(
      (value) => {
        result = `resolved ${String(value)}@${Date.now()}`;
      },
      (error: unknown) => {
        result =
          error instanceof RedisStoreTimeoutError
            ? `timeout ${error.operation}@${Date.now()}`
            : `rejected ${(error as Error).message}@${Date.now()}`;
      },
    );
    return () => result;
  }

  it("times each operation out from its own start, in order, with one timer", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(1000);
    const hang = new Promise<never>(() => {});
    const a = outcome(guard("a", hang, String));
    await vi.advanceTimersByTimeAsync(300);
    const b = outcome(guard("b", hang, String));
    await vi.advanceTimersByTimeAsync(300);
    const c = outcome(guard("c", hang, String));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(399);
    expect([a(), b(), c()]).toEqual(["pending", "pending", "pending"]);
    await vi.advanceTimersByTimeAsync(1);
    expect([a(), b(), c()]).toEqual(["timeout a@1000", "pending", "pending"]);
    await vi.advanceTimersByTimeAsync(299);
    expect(b()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(b()).toBe("timeout b@1300");
    await vi.advanceTimersByTimeAsync(300);
    expect(c()).toBe("timeout c@1600");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("settles with the reply, parsed, and forgets an operation once it settled", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(1000);
    let answer = (_: string) => {};
    const reply = new Promise<string>((resolve) => {
      answer = resolve;
    });
    const first = outcome(guard("first", reply, (r) => r.toUpperCase()));
    const second = outcome(guard("second", new Promise<never>(() => {}), String));
    const third = outcome(guard("third", Promise.resolve("x"), String));
    await vi.advanceTimersByTimeAsync(500);
    answer("ok");
    await vi.advanceTimersByTimeAsync(0);
    expect([first(), third()]).toEqual(["resolved OK@500", "resolved x@0"]);
    await vi.advanceTimersByTimeAsync(500);
    expect(second()).toBe("timeout second@1000");
    expect(first()).toBe("resolved OK@500");
  });

  it("unlinks an operation from the middle and the end of the list", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(1000);
    const answers: ((v: string) => void)[] = [];
    const pending = () =>
      new Promise<string>((resolve) => {
        answers.push(resolve);
      });
    const results = ["a", "b", "c", "d"].map((name) => outcome(guard(name, pending(), String)));
    answers[1]!("b"); // the middle
    answers[3]!("d"); // the end
    await vi.advanceTimersByTimeAsync(0);
    const late = outcome(guard("e", pending(), String)); // joins after c
    answers[0]!("a"); // the head
    await vi.advanceTimersByTimeAsync(1000);
    expect(results.map((r) => r())).toEqual([
      "resolved a@0",
      "resolved b@0",
      "timeout c@1000",
      "resolved d@0",
    ]);
    expect(late()).toBe("timeout e@1000");
  });

  it("ignores a reply or a rejection that comes after the timeout", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(100);
    let answer = (_: string) => {};
    let fail = (_: Error) => {};
    const parse = vi.fn(String);
    const a = outcome(guard("a", new Promise<string>((resolve) => (answer = resolve)), parse));
    const b = outcome(guard("b", new Promise<string>((_, reject) => (fail = reject)), parse));
    await vi.advanceTimersByTimeAsync(100);
    answer("late");
    fail(new Error("late"));
    await vi.advanceTimersByTimeAsync(0);
    expect([a(), b()]).toEqual(["timeout a@100", "timeout b@100"]);
    expect(parse).not.toHaveBeenCalled();
  });

  it("a rejection after the timeout leaves the other operations' deadlines in place", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(100);
    let fail = (_: Error) => {};
    const early = outcome(
      guard("early", new Promise<string>((_, reject) => (fail = reject)), String),
    );
    await vi.advanceTimersByTimeAsync(50);
    const later = outcome(guard("later", new Promise<never>(() => {}), String));
    await vi.advanceTimersByTimeAsync(50);
    expect(early()).toBe("timeout early@100");
    fail(new Error("late")); // the timed-out operation's own rejection, after its timeout
    await vi.advanceTimersByTimeAsync(50);
    expect(later()).toBe("timeout later@150");
  });

  it("sleeps until the first deadline rather than polling", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(1000);
    const a = outcome(guard("a", new Promise<never>(() => {}), String));
    await vi.advanceTimersToNextTimerAsync();
    expect(Date.now()).toBe(1000);
    expect(a()).toBe("timeout a@1000");
  });

  it("works where setTimeout answers a number without unref (Deno, browsers)", async () => {
    vi.useRealTimers();
    const timers: unknown[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.stubGlobal("setTimeout", (callback: () => void, ms: number) => {
      const timer = realSetTimeout(callback, ms);
      timers.push(timer);
      return Number(timer[Symbol.toPrimitive]());
    });
    try {
      const guard = createDeadlines(20);
      await expect(guard("a", new Promise<never>(() => {}), String)).rejects.toBeInstanceOf(
        RedisStoreTimeoutError,
      );
      expect(timers.length).toBeGreaterThan(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("rejects with what parse throws, and with the operation's own rejection", async () => {
    const guard = createDeadlines(100);
    const bad = guard("a", Promise.resolve("x"), () => {
      throw new Error("unparsable");
    });
    await expect(bad).rejects.toThrow("unparsable");
    await expect(guard("b", Promise.reject(new Error("down")), String)).rejects.toThrow("down");
  });

  it("arms its timer again for operations that start after the list emptied", async () => {
    vi.setSystemTime(0);
    const guard = createDeadlines(100);
    const first = outcome(guard("a", new Promise<never>(() => {}), String));
    await vi.advanceTimersByTimeAsync(100);
    expect(first()).toBe("timeout a@100");
    expect(vi.getTimerCount()).toBe(0);
    const second = outcome(guard("b", new Promise<never>(() => {}), String));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(second()).toBe("timeout b@200");
  });
});

describe("nodeRedisRunner", () => {
  const script = SCRIPTS.release;

  it("loads a script with EVAL, then calls it by SHA", async () => {
    const { client, calls } = fakeNodeRedis(async () => "r");
    const runner = nodeRedisRunner(client);
    expect(await runner.run(script, "k", ["a"])).toBe("r");
    expect(await runner.run(script, "k", ["b"])).toBe("r");
    expect(await runner.run(SCRIPTS.renew, "k", ["c"])).toBe("r");
    expect(calls.map((c) => [c.how, c.script, c.options])).toEqual([
      ["eval", script.lua, { keys: ["k"], arguments: ["a"] }],
      ["evalSha", script.sha, { keys: ["k"], arguments: ["b"] }],
      ["eval", SCRIPTS.renew.lua, { keys: ["k"], arguments: ["c"] }],
    ]);
  });

  it("falls back to EVAL once on NOSCRIPT, and passes other errors on", async () => {
    let failSha: Error | undefined;
    const { client, calls } = fakeNodeRedis(async (call) => {
      if (call.how === "evalSha" && failSha) throw failSha;
      return "r";
    });
    const runner = nodeRedisRunner(client);
    await runner.run(script, "k", []);
    failSha = new Error("NOSCRIPT No matching script. Please use EVAL.");
    expect(await runner.run(script, "k", [])).toBe("r");
    failSha = new Error("ERR something else (NOSCRIPT)");
    await expect(runner.run(script, "k", [])).rejects.toBe(failSha);
    expect(calls.map((c) => c.how)).toEqual(["eval", "evalSha", "eval", "evalSha"]);
  });

  it("passes a non-Error rejection of EVALSHA on", async () => {
    let first = true;
    const { client } = fakeNodeRedis(async (call) => {
      if (call.how === "eval" && first) {
        first = false;
        return "loaded";
      }
      throw "NOSCRIPT as a string";
    });
    const runner = nodeRedisRunner(client);
    await runner.run(script, "k", []);
    await expect(runner.run(script, "k", [])).rejects.toBe("NOSCRIPT as a string");
  });

  it("loads again after an EVAL that failed", async () => {
    let fail = true;
    const { client, calls } = fakeNodeRedis(async () => {
      if (fail) throw new Error("down");
      return "r";
    });
    const runner = nodeRedisRunner(client);
    await expect(runner.run(script, "k", [])).rejects.toThrow("down");
    fail = false;
    await runner.run(script, "k", []);
    expect(calls.map((c) => c.how)).toEqual(["eval", "eval"]);
  });
});

describe("ioredisRunner", () => {
  /** An ioredis-shaped client: defineCommand adds a method, as ioredis does. */
  function fakeIORedis() {
    const defined: { name: string; lua: string; numberOfKeys?: number }[] = [];
    const sent: { self: unknown; name: string; args: unknown[] }[] = [];
    const client: IORedisLike & Record<string, unknown> = {
      defineCommand(name, definition) {
        defined.push({ name, ...definition });
        this[name] = function (this: unknown, ...args: unknown[]) {
          sent.push({ self: this, name, args });
          return Promise.resolve(`${name} done`);
        };
      },
    };
    return { client, defined, sent };
  }

  it("defines each script once, as a command named after its SHA, and calls it on the client", async () => {
    const { client, defined, sent } = fakeIORedis();
    const runner = ioredisRunner(client);
    const name = `fineguideWebhooks_claim_${SCRIPTS.claim.sha.slice(0, 12)}`;
    expect(await runner.run(SCRIPTS.claim, "k", ["a", "b"])).toBe(`${name} done`);
    await runner.run(SCRIPTS.claim, "k2", []);
    expect(defined).toEqual([{ name, lua: SCRIPTS.claim.lua, numberOfKeys: 1 }]);
    expect(sent).toEqual([
      { self: client, name, args: ["k", "a", "b"] },
      { self: client, name, args: ["k2"] },
    ]);
  });

  it("reuses a command another store already defined on the same client", async () => {
    const { client, defined } = fakeIORedis();
    await ioredisRunner(client).run(SCRIPTS.renew, "k", []);
    await ioredisRunner(client).run(SCRIPTS.renew, "k", []);
    expect(defined).toHaveLength(1);
  });

  it("is chosen for a client that has both defineCommand and evalSha", async () => {
    const { client, defined } = fakeIORedis();
    const both = Object.assign(client, {
      evalSha: () => Promise.reject(new Error("not this one")),
      eval: () => Promise.reject(new Error("not this one")),
    });
    const store = redisStore({ client: both });
    await expect(store.claim("k", { token: "t", leaseMs: 1, mode: "once" })).rejects.toThrow(
      /unexpected reply to claim: fineguideWebhooks_claim_/,
    );
    expect(defined).toHaveLength(1);
  });
});

describe("SCRIPTS", () => {
  it("names each script by the operation and the SHA-1 of its Lua", () => {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      expect(script.name).toBe(name);
      expect(script.sha).toBe(createHash("sha1").update(script.lua).digest("hex"));
      expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(Object.keys(SCRIPTS).sort()).toEqual(["claim", "complete", "release", "renew"]);
  });
});
