import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { WebhookContext } from "./handlers/types.js";
import { BODY_TOO_LARGE } from "./http/body.js";
import type { Logger } from "./logger.js";
import type { WebhooksOptions } from "./options.js";

const SECRET = "s3cr3t-for-receive-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const message = { type: "MESSAGE", botId, sessionId, role: "USER", message: "Hi", messageId };
const headers = { "x-webhook-secret": SECRET, "content-type": "application/json" };

const make = (options: Partial<WebhooksOptions> = {}) =>
  createWebhooks({ secret: SECRET, ...options });
const post = (body: unknown, extra: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...headers, ...extra },
  body,
});

describe("receive() body forms", () => {
  it.each([
    ["a string", JSON.stringify(message)],
    ["a Buffer", Buffer.from(JSON.stringify(message))],
    ["a Uint8Array", new TextEncoder().encode(JSON.stringify(message))],
    ["an ArrayBuffer", new TextEncoder().encode(JSON.stringify(message)).buffer],
    ["an object parsed upstream", { ...message }],
    ["a lazy reader", async () => JSON.stringify(message)],
  ])("accepts the body as %s", async (_name, body) => {
    let seen: unknown;
    const res = await make({
      onMessage: (m) => {
        seen = m;
      },
    }).receive(post(body));
    expect(res.status).toBe(200);
    expect(seen).toEqual(message);
  });

  it("never reads the body of an unauthenticated request", async () => {
    let read = false;
    const res = await make().receive({
      method: "POST",
      headers: { "x-webhook-secret": "nope" },
      body: async () => {
        read = true;
        return "{}";
      },
    });
    expect(res.status).toBe(401);
    expect(read).toBe(false);
  });

  it("answers 413 for a reader that stopped, or a declared length over the limit", async () => {
    const webhooks = make({ maxBodyBytes: 100 });
    expect((await webhooks.receive(post(BODY_TOO_LARGE))).status).toBe(413);
    expect((await webhooks.receive(post(async () => BODY_TOO_LARGE))).status).toBe(413);
    expect((await webhooks.receive(post("{}", { "content-length": "101" }))).status).toBe(413);
    expect((await webhooks.receive(post("é".repeat(60)))).status).toBe(413);
  });

  it("answers 400 when the body cannot be read", async () => {
    const res = await make().receive(
      post(async () => {
        throw new Error("aborted");
      }),
    );
    expect(res.status).toBe(400);
  });

  it("reads headers case-insensitively, from a record or Fetch Headers", async () => {
    const webhooks = make({ header: "X-FineGuide-Auth" });
    const body = JSON.stringify(message);
    expect(
      (await webhooks.receive({ method: "POST", headers: { "X-FineGuide-Auth": SECRET }, body }))
        .status,
    ).toBe(200);
    const fetchHeaders = new Headers({
      "x-fineguide-auth": SECRET,
      "content-type": "application/json",
    });
    const res = await webhooks.receive({ method: "POST", headers: fetchHeaders, body });
    expect(res.body).toContain('"duplicate":true');
  });
});

describe("receive() context", () => {
  it("gives handlers the dedupe key, headers without the secret, time and a signal", async () => {
    let ctx: WebhookContext | undefined;
    await make({
      onMessage: (_m, c) => {
        ctx = c;
      },
    }).receive(post(JSON.stringify(message), { "x-request-id": "r1" }));
    expect(ctx?.dedupeKey).toBe(`${botId}:MESSAGE:${messageId}`);
    expect(ctx?.headers["x-request-id"]).toBe("r1");
    expect(ctx?.headers).not.toHaveProperty("x-webhook-secret");
    expect(JSON.stringify(ctx?.headers)).not.toContain(SECRET);
    expect(ctx?.receivedAt).toBeInstanceOf(Date);
    expect(ctx?.signal.aborted).toBe(false);
    expect(ctx?.deliveryId).toMatch(/^[0-9a-f-]{36}\.[0-9a-z]+$/);
  });

  it("uses a custom key function and shows its key to handlers", async () => {
    const keys: string[] = [];
    const webhooks = make({
      dedupeKeys: { SESSION_OPEN: (e) => `session:${e.sessionId}` },
      onSessionOpen: (_e, ctx) => void keys.push(ctx.dedupeKey),
    });
    const open = JSON.stringify({ type: "SESSION_OPEN", botId, sessionId });
    const other = JSON.stringify({ type: "SESSION_OPEN", botId: messageId, sessionId });
    expect((await webhooks.receive(post(open))).status).toBe(200);
    // Another bot, same session: the custom key treats it as the same event.
    expect((await webhooks.receive(post(other))).body).toContain("duplicate");
    expect(keys).toEqual([`session:${sessionId}`]);
  });

  it("processes without dedupe when it is turned off", async () => {
    let ran = 0;
    const webhooks = make({ dedupe: false, onMessage: () => void ran++ });
    await webhooks.receive(post(JSON.stringify(message)));
    await webhooks.receive(post(JSON.stringify(message)));
    expect(ran).toBe(2);
  });

  it("removes a handler with the function its registration returned", async () => {
    let ran = 0;
    const webhooks = make({ dedupe: false });
    const off = webhooks.onMessage(() => void ran++);
    await webhooks.receive(post(JSON.stringify(message)));
    off();
    await webhooks.receive(post(JSON.stringify(message)));
    expect(ran).toBe(1);
  });
});

describe("receive() with stores that answer synchronously", () => {
  it("answers 503 when a store throws instead of rejecting, and runs nothing", async () => {
    let ran = 0;
    const broken = () => {
      throw new Error("store exploded");
    };
    const webhooks = make({
      dedupe: { claim: broken, complete: broken, release: broken, renew: broken },
      onMessage: () => void ran++,
    });
    const res = await webhooks.receive(post(JSON.stringify(message)));
    expect(res.outcome).toBe("store_unavailable");
    expect(ran).toBe(0);
  });
});

describe("receive() under concurrency", () => {
  it("runs the handler once for 100 concurrent identical deliveries", async () => {
    let ran = 0;
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const webhooks = make({
      onTicket: async () => {
        ran++;
        await gate;
      },
    });
    const ticket = JSON.stringify({
      type: "TICKET",
      botId,
      sessionId,
      customerName: "A",
      customerEmail: "a@b.c",
      customerMessage: "help",
    });
    const first = webhooks.receive(post(ticket));
    const others = await Promise.all(
      Array.from({ length: 99 }, () => webhooks.receive(post(ticket))),
    );
    expect(others.map((r) => r.status)).toEqual(Array(99).fill(503));
    expect(others.every((r) => r.headers["retry-after"] !== undefined)).toBe(true);
    open();
    expect((await first).status).toBe(200);
    const after = await Promise.all(
      Array.from({ length: 10 }, () => webhooks.receive(post(ticket))),
    );
    expect(after.map((r) => r.outcome)).toEqual(Array(10).fill("duplicate"));
    expect(ran).toBe(1);
  });

  it("stops renewing at the deadline: a handler that never settles cannot hold its event", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let ran = 0;
    let finished = 0;
    const store = memoryStore();
    const webhooks = make({
      leaseMs: 60,
      deadlineMs: 30,
      dedupe: store,
      onMessage: async () => {
        ran++;
        await (ran === 1 ? gate : undefined);
        finished++;
      },
    });
    const body = JSON.stringify(message);
    expect((await webhooks.receive(post(body))).outcome).toBe("handler_timeout");
    await sleep(150); // over two leases past the deadline: nothing renews the first claim
    expect((await webhooks.receive(post(body))).outcome).toBe("processed");
    expect(ran).toBe(2);
    open(); // the first run ends late: it no longer owns the key and marks nothing
    await sleep(20);
    expect(finished).toBe(2);
    expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
    expect(ran).toBe(2);
  });

  it("renews the lease until the deadline, so a run finishing soon after it still completes", async () => {
    // On a fake clock: lease 300 ms, renewed every 100 ms until the deadline at 250 ms.
    vi.useFakeTimers();
    try {
      let ran = 0;
      const webhooks = make({
        leaseMs: 300,
        deadlineMs: 250,
        onMessage: async () => {
          ran++;
          // Past the deadline, and past a lease that was never renewed (the faked setTimeout).
          await new Promise((resolve) => setTimeout(resolve, 450));
        },
      });
      const body = JSON.stringify(message);
      const first: string[] = [];
      void webhooks.receive(post(body)).then((res) => void first.push(res.outcome));
      await vi.advanceTimersByTimeAsync(380); // the first lease (300 ms) would have lapsed
      expect((await webhooks.receive(post(body))).outcome).toBe("in_progress");
      expect(first).toEqual(["handler_timeout"]);
      await vi.advanceTimersByTimeAsync(150);
      expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
      expect(ran).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("receive() deadline after the handlers", () => {
  const never = new Promise<never>(() => {});

  it("answers 503 at the deadline when the store hangs on complete", async () => {
    const store = memoryStore();
    const webhooks = make({
      deadlineMs: 30,
      dedupe: { ...store, complete: () => never },
      onMessage: () => {}, // synchronous: the run only waits on the store
    });
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("handler_timeout");
  });

  it("answers 503 at the deadline when an error hook hangs after a synchronous throw", async () => {
    const webhooks = make({
      deadlineMs: 30,
      onMessage: () => {
        throw new Error("handler broke");
      },
      onError: () => never,
    });
    expect((await webhooks.receive(post(JSON.stringify(message)))).outcome).toBe("handler_timeout");
  });

  it("processes and deduplicates with a store that answers through non-native thenables", async () => {
    const store = memoryStore();
    const thenable = <T>(value: T | PromiseLike<T>): PromiseLike<T> => ({
      // biome-ignore lint/suspicious/noThenProperty: a non-native thenable, on purpose
      then: (onValue, onError) => Promise.resolve(value).then(onValue, onError),
    });
    let ran = 0;
    const webhooks = make({
      dedupe: {
        claim: (key, request) => thenable(store.claim(key, request)),
        complete: (key, token, options) => thenable(store.complete(key, token, options)),
        release: (key, token) => thenable(store.release(key, token)),
        renew: (key, token, leaseMs) => thenable(store.renew(key, token, leaseMs)),
      },
      onMessage: () => {
        ran++;
      },
    });
    const body = JSON.stringify(message);
    expect((await webhooks.receive(post(body))).outcome).toBe("processed");
    expect((await webhooks.receive(post(body))).outcome).toBe("duplicate");
    expect(ran).toBe(1);
  });
});

describe("receive() logging", () => {
  it("never logs the secret or people's words, and warns for every fail-open event", async () => {
    const lines: string[] = [];
    const record =
      (level: string) =>
      (obj: Record<string, unknown>, msg?: string): void =>
        void lines.push(
          `${level} ${msg} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`,
        );
    const logger: Logger = {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    };
    const down = async (): Promise<never> => {
      throw new Error("redis down");
    };
    const webhooks = make({
      logger,
      onStoreError: "open",
      dedupe: { claim: down, complete: down, release: down, renew: down },
      onMessage: () => {
        throw new Error("handler broke");
      },
    });
    await webhooks.receive(post(JSON.stringify(message)));
    await webhooks.receive(post(JSON.stringify({ ...message, messageId: "bad" })));
    await webhooks.receive(post("{}", { "x-webhook-secret": "wrong" }));
    const text = lines.join("\n");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('"Hi"');
    expect(lines.filter((l) => l.startsWith("warn") && l.includes("fail-open"))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("error") && l.includes("handler failed"))).toBe(true);
  });
});

describe("receive() robustness", () => {
  it("never throws and never answers 5xx for any method, headers or body", async () => {
    const webhooks = make({ onAny: () => {} });
    const header = fc.oneof(fc.constant(SECRET), fc.string());
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            type: fc.oneof(
              fc.constantFrom("MESSAGE", "TICKET", "RATE_MESSAGE", "NEW"),
              fc.jsonValue(),
            ),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.uint8Array(),
      fc.jsonValue(),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "GET", "PUT", "post", ""),
        fc.dictionary(
          fc.constantFrom("content-type", "content-length", "x-webhook-secret", "x-other"),
          fc.string(),
        ),
        header,
        body,
        async (method, extra, secret, payload) => {
          const res = await webhooks.receive({
            method,
            headers: { ...extra, "x-webhook-secret": secret },
            body: payload,
          });
          expect(res.status).toBeLessThan(500);
          expect(() => JSON.parse(res.body)).not.toThrow();
          expect(res.body).not.toContain(SECRET);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("preflight() then receive()", () => {
  it("checks the head once, and only for the headers object that passed", async () => {
    const webhooks = make();
    const good = { ...headers };
    expect(webhooks.preflight({ method: "POST", headers: good })).toBeUndefined();
    expect(
      (await webhooks.receive({ method: "POST", headers: good, body: JSON.stringify(message) }))
        .status,
    ).toBe(200);
    // Another request is checked in full, even after an earlier one passed.
    const forged = { "content-type": "application/json" };
    expect(webhooks.preflight({ method: "POST", headers: forged })?.status).toBe(401);
    expect(
      (await webhooks.receive({ method: "POST", headers: forged, body: JSON.stringify(message) }))
        .status,
    ).toBe(401);
    // A pass is used once: the same headers object is checked again next time.
    good["x-webhook-secret"] = "changed";
    expect((await webhooks.receive({ method: "POST", headers: good, body: "{}" })).status).toBe(
      401,
    );
  });
});
