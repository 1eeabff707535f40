import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { eventIdOf } from "./handlers/DeliveryContext.js";
import type { OutcomeInfo } from "./handlers/types.js";
import type { WebhooksOptions } from "./options.js";

const SECRET = "s3cr3t-for-outcome-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const message = JSON.stringify({
  type: "MESSAGE",
  botId,
  sessionId,
  role: "USER",
  message: "Hi",
  messageId,
});
const post = (body: string, secret = SECRET) => ({
  method: "POST",
  headers: { "x-webhook-secret": secret },
  body,
});

const recorder = (options: Partial<WebhooksOptions> = {}) => {
  const outcomes: OutcomeInfo[] = [];
  const webhooks = createWebhooks({
    secret: SECRET,
    deadlineMs: 40,
    leaseMs: 80,
    ...options,
    onOutcome: (info) => void outcomes.push(info),
  });
  return { webhooks, outcomes };
};

describe("onOutcome", () => {
  it("sees every answer exactly once: 401, 405, 400, 200, duplicate", async () => {
    const { webhooks, outcomes } = recorder();
    await webhooks.receive(post(message, "wrong"));
    await webhooks.receive({ method: "GET", headers: {}, body: "" });
    await webhooks.receive(post('{"type":"MESSAGE"}'));
    await webhooks.receive(post("{"));
    await webhooks.receive(post(message));
    await webhooks.receive(post(message));
    expect(outcomes.map((o) => [o.outcome, o.status])).toEqual([
      ["unauthorized", 401],
      ["method_not_allowed", 405],
      ["invalid_payload", 400],
      ["invalid_json", 400],
      ["processed", 200],
      ["duplicate", 200],
    ]);
    expect(new Set(outcomes.map((o) => o.deliveryId)).size).toBe(6);
    expect(outcomes[0]).toMatchObject({
      type: undefined,
      dedupeKey: undefined,
      eventId: undefined,
    });
    expect(outcomes[2]!.issues?.length).toBeGreaterThan(0);
    expect(outcomes[4]).toMatchObject({
      type: "MESSAGE",
      dedupeKey: `${botId}:MESSAGE:${messageId}`,
      error: undefined,
    });
    expect(outcomes[4]!.eventId).toBe(outcomes[5]!.eventId);
    for (const o of outcomes) expect(o.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("carries the eventId as a plain field: in a spread copy and in JSON too", async () => {
    const { webhooks, outcomes } = recorder();
    await webhooks.receive(post(message));
    const [info] = outcomes;
    const id = eventIdOf(`${botId}:MESSAGE:${messageId}`, undefined);
    expect(Object.keys(info!)).toContain("eventId");
    expect({ ...info }.eventId).toBe(id);
    expect(JSON.parse(JSON.stringify(info)).eventId).toBe(id);
    expect(info!.eventId).toBe(id);
  });

  it("sees in_progress, handler_timeout and handler_failed with the handler's error", async () => {
    const broke = new Error("broke");
    const { webhooks, outcomes } = recorder({
      onMessage: (m) => (m.message === "fail" ? Promise.reject(broke) : sleep(60)),
    });
    const slow = webhooks.receive(post(message));
    await webhooks.receive(post(message));
    await slow;
    await webhooks.receive(post(message.replace('"Hi"', '"fail"').replace("733b7d55", "833b7d55")));
    expect(outcomes.map((o) => o.outcome)).toEqual([
      "in_progress",
      "handler_timeout",
      "handler_failed",
    ]);
    expect(outcomes[1]!.durationMs).toBeGreaterThanOrEqual(35);
    expect(outcomes[2]!.error).toBe(broke);
  });

  it("sees store_unavailable with the store's error", async () => {
    const down = new Error("redis down");
    const store: DedupeStore = {
      claim: () => Promise.reject(down),
      complete: () => true,
      release: () => true,
      renew: () => true,
    };
    const { webhooks, outcomes } = recorder({ dedupe: store });
    expect((await webhooks.receive(post(message))).status).toBe(503);
    expect(outcomes).toMatchObject([{ outcome: "store_unavailable", status: 503, error: down }]);
  });

  it("changes nothing when a hook throws or rejects", async () => {
    const errors: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (o: Record<string, unknown>) => void errors.push(o.err),
    };
    const webhooks = createWebhooks({
      secret: SECRET,
      logger,
      onOutcome: [
        () => {
          throw new Error("sync");
        },
        async () => {
          throw new Error("async");
        },
      ],
    });
    expect((await webhooks.receive(post(message))).status).toBe(200);
    await sleep(5);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(["async", "sync"]);
  });

  it("stops with the function its registration returned", async () => {
    const { webhooks, outcomes } = recorder();
    const seen: string[] = [];
    const off = webhooks.onOutcome((o) => void seen.push(o.outcome));
    await webhooks.receive(post(message));
    off();
    await webhooks.receive(post(message));
    expect(seen).toEqual(["processed"]);
    expect(outcomes).toHaveLength(2);
  });
});
