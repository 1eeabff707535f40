import { vendorExamples } from "@fineguide-webhooks/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { EVENT_TYPES } from "../eventTypes.js";
import type { CreateLeadEvent, MessageEvent, RateMessageEvent } from "../types.js";
import { eventSchemas, fineGuideEventSchema, strictEventSchemas } from "./eventSchemas.js";
import type { MessageRole } from "./fields.js";

const ids = {
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  messageId: "733b7d55-61ea-450f-b585-27755b015596",
};
const message = { type: "MESSAGE", ...ids, role: "USER", message: "Hi" };

describe("eventSchemas", () => {
  it.each(EVENT_TYPES)("parses the vendor page's %s example in default mode", (type) => {
    const example = vendorExamples[type];
    expect(eventSchemas[type].parse(example)).toEqual(example);
    expect(fineGuideEventSchema.parse(example)).toEqual(example);
  });

  it("checks structure: ids have UUID shape (any version), rating is 1 or -1, variables an object", () => {
    expect(eventSchemas.MESSAGE.safeParse({ ...message, messageId: "42" }).success).toBe(false);
    expect(eventSchemas.MESSAGE.safeParse({ ...message, botId: undefined }).success).toBe(false);
    // Version 7 and version-less shapes are still UUIDs.
    const v7 = "01890a5d-ac96-774b-bcce-b302099a8057";
    expect(eventSchemas.MESSAGE.safeParse({ ...message, messageId: v7 }).success).toBe(true);
    expect(
      eventSchemas.MESSAGE.safeParse({
        ...message,
        messageId: "00000000-0000-0000-0000-000000000000",
      }).success,
    ).toBe(true);
    const rating = { type: "RATE_MESSAGE", ...ids, rating: 1 };
    expect(eventSchemas.RATE_MESSAGE.safeParse({ ...rating, rating: -1 }).success).toBe(true);
    for (const bad of [0, 2, "1", null]) {
      expect(eventSchemas.RATE_MESSAGE.safeParse({ ...rating, rating: bad }).success).toBe(false);
    }
    const vars = { type: "VARIABLE_UPDATE", ...ids };
    expect(eventSchemas.VARIABLE_UPDATE.safeParse({ ...vars, variables: [] }).success).toBe(false);
    expect(eventSchemas.VARIABLE_UPDATE.safeParse({ ...vars, variables: "a=1" }).success).toBe(
      false,
    );
  });

  it("accepts people's words as typed, new roles, and keeps unknown fields", () => {
    const ticket = {
      type: "TICKET",
      ...ids,
      customerName: "",
      customerEmail: "john at example dot com",
      customerMessage: "🙂",
    };
    expect(eventSchemas.TICKET.parse(ticket)).toEqual(ticket);
    expect(eventSchemas.MESSAGE.parse({ ...message, role: "SUPERVISOR" }).role).toBe("SUPERVISOR");
    expect(eventSchemas.MESSAGE.parse({ ...message, channel: "whatsapp" })).toMatchObject({
      channel: "whatsapp",
    });
  });

  it("accepts missing or null lead details the vendor marks as optional", () => {
    const lead = {
      type: "CREATE_LEAD",
      ...ids,
      organizationId: "org-abc123",
      intent: "pricing",
      source: "widget",
    };
    expect(eventSchemas.CREATE_LEAD.safeParse(lead).success).toBe(true);
    expect(eventSchemas.CREATE_LEAD.safeParse({ ...lead, email: null, props: null }).success).toBe(
      true,
    );
    expect(strictEventSchemas.CREATE_LEAD.safeParse({ ...lead, email: null }).success).toBe(false);
  });

  it("in strict mode rejects what default mode tolerates", () => {
    expect(strictEventSchemas.MESSAGE.safeParse(message).success).toBe(true);
    expect(strictEventSchemas.MESSAGE.safeParse({ ...message, role: "SUPERVISOR" }).success).toBe(
      false,
    );
    expect(strictEventSchemas.MESSAGE.safeParse({ ...message, channel: "x" }).success).toBe(false);
    const { messageId: _unused, ...session } = ids;
    const ticket = { type: "TICKET", ...session, customerName: "A", customerMessage: "m" };
    expect(
      strictEventSchemas.TICKET.safeParse({ ...ticket, customerEmail: "a@b.co" }).success,
    ).toBe(true);
    expect(strictEventSchemas.TICKET.safeParse({ ...ticket, customerEmail: "nope" }).success).toBe(
      false,
    );
    const audio = { type: "MESSAGE_AUDIO_URL", ...ids };
    expect(
      strictEventSchemas.MESSAGE_AUDIO_URL.safeParse({ ...audio, audioUrl: "https://a.b/c.mp3" })
        .success,
    ).toBe(true);
    expect(
      strictEventSchemas.MESSAGE_AUDIO_URL.safeParse({ ...audio, audioUrl: "nope" }).success,
    ).toBe(false);
  });

  it.each(EVENT_TYPES)(
    "in strict mode, the vendor's %s example fails at most on its obfuscated e-mail",
    (type) => {
      // The vendor page prints addresses as "[email protected]" (obfuscated), which strict mode rejects.
      const result = strictEventSchemas[type].safeParse(vendorExamples[type]);
      const paths = result.success ? [] : result.error.issues.map((i) => i.path.join("."));
      expect(paths.every((p) => p === "email" || p === "customerEmail")).toBe(true);
      expect(result.success).toBe(!["TICKET", "CREATE_LEAD"].includes(type));
    },
  );

  it("types documented sets widened with string, and optional details as nullable", () => {
    expectTypeOf<MessageEvent["role"]>().toEqualTypeOf<MessageRole>();
    expectTypeOf<"USER">().toExtend<MessageEvent["role"]>();
    expectTypeOf<"ANYTHING_NEW">().toExtend<MessageEvent["role"]>();
    expectTypeOf<RateMessageEvent["rating"]>().toEqualTypeOf<1 | -1>();
    expectTypeOf<CreateLeadEvent["email"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<MessageEvent["messageId"]>().toEqualTypeOf<string>();
  });
});
