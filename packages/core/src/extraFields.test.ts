import { vendorExamples } from "@fineguide-webhooks/testing";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { EVENT_TYPES } from "./eventTypes.js";
import { extraFields } from "./extraFields.js";
import { eventSchemas, strictEventSchemas } from "./schemas/eventSchemas.js";
import type { AnyEvent, TicketEvent } from "./types.js";

const ids = {
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
};

describe("extraFields", () => {
  it.each(EVENT_TYPES)("finds nothing extra in the vendor page's %s example", (type) => {
    const event = eventSchemas[type].parse(vendorExamples[type]);
    expect(extraFields(event)).toEqual({});
    expect(Object.keys(extraFields(event))).toEqual([]);
  });

  it("answers the fields a documented type does not document, as received, and only those", () => {
    const payload = {
      ...vendorExamples.CREATE_LEAD,
      priority: "high",
      tags: ["a", { b: 1 }],
      nothing: null,
    };
    const lead = eventSchemas.CREATE_LEAD.parse(payload);
    // The parsed value itself is unchanged: unknown fields stay in it.
    expect(lead).toEqual(payload);
    const extra = extraFields(lead);
    expect(extra).toEqual({ priority: "high", tags: ["a", { b: 1 }], nothing: null });
    expect(extra.tags).toBe(payload.tags);
    // Documented fields, objects included, are not extra.
    expect(Object.keys(extra)).not.toContain("props");
    expect(Object.keys(extra)).not.toContain("type");
  });

  it("treats an undocumented type's fields but type, botId and sessionId as extra", () => {
    const event: AnyEvent = { type: "CALL_TRANSFERRED", ...ids, agent: "Ana", customerName: "Jo" };
    expect(extraFields(event)).toEqual({ agent: "Ana", customerName: "Jo" });
    expect(extraFields({ type: "constructor", ...ids, x: 1 })).toEqual({ x: 1 });
    expect(extraFields({ type: "__proto__", ...ids, x: 1 })).toEqual({ x: 1 });
  });

  it("answers a frozen record without prototype, so field names cannot collide with Object's", () => {
    const body = `{"type":"TICKET","botId":"${ids.botId}","sessionId":"${ids.sessionId}","customerName":"a","customerEmail":"b","customerMessage":"c","__proto__":{"polluted":true},"constructor":1}`;
    // As JSON.parse makes it: "__proto__" is an own field.
    const ticket: TicketEvent = JSON.parse(body);
    const extra = extraFields(ticket);
    expect(Object.isFrozen(extra)).toBe(true);
    expect(Object.getPrototypeOf(extra)).toBeNull();
    expect(Object.keys(extra).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(extra, "__proto__")?.value).toEqual({ polluted: true });
    expect(extra.constructor).toBe(1);
    expect(
      Object.isFrozen(extraFields(eventSchemas.SESSION_OPEN.parse(vendorExamples.SESSION_OPEN))),
    ).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("finds nothing under strict: true (strict schemas reject unknown fields)", () => {
    const valid = { ...vendorExamples.TICKET, customerEmail: "john@example.com" };
    expect(extraFields(strictEventSchemas.TICKET.parse(valid))).toEqual({});
    expect(strictEventSchemas.TICKET.safeParse({ ...valid, x: 1 }).success).toBe(false);
  });

  it("reaches what a handler got through receive()", async () => {
    const seen: unknown[] = [];
    const webhooks = createWebhooks({
      secret: "s",
      onTicket: (ticket: TicketEvent) => {
        seen.push(extraFields(ticket));
      },
    });
    const answer = await webhooks.receive({
      method: "POST",
      headers: { "x-webhook-secret": "s", "content-type": "application/json" },
      body: JSON.stringify({ ...vendorExamples.TICKET, priority: "high" }),
    });
    expect(answer.status).toBe(200);
    expect(seen).toEqual([{ priority: "high" }]);
  });
});
