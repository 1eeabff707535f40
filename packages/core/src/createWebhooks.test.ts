import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { isKnownEvent } from "./eventTypes.js";
import type { WebhookContext } from "./handlers/types.js";
import type {
  AnyEvent,
  CreateLeadEvent,
  MessageAudioUrlEvent,
  MessageEvent,
  RateMessageEvent,
  SessionClosedEvent,
  SessionOpenEvent,
  TicketEvent,
  UnknownEvent,
  VariableUpdateEvent,
} from "./types.js";

describe("createWebhooks options", () => {
  it("refuses a missing or empty secret, with a clear message", () => {
    expect(() => createWebhooks({})).toThrow(/`secret` is missing or empty/);
    expect(() => createWebhooks({ secret: "" })).toThrow(/non-empty string/);
    expect(() => createWebhooks({ secret: [] })).toThrow(/allowUnauthenticated/);
    expect(() => createWebhooks({ secret: ["ok", ""] })).toThrow(/non-empty/);
    expect(() => createWebhooks({ secret: undefined })).toThrow(TypeError);
  });

  it("runs without authentication only when told to", async () => {
    const webhooks = createWebhooks({ allowUnauthenticated: true });
    const res = await webhooks.receive({
      method: "POST",
      headers: {},
      body: '{"type":"NEW","botId":"b","sessionId":"s"}',
    });
    expect(res.status).toBe(200);
  });

  it("refuses a dedupe TTL shorter than the retry window and non-positive durations", () => {
    expect(() => createWebhooks({ secret: "s", dedupeTtlMs: 60_000 })).toThrow(/25 minutes/);
    expect(() => createWebhooks({ secret: "s", deadlineMs: 0 })).toThrow(RangeError);
    expect(() => createWebhooks({ secret: "s", maxBodyBytes: Number.NaN })).toThrow(RangeError);
  });

  it("never puts the secret in its errors", () => {
    try {
      createWebhooks({ secret: ["top-secret-value", ""] });
    } catch (error) {
      expect(String(error)).not.toContain("top-secret-value");
    }
  });

  it("refuses on() for an undocumented type and non-function handlers", () => {
    const webhooks = createWebhooks({ secret: "s" });
    expect(() => webhooks.on("NOPE" as "MESSAGE", () => {})).toThrow(/onUnknown/);
    expect(() => webhooks.onTicket("x" as unknown as () => void)).toThrow(TypeError);
  });
});

describe("handler typing", () => {
  it("gives each typed method exactly its event type", () => {
    const webhooks = createWebhooks({
      secret: "s",
      onTicket: (ticket, ctx) => {
        expectTypeOf(ticket).toEqualTypeOf<TicketEvent>();
        expectTypeOf(ctx).toEqualTypeOf<WebhookContext>();
      },
      onAny: (event) => expectTypeOf(event).toEqualTypeOf<AnyEvent>(),
      onUnknown: (event) => expectTypeOf(event).toEqualTypeOf<UnknownEvent>(),
    });
    webhooks.onMessage((e) => expectTypeOf(e).toEqualTypeOf<MessageEvent>());
    webhooks.onSessionOpen((e) => expectTypeOf(e).toEqualTypeOf<SessionOpenEvent>());
    webhooks.onSessionClosed((e) => expectTypeOf(e).toEqualTypeOf<SessionClosedEvent>());
    webhooks.onTicket((e) => expectTypeOf(e).toEqualTypeOf<TicketEvent>());
    webhooks.onCreateLead((e) => expectTypeOf(e).toEqualTypeOf<CreateLeadEvent>());
    webhooks.onRateMessage((e) => expectTypeOf(e).toEqualTypeOf<RateMessageEvent>());
    webhooks.onMessageAudioUrl((e) => expectTypeOf(e).toEqualTypeOf<MessageAudioUrlEvent>());
    webhooks.onVariableUpdate((e) => expectTypeOf(e).toEqualTypeOf<VariableUpdateEvent>());
    webhooks.on("RATE_MESSAGE", (e) => expectTypeOf(e).toEqualTypeOf<RateMessageEvent>());
    webhooks.onAny((e) => {
      if (isKnownEvent(e) && e.type === "CREATE_LEAD")
        expectTypeOf(e).toEqualTypeOf<CreateLeadEvent>();
    });
    // @ts-expect-error a TICKET handler cannot take a MESSAGE
    webhooks.onTicket((_e: MessageEvent) => {});
    expect(() =>
      // @ts-expect-error not a documented type
      webhooks.on("TICKETS", () => {}),
    ).toThrow(TypeError);
    expectTypeOf(webhooks.receive).returns.resolves.toHaveProperty("status");
  });
});
