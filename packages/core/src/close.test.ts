import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { memoryStore } from "./dedupe/memoryStore.js";

const SECRET = "s3cr3t-for-close-tests";
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
const post = (body: string) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET },
  body,
});

describe("close()", () => {
  it("answers new deliveries 503 shutting_down with Retry-After, preflight too", async () => {
    let ran = 0;
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => void ran++ });
    await webhooks.close();
    const res = await webhooks.receive(post(message(1)));
    expect(res.status).toBe(503);
    expect(res.outcome).toBe("shutting_down");
    expect(res.headers["retry-after"]).toBe("60");
    expect(webhooks.preflight({ method: "POST", headers: {} })?.outcome).toBe("shutting_down");
    expect(ran).toBe(0);
  });

  it("lets deliveries in flight finish, and resolves once they did", async () => {
    const done: number[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: async (m) => {
        await sleep(50);
        done.push(Number(m.messageId.slice(-3)));
      },
    });
    const inFlight = [1, 2, 3].map((n) => webhooks.receive(post(message(n))));
    await sleep(5);
    const closing = webhooks.close({ timeoutMs: 2_000 });
    expect((await webhooks.receive(post(message(4)))).outcome).toBe("shutting_down");
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await Promise.all(inFlight)).map((r) => r.outcome)).toEqual([
      "processed",
      "processed",
      "processed",
    ]);
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it("at the timeout answers what still runs 503, fires its signal and releases its claim", async () => {
    const store = memoryStore();
    let signal: AbortSignal | undefined;
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: store,
      onMessage: (_m, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {}); // never settles
      },
    });
    const pending = webhooks.receive(post(message(1)));
    await sleep(5);
    await webhooks.close({ timeoutMs: 30 });
    expect((await pending).outcome).toBe("shutting_down");
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as DOMException).name).toBe("AbortError");
    // The claim is free again: the vendor's retry runs the event on the next instance.
    const key = `${botId}:MESSAGE:733b7d55-61ea-450f-b585-000000000001`;
    expect(store.claim(key, { token: "next", leaseMs: 1_000, mode: "once" })).toBe("claimed");
  });

  it("also releases the claim of a run that passed its deadline and never settled", async () => {
    const store = memoryStore();
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: store,
      deadlineMs: 20,
      leaseMs: 10_000,
      onMessage: () => new Promise(() => {}),
    });
    expect((await webhooks.receive(post(message(1)))).outcome).toBe("handler_timeout");
    await webhooks.close({ timeoutMs: 10 });
    const key = `${botId}:MESSAGE:733b7d55-61ea-450f-b585-000000000001`;
    expect(store.claim(key, { token: "next", leaseMs: 1_000, mode: "once" })).toBe("claimed");
  });

  it("returns the same promise when called again, and refuses a negative timeout", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const first = webhooks.close();
    expect(webhooks.close()).toBe(first);
    await first;
    await expect(createWebhooks({ secret: SECRET }).close({ timeoutMs: -1 })).rejects.toThrow(
      RangeError,
    );
  });
});
