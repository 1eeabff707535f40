import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DeliveryInfo, InvalidDelivery, WebhookContext } from "./handlers/types.js";
import { BOT_ID as botId, rating, SESSION_ID as sessionId } from "./test/samples.js";
import type { AnyEvent, UnknownEvent } from "./types.js";

// The method forms of the hooks (`webhooks.onUnknown(fn)`...), beside the option forms
// createWebhooks.test.ts covers: each registers, is called for its case, and unsubscribes.
const future = (n: number) => ({ type: "SOMETHING_NEW", botId, sessionId, n });

describe("hook methods of a receiver", () => {
  it("onUnknown(handler) runs for undocumented types only, until unsubscribed", async () => {
    const seen: [UnknownEvent, WebhookContext][] = [];
    const byOption: unknown[] = [];
    const webhooks = createWebhooks({
      secret: "s",
      onUnknown: (event) => void byOption.push(event),
      onRateMessage: () => {},
    });
    const off = webhooks.onUnknown((event, ctx) => void seen.push([event, ctx]));
    const first = await webhooks.dispatch(future(1), { attempt: 2 });
    expect(first).toMatchObject({ outcome: "unknown_type", status: 200, type: "SOMETHING_NEW" });
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toEqual(future(1));
    expect(seen[0]![1].deliveryId).toBe(first.deliveryId);
    expect(seen[0]![1].attempt).toBe(2);
    expect(seen[0]![1].eventId).toBe(first.eventId);
    // A documented type does not reach it.
    expect((await webhooks.dispatch(rating(1))).outcome).toBe("processed");
    expect(seen).toHaveLength(1);

    off();
    expect((await webhooks.dispatch(future(2))).outcome).toBe("unknown_type");
    expect(seen).toHaveLength(1);
    // Only the method's handler went: the option's still runs.
    expect(byOption).toEqual([future(1), future(2)]);
  });

  it("onInvalid(hook) is told of payloads answered 400, until unsubscribed", async () => {
    const seen: [InvalidDelivery, DeliveryInfo][] = [];
    const webhooks = createWebhooks({ secret: "s" });
    const off = webhooks.onInvalid((invalid, info) => void seen.push([invalid, info]));
    const payload = { type: "RATE_MESSAGE", botId, sessionId };
    const invalid = await webhooks.dispatch(payload);
    expect(invalid).toMatchObject({ outcome: "invalid_payload", status: 400 });
    expect(seen).toHaveLength(1);
    const [delivery, info] = seen[0]!;
    expect(delivery.code).toBe("invalid_payload");
    expect(delivery.payload).toEqual(payload);
    expect(delivery.issues.map((issue) => issue.path[0])).toContain("messageId");
    expect(delivery.issues).toEqual(invalid.issues);
    expect(info.deliveryId).toBe(invalid.deliveryId);

    const untyped = await webhooks.dispatch({ botId });
    expect(untyped.outcome).toBe("missing_type");
    expect(seen[1]![0]).toMatchObject({ code: "missing_type", payload: { botId } });

    off();
    expect((await webhooks.dispatch(payload)).outcome).toBe("invalid_payload");
    expect(seen).toHaveLength(2);
  });

  it("onDuplicate(hook) is told of an event already processed, until unsubscribed", async () => {
    const seen: [AnyEvent, WebhookContext][] = [];
    let handled = 0;
    const webhooks = createWebhooks({ secret: "s", onRateMessage: () => void handled++ });
    const off = webhooks.onDuplicate((event, ctx) => void seen.push([event, ctx]));
    const first = await webhooks.dispatch(rating(1));
    expect(first.outcome).toBe("processed");
    expect(seen).toHaveLength(0);

    const again = await webhooks.dispatch(rating(1));
    expect(again).toMatchObject({ outcome: "duplicate", status: 200 });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]![0]).toEqual(rating(1));
    expect(seen[0]![1].eventId).toBe(first.eventId);
    expect(seen[0]![1].dedupeKey).toBe(first.dedupeKey);
    expect(handled).toBe(1);

    off();
    expect((await webhooks.dispatch(rating(1))).outcome).toBe("duplicate");
    // Give a stray call the time to arrive: none must.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toHaveLength(1);
  });

  it("onError(hook) gets a handler's error, the event and ctx, until unsubscribed", async () => {
    const broke = new Error("crm down");
    const seen: [unknown, AnyEvent, WebhookContext][] = [];
    const webhooks = createWebhooks({
      secret: "s",
      onRateMessage: () => {
        throw broke;
      },
    });
    const off = webhooks.onError((error, event, ctx) => void seen.push([error, event, ctx]));
    const failed = await webhooks.dispatch(rating(-1));
    expect(failed).toMatchObject({ outcome: "handler_failed", status: 500, error: broke });
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(broke);
    expect(seen[0]![1]).toEqual(rating(-1));
    expect(seen[0]![2].deliveryId).toBe(failed.deliveryId);

    off();
    // The claim was released, so the handler runs (and fails) again: the hook is gone.
    expect((await webhooks.dispatch(rating(-1))).outcome).toBe("handler_failed");
    expect(seen).toHaveLength(1);
  });
});
