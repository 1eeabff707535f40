import {
  type CreateLeadEvent,
  EVENT_TYPES,
  type EventOf,
  type EventType,
  eventSchemas,
  extraFields,
  type FineGuideEvent,
  MESSAGE_ROLES,
  type MessageAudioUrlEvent,
  type MessageEvent,
  type RateMessageEvent,
  type SessionClosedEvent,
  type SessionOpenEvent,
  strictEventSchemas,
  type TicketEvent,
  type UnknownEvent,
  type VariableUpdateEvent,
} from "@fineguide-webhooks/core";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createAllEvents,
  createEvent,
  createUnknownEvent,
  type EventOverrides,
} from "./createEvent.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/* Arbitrary overrides: any subset of fields, each with any value its schema accepts. */
const json = fc.dictionary(fc.string(), fc.jsonValue());
// What zod's z.email() accepts, and z.url() (web URLs).
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/))
  .map(([local, domain]) => `${local}@${domain}.example`);
const url = fc.webUrl();

type Fields = Record<string, fc.Arbitrary<unknown>>;
const common: Fields = { botId: fc.uuid(), sessionId: fc.uuid() };

/** Overrides valid under the default (lenient) schemas. */
const lenient: { [T in EventType]: Fields } = {
  MESSAGE: { ...common, role: fc.string(), message: fc.string(), messageId: fc.uuid() },
  SESSION_OPEN: common,
  SESSION_CLOSED: common,
  TICKET: {
    ...common,
    customerName: fc.string(),
    customerEmail: fc.string(),
    customerMessage: fc.string(),
  },
  CREATE_LEAD: {
    ...common,
    organizationId: fc.string(),
    name: fc.option(fc.string()),
    email: fc.option(fc.string()),
    phone: fc.option(fc.string()),
    location: fc.option(fc.string()),
    intent: fc.string(),
    source: fc.string(),
    props: fc.option(json),
  },
  RATE_MESSAGE: { ...common, messageId: fc.uuid(), rating: fc.constantFrom(1, -1) },
  MESSAGE_AUDIO_URL: { ...common, messageId: fc.uuid(), audioUrl: fc.string() },
  VARIABLE_UPDATE: { ...common, variables: json },
};

/** Overrides valid under the `strict` schemas too. */
const strict: { [T in EventType]: Fields } = {
  ...lenient,
  MESSAGE: { ...lenient.MESSAGE, role: fc.constantFrom(...MESSAGE_ROLES) },
  TICKET: { ...lenient.TICKET, customerEmail: email },
  CREATE_LEAD: {
    ...lenient.CREATE_LEAD,
    // undefined removes the field: the optional fields may be absent.
    name: fc.option(fc.string(), { nil: undefined }),
    email: fc.option(email, { nil: undefined }),
    phone: fc.option(fc.string(), { nil: undefined }),
    location: fc.option(fc.string(), { nil: undefined }),
    props: fc.option(json, { nil: undefined }),
  },
  MESSAGE_AUDIO_URL: { ...lenient.MESSAGE_AUDIO_URL, audioUrl: url },
};

const overridesOf = (fields: Fields) => fc.record(fields, { requiredKeys: [] });

describe("createEvent", () => {
  it.each(EVENT_TYPES)("%s: the defaults pass the default and strict schemas", (type) => {
    const event = createEvent(type);
    expect(event.type).toBe(type);
    expect(eventSchemas[type].safeParse(event).success).toBe(true);
    expect(strictEventSchemas[type].safeParse(event).error).toBeUndefined();
  });

  it.each(EVENT_TYPES)("%s: any valid overrides parse with the default schema", (type) => {
    fc.assert(
      fc.property(overridesOf(lenient[type]), (overrides) => {
        const event = createEvent(type, overrides as Partial<EventOf<typeof type>>);
        const sent = JSON.parse(JSON.stringify(event));
        expect(eventSchemas[type].safeParse(event).error).toBeUndefined();
        expect(eventSchemas[type].safeParse(sent).error).toBeUndefined();
        for (const [key, value] of Object.entries(overrides)) {
          expect((event as Record<string, unknown>)[key]).toEqual(value);
        }
      }),
    );
  });

  it.each(EVENT_TYPES)("%s: any strictly valid overrides parse with the strict schema", (type) => {
    fc.assert(
      fc.property(overridesOf(strict[type]), (overrides) => {
        const event = createEvent(type, overrides as Partial<EventOf<typeof type>>);
        expect(strictEventSchemas[type].safeParse(event).error).toBeUndefined();
        expect(
          strictEventSchemas[type].safeParse(JSON.parse(JSON.stringify(event))).error,
        ).toBeUndefined();
      }),
    );
  });

  it("gives every event fresh v4 UUIDs", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      for (const type of EVENT_TYPES) {
        const event = createEvent(type) as Record<string, unknown>;
        for (const key of ["botId", "sessionId", "messageId"]) {
          const id = event[key];
          if (id === undefined) continue;
          expect(id).toMatch(UUID);
          expect(ids.has(id as string)).toBe(false);
          ids.add(id as string);
        }
      }
    }
  });

  it("removes a field overridden with undefined, as JSON would", () => {
    const lead = createEvent("CREATE_LEAD", { phone: undefined, props: undefined });
    expect("phone" in lead).toBe(false);
    expect("props" in lead).toBe(false);
    expect(eventSchemas.CREATE_LEAD.safeParse(lead).success).toBe(true);
  });

  it("keeps extra fields, as the vendor may add some", () => {
    const message = createEvent("MESSAGE", { channel: "whatsapp" } as EventOverrides<"MESSAGE">);
    expect(extraFields(message)).toEqual({ channel: "whatsapp" });
  });

  it("rejects undocumented types at runtime too", () => {
    expect(() => createEvent("NOPE" as EventType)).toThrow(/not a documented event type/);
  });

  it("is typed by its type argument", () => {
    expectTypeOf(createEvent("MESSAGE")).toEqualTypeOf<MessageEvent>();
    expectTypeOf(createEvent("SESSION_OPEN")).toEqualTypeOf<SessionOpenEvent>();
    expectTypeOf(createEvent("SESSION_CLOSED")).toEqualTypeOf<SessionClosedEvent>();
    expectTypeOf(createEvent("TICKET")).toEqualTypeOf<TicketEvent>();
    expectTypeOf(createEvent("CREATE_LEAD")).toEqualTypeOf<CreateLeadEvent>();
    expectTypeOf(createEvent("RATE_MESSAGE")).toEqualTypeOf<RateMessageEvent>();
    expectTypeOf(createEvent("MESSAGE_AUDIO_URL")).toEqualTypeOf<MessageAudioUrlEvent>();
    expectTypeOf(createEvent("VARIABLE_UPDATE")).toEqualTypeOf<VariableUpdateEvent>();
    expectTypeOf(createEvent("TICKET").customerEmail).toEqualTypeOf<string>();
    expectTypeOf(createEvent("RATE_MESSAGE").rating).toEqualTypeOf<1 | -1>();
    // @ts-expect-error not a documented type
    expect(() => createEvent("TIKET")).toThrow();
    // @ts-expect-error a rating is 1 or -1
    createEvent("RATE_MESSAGE", { rating: 2 });
    // @ts-expect-error a ticket's email is a string
    createEvent("TICKET", { customerEmail: 42 });
  });
});

describe("createUnknownEvent", () => {
  it("makes an event of an undocumented type with fresh ids", () => {
    const event = createUnknownEvent("CALL_TRANSFERRED", { agent: "Ana" });
    expect(event).toMatchObject({ type: "CALL_TRANSFERRED", agent: "Ana" });
    expect(event.botId).toMatch(UUID);
    expect(event.sessionId).toMatch(UUID);
    expectTypeOf(event).toEqualTypeOf<UnknownEvent>();
  });

  it("refuses documented types", () => {
    expect(() => createUnknownEvent("TICKET")).toThrow(/use createEvent/);
  });
});

describe("createAllEvents", () => {
  it("makes one valid event of every type in one conversation", () => {
    const events = createAllEvents();
    expectTypeOf(events).toEqualTypeOf<FineGuideEvent[]>();
    expect(events.map((e) => e.type)).toEqual([...EVENT_TYPES]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    expect(new Set(events.map((e) => e.botId)).size).toBe(1);
    for (const event of events) {
      expect(strictEventSchemas[event.type].safeParse(event).error).toBeUndefined();
    }
  });

  it("applies overrides to every event", () => {
    const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
    expect(createAllEvents({ botId }).every((e) => e.botId === botId)).toBe(true);
  });
});
