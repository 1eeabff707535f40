import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { OutcomeInfo, WebhookContext } from "./handlers/types.js";

const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const rating = (value: 1 | -1) => ({
  type: "RATE_MESSAGE",
  botId,
  sessionId,
  messageId,
  rating: value,
});

describe("dispatch()", () => {
  it("runs an event through validation, dedupe and handlers without HTTP or a secret", async () => {
    const seen: WebhookContext[] = [];
    const webhooks = createWebhooks({
      secret: "unused-by-dispatch",
      onRateMessage: (_e, ctx) => void seen.push(ctx),
    });
    const first = await webhooks.dispatch(rating(1), { attempt: 3 });
    expect(first).toMatchObject({ outcome: "processed", status: 200, type: "RATE_MESSAGE" });
    expect(first.eventId).toBe(seen[0]!.eventId);
    expect(first.dedupeKey).toBe(`${botId}:RATE_MESSAGE:${messageId}`);
    expect(seen[0]!.attempt).toBe(3);
    expect(seen[0]!.headers).toEqual({});
    expect(seen[0]!.rawBody).toBeUndefined();
    expect((await webhooks.dispatch(JSON.stringify(rating(1)))).outcome).toBe("duplicate");
    const changed = await webhooks.dispatch(rating(-1));
    expect(changed.outcome).toBe("processed");
    expect(changed.eventId).not.toBe(first.eventId);
    expect(seen[1]!.rawBody).toBeUndefined();
  });

  it("reports invalid events with their issues, and failures with their error", async () => {
    const broke = new Error("crm down");
    const webhooks = createWebhooks({
      secret: "s",
      onTicket: () => {
        throw broke;
      },
    });
    const invalid = await webhooks.dispatch({ type: "MESSAGE", botId });
    expect(invalid).toMatchObject({ outcome: "invalid_payload", status: 400, type: "MESSAGE" });
    expect(invalid.issues?.map((i) => i.path[0])).toContain("messageId");
    expect((await webhooks.dispatch("not json")).outcome).toBe("invalid_json");
    expect((await webhooks.dispatch([1])).outcome).toBe("not_an_object");
    const ticket = {
      type: "TICKET",
      botId,
      sessionId,
      customerName: "A",
      customerEmail: "a@b.c",
      customerMessage: "m",
    };
    const failed = await webhooks.dispatch(ticket);
    expect(failed).toMatchObject({ outcome: "handler_failed", status: 500, error: broke });
    // The claim was released: the next attempt runs again.
    expect((await webhooks.dispatch(ticket)).outcome).toBe("handler_failed");
  });

  it("takes its own deadline, and fires ctx.signal when the caller's signal aborts", async () => {
    let signal: AbortSignal | undefined;
    const webhooks = createWebhooks({
      secret: "s",
      deadlineMs: 20,
      leaseMs: 40,
      onRateMessage: async (_e, ctx) => {
        signal = ctx.signal;
        await sleep(60); // longer than the receiver's deadline, within the dispatch's
      },
    });
    expect((await webhooks.dispatch(rating(1), { deadlineMs: 500 })).outcome).toBe("processed");
    const shutdown = new AbortController();
    const pending = webhooks.dispatch(rating(-1), { signal: shutdown.signal, deadlineMs: 500 });
    await sleep(10);
    shutdown.abort();
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as DOMException).name).toBe("AbortError");
    expect((await pending).outcome).toBe("processed");
  });

  it("answers shutting_down after close()", async () => {
    const webhooks = createWebhooks({ secret: "s" });
    await webhooks.close();
    expect((await webhooks.dispatch(rating(1))).outcome).toBe("shutting_down");
  });

  it("hands typed state to handlers", async () => {
    const webhooks = createWebhooks<WebhookContext<unknown, { tenant: string }>>({
      secret: "s",
      onRateMessage: (_e, ctx) => {
        expectTypeOf(ctx.state).toEqualTypeOf<{ tenant: string }>();
        expect(ctx.state.tenant).toBe("acme");
      },
    });
    expect((await webhooks.dispatch(rating(1), { state: { tenant: "acme" } })).outcome).toBe(
      "processed",
    );
    expectTypeOf(webhooks.dispatch).returns.resolves.toEqualTypeOf<OutcomeInfo>();
  });
});
