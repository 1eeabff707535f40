import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { ClaimRequest, ClaimResult, DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { OutcomeInfo, WebhookContext } from "./handlers/types.js";
import type { WebhookResponse } from "./http/response.js";

const SECRET = "s3cr3t-for-retry-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const message = (messageId: string) =>
  JSON.stringify({ type: "MESSAGE", botId, sessionId, role: "USER", message: "Hi", messageId });
const post = (body: string) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET },
  body,
});
const M1 = "733b7d55-61ea-450f-b585-27755b015596";

/** Sends `body` until the answer is not 503 in_progress (a lease still running), for up to 10 s. */
async function untilNotInProgress(send: () => Promise<WebhookResponse>): Promise<WebhookResponse> {
  const until = Date.now() + 10_000;
  for (;;) {
    const res = await send();
    if (res.outcome !== "in_progress" || Date.now() > until) return res;
    await sleep(20);
  }
}

describe("ctx.retry", () => {
  it("is false first, true on the vendor's retry after a handler failed; onOutcome says so", async () => {
    const retries: boolean[] = [];
    const outcomes: OutcomeInfo[] = [];
    let calls = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: (_m, ctx) => {
        retries.push(ctx.retry);
        if (++calls === 1) throw new Error("crm down");
      },
      onOutcome: (info) => void outcomes.push(info),
    });
    expect((await webhooks.receive(post(message(M1)))).status).toBe(500);
    expect((await webhooks.receive(post(message(M1)))).status).toBe(200);
    expect(retries).toEqual([false, true]);
    expect(outcomes.map((o) => [o.outcome, o.retry])).toEqual([
      ["handler_failed", false],
      ["processed", true],
    ]);
    // A duplicate is not a retry of a released claim.
    expect((await webhooks.receive(post(message(M1)))).outcome).toBe("duplicate");
    expect(outcomes[2]!.retry).toBe(false);
  });

  it("is true after a lease lapsed (a handler past the deadline)", async () => {
    const retries: boolean[] = [];
    let calls = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      deadlineMs: 60,
      leaseMs: 120,
      onMessage: (_m, ctx) => {
        retries.push(ctx.retry);
        // The first run never settles: its lease lapses after the deadline.
        if (++calls === 1) return new Promise(() => {});
      },
    });
    expect((await webhooks.receive(post(message(M1)))).outcome).toBe("handler_timeout");
    const res = await untilNotInProgress(() => webhooks.receive(post(message(M1))));
    expect(res.outcome).toBe("processed");
    expect(retries).toEqual([false, true]);
    await webhooks.close({ timeoutMs: 0 });
  });

  it("is false for a different event, and for every event without dedupe", async () => {
    const retries: boolean[] = [];
    const M2 = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: (m, ctx) => {
        retries.push(ctx.retry);
        if (m.messageId === M1) throw new Error("fails");
      },
    });
    await webhooks.receive(post(message(M1)));
    await webhooks.receive(post(message(M2)));
    const off = createWebhooks({
      secret: SECRET,
      dedupe: false,
      onMessage: (_m, ctx) => {
        retries.push(ctx.retry);
        if (retries.length === 3) throw new Error("fails");
      },
    });
    await off.receive(post(message(M1)));
    await off.receive(post(message(M1)));
    expect(retries).toEqual([false, false, false, false]);
  });

  it("is false with a store that answers only claimed (a store written before reclaimed)", async () => {
    const inner = memoryStore();
    const requests: ClaimRequest[] = [];
    const older: DedupeStore = {
      claim: (key, request) => {
        requests.push(request);
        const { retryWindowMs: _w, versions: _v, ...asBefore } = request;
        return inner.claim(key, asBefore);
      },
      complete: (key, token, options) => inner.complete(key, token, options),
      release: (key, token) => inner.release(key, token),
      renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
    };
    const retries: boolean[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: older,
      onMessage: (_m, ctx) => {
        retries.push(ctx.retry);
        if (retries.length === 1) throw new Error("fails");
      },
    });
    expect((await webhooks.receive(post(message(M1)))).status).toBe(500);
    expect((await webhooks.receive(post(message(M1)))).status).toBe(200);
    expect(retries).toEqual([false, false]);
    // What the receiver asks of a store: a window of its dedupe TTL, and versions.
    expect(requests[0]).toMatchObject({ retryWindowMs: 30 * 60_000, versions: true });
  });

  it("is reported by dispatch() too", async () => {
    let calls = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: () => {
        if (++calls === 1) throw new Error("fails");
      },
    });
    const event = JSON.parse(message(M1)) as unknown;
    const first = await webhooks.dispatch(event);
    const second = await webhooks.dispatch(event);
    expect([first.outcome, first.retry]).toEqual(["handler_failed", false]);
    expect([second.outcome, second.retry]).toEqual(["processed", true]);
  });

  it("answers 503 store_unavailable, running nothing, to a malformed versioned answer", async () => {
    const bad: unknown[] = [
      { result: "claimed", version: -1 },
      { result: "claimed", version: 1.5 },
      { result: "claimed", version: "2" },
      { result: "in_progress", version: 2 },
      { result: "Claimed", version: 2 },
      { version: 2 },
    ];
    for (const answer of bad) {
      let ran = 0;
      const webhooks = createWebhooks({
        secret: SECRET,
        dedupe: { ...memoryStore(), claim: () => answer as ClaimResult },
        onMessage: () => void ran++,
      });
      const res = await webhooks.receive(post(message(M1)));
      expect([res.status, res.outcome, ran]).toEqual([503, "store_unavailable", 0]);
    }
  });

  it("accepts well-formed answers of a custom store: reclaimed as a string or with a version", async () => {
    const answers: ClaimResult[] = ["reclaimed", { result: "reclaimed", version: 4 }];
    for (const answer of answers) {
      const seen: WebhookContext[] = [];
      const webhooks = createWebhooks({
        secret: SECRET,
        dedupe: { ...memoryStore(), claim: () => answer, complete: () => true },
        onMessage: (_m, ctx) => void seen.push(ctx),
      });
      expect((await webhooks.receive(post(message(M1)))).outcome).toBe("processed");
      expect(seen[0]!.retry).toBe(true);
    }
  });

  it("is typed as a boolean on ctx and on onOutcome's info", () => {
    expectTypeOf<WebhookContext["retry"]>().toEqualTypeOf<boolean>();
    expectTypeOf<OutcomeInfo["retry"]>().toEqualTypeOf<boolean>();
  });
});
