import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { createWebhooks } from "./createWebhooks.js";
import { fingerprint } from "./dedupe/fingerprint.js";
import { type EventType, isKnownEvent } from "./eventTypes.js";
import { extraFields } from "./extraFields.js";
import type { Handler } from "./handlers/types.js";
import { eventSchemas, type strictEventSchemas } from "./schemas/eventSchemas.js";
import type { MessageRole } from "./schemas/fields.js";
import type {
  AnyEvent,
  CreateLeadEvent,
  EventOf,
  FineGuideEvent,
  MessageAudioUrlEvent,
  MessageEvent,
  RateMessageEvent,
  SessionClosedEvent,
  SessionOpenEvent,
  TicketEvent,
  UnknownEvent,
  VariableUpdateEvent,
} from "./types.js";

/** Identical types: readonly, optional and nullable all count. */
type Equal<A, B> =
  (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** The declared fields of `T`, without its index signatures (modifiers kept). */
type DeclaredFields<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
type HasIndexSignature<T> = string extends keyof T ? true : false;
/** What the default (lenient) schema of `T` outputs, as zod infers it. */
type SchemaOutput<T extends EventType> = z.output<(typeof eventSchemas)[T]>;
/** The schema's output and the declared type agree both ways, apart from the index signature. */
type Agree<T extends EventType> = Equal<Readonly<DeclaredFields<SchemaOutput<T>>>, EventOf<T>>;

const ids = {
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
};
const ticket: TicketEvent = {
  type: "TICKET",
  ...ids,
  customerName: "John Doe",
  customerEmail: "john@example.com",
  customerMessage: "A human, please",
};

describe("declared event types and their schemas", () => {
  it("agree field by field (name, type, optional, nullable), so neither drifts from the other", () => {
    expectTypeOf<{ [T in EventType]: Agree<T> }>().toEqualTypeOf<{ [T in EventType]: true }>();
    // The same, one by one, for readable failures.
    expectTypeOf<Readonly<DeclaredFields<SchemaOutput<"MESSAGE">>>>().toEqualTypeOf<MessageEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"SESSION_OPEN">>>
    >().toEqualTypeOf<SessionOpenEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"SESSION_CLOSED">>>
    >().toEqualTypeOf<SessionClosedEvent>();
    expectTypeOf<Readonly<DeclaredFields<SchemaOutput<"TICKET">>>>().toEqualTypeOf<TicketEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"CREATE_LEAD">>>
    >().toEqualTypeOf<CreateLeadEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"RATE_MESSAGE">>>
    >().toEqualTypeOf<RateMessageEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"MESSAGE_AUDIO_URL">>>
    >().toEqualTypeOf<MessageAudioUrlEvent>();
    expectTypeOf<
      Readonly<DeclaredFields<SchemaOutput<"VARIABLE_UPDATE">>>
    >().toEqualTypeOf<VariableUpdateEvent>();
  });

  it("the agreement check catches each kind of drift", () => {
    type Base = { readonly a: string; readonly b?: string | null };
    expectTypeOf<
      Equal<Base, { readonly a: string; readonly b?: string | null }>
    >().toEqualTypeOf<true>();
    expectTypeOf<Equal<Base, { a: string; readonly b?: string | null }>>().toEqualTypeOf<false>();
    expectTypeOf<
      Equal<Base, { readonly a?: string; readonly b?: string | null }>
    >().toEqualTypeOf<false>();
    expectTypeOf<Equal<Base, { readonly a: string; readonly b?: string }>>().toEqualTypeOf<false>();
    expectTypeOf<Equal<Base, { readonly a: string }>>().toEqualTypeOf<false>();
    expectTypeOf<
      Equal<Base, { readonly a: string; readonly b?: string | null; readonly c: 1 }>
    >().toEqualTypeOf<false>();
    expectTypeOf<
      Equal<Readonly<DeclaredFields<{ [x: string]: unknown; a: string }>>, { readonly a: string }>
    >().toEqualTypeOf<true>();
  });

  it("the declared types are exact; zod's inferred outputs keep an index signature (unknown fields are kept)", () => {
    expectTypeOf<{ [T in EventType]: HasIndexSignature<EventOf<T>> }>().toEqualTypeOf<{
      [T in EventType]: false;
    }>();
    expectTypeOf<{ [T in EventType]: HasIndexSignature<SchemaOutput<T>> }>().toEqualTypeOf<{
      [T in EventType]: true;
    }>();
    expectTypeOf<HasIndexSignature<UnknownEvent>>().toEqualTypeOf<true>();
    // A loose schema's output is a documented event; a strict schema's output is exactly one.
    expectTypeOf<SchemaOutput<"TICKET">>().toExtend<TicketEvent>();
    expectTypeOf<z.output<(typeof strictEventSchemas)["TICKET"]>>().toEqualTypeOf<TicketEvent>();
    const parsed: TicketEvent = eventSchemas.TICKET.parse(ticket);
    expect(parsed).toEqual(ticket);
  });

  it("types each documented field as the vendor documents it", () => {
    expectTypeOf<MessageEvent["role"]>().toEqualTypeOf<MessageRole>();
    expectTypeOf<"USER">().toExtend<MessageEvent["role"]>();
    expectTypeOf<"SUPERVISOR">().toExtend<MessageEvent["role"]>(); // widened with string
    expectTypeOf<RateMessageEvent["rating"]>().toEqualTypeOf<1 | -1>();
    expectTypeOf<CreateLeadEvent["email"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<CreateLeadEvent["props"]>().toEqualTypeOf<
      Record<string, unknown> | null | undefined
    >();
    expectTypeOf<VariableUpdateEvent["variables"]>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<TicketEvent>().toHaveProperty("customerEmail").toEqualTypeOf<string>();
  });

  it("fields are readonly", () => {
    const mutate = (t: TicketEvent) => {
      // @ts-expect-error readonly
      t.customerName = "x";
    };
    expectTypeOf(mutate).toBeFunction();
  });

  it("EventOf<T> is the named type of T", () => {
    expectTypeOf<EventOf<"MESSAGE">>().toEqualTypeOf<MessageEvent>();
    expectTypeOf<EventOf<"SESSION_OPEN">>().toEqualTypeOf<SessionOpenEvent>();
    expectTypeOf<EventOf<"SESSION_CLOSED">>().toEqualTypeOf<SessionClosedEvent>();
    expectTypeOf<EventOf<"TICKET">>().toEqualTypeOf<TicketEvent>();
    expectTypeOf<EventOf<"CREATE_LEAD">>().toEqualTypeOf<CreateLeadEvent>();
    expectTypeOf<EventOf<"RATE_MESSAGE">>().toEqualTypeOf<RateMessageEvent>();
    expectTypeOf<EventOf<"MESSAGE_AUDIO_URL">>().toEqualTypeOf<MessageAudioUrlEvent>();
    expectTypeOf<EventOf<"VARIABLE_UPDATE">>().toEqualTypeOf<VariableUpdateEvent>();
    expectTypeOf<EventOf<EventType>>().toEqualTypeOf<FineGuideEvent>();
    expectTypeOf<AnyEvent>().toEqualTypeOf<FineGuideEvent | UnknownEvent>();
  });

  it("documented events still pass where any record is expected (fingerprint, UnknownEvent)", () => {
    expectTypeOf<FineGuideEvent>().toExtend<Readonly<Record<string, unknown>>>();
    expectTypeOf<FineGuideEvent>().toExtend<UnknownEvent>();
    expect(fingerprint(ticket)).toMatch(/^[\w-]{43}$/);
  });
});

describe("a misspelled field is a compile error", () => {
  it("on each documented type", () => {
    const read = (m: MessageEvent, l: CreateLeadEvent, r: RateMessageEvent, a: AnyEvent) => [
      // @ts-expect-error customerName
      ticket.customerNmae,
      // @ts-expect-error messageId
      m.messageID,
      // @ts-expect-error email
      l.emial,
      // @ts-expect-error rating
      r.ratting,
      // @ts-expect-error not on every member of AnyEvent
      a.customerNmae,
    ];
    expectTypeOf(read).toBeFunction();
    // An undocumented event has no documented fields: anything may be read, as unknown.
    const readUnknown = (u: UnknownEvent) => u.customerNmae;
    expectTypeOf(readUnknown).returns.toEqualTypeOf<unknown>();
    expect(Object.hasOwn(ticket, "customerNmae")).toBe(false);
  });

  it("in an object literal", () => {
    const t: TicketEvent = {
      ...ticket,
      // @ts-expect-error not a TICKET field
      customerNmae: "x",
    };
    expect(t.type).toBe("TICKET");
  });

  it("in handlers, as options and as methods", () => {
    const webhooks = createWebhooks({
      secret: "s",
      // @ts-expect-error customerName
      onTicket: (t) => t.customerNmae,
    });
    // @ts-expect-error customerName
    webhooks.onTicket((t) => t.customerNmae);
    // @ts-expect-error customerName
    webhooks.on("TICKET", (t) => t.customerNmae);
    // @ts-expect-error role
    webhooks.onMessage((m) => m.rol);
    webhooks.onTicket((t) => expectTypeOf(t.customerName).toEqualTypeOf<string>());
  });
});

describe("onAny: isKnownEvent is the one guard", () => {
  const handler: Handler<AnyEvent> = (event) => {
    expectTypeOf(event).toEqualTypeOf<AnyEvent>();
    if (!isKnownEvent(event)) {
      expectTypeOf(event).toEqualTypeOf<UnknownEvent>();
      return `unknown ${event.type}`;
    }
    expectTypeOf(event).toEqualTypeOf<FineGuideEvent>();
    switch (event.type) {
      case "MESSAGE":
        expectTypeOf(event).toEqualTypeOf<MessageEvent>();
        return event.role;
      case "SESSION_OPEN":
        expectTypeOf(event).toEqualTypeOf<SessionOpenEvent>();
        return event.sessionId;
      case "SESSION_CLOSED":
        expectTypeOf(event).toEqualTypeOf<SessionClosedEvent>();
        return event.sessionId;
      case "TICKET":
        expectTypeOf(event).toEqualTypeOf<TicketEvent>();
        // @ts-expect-error narrowed to TicketEvent, which is exact
        event.customerNmae;
        return event.customerEmail;
      case "CREATE_LEAD":
        expectTypeOf(event).toEqualTypeOf<CreateLeadEvent>();
        return event.intent;
      case "RATE_MESSAGE":
        expectTypeOf(event).toEqualTypeOf<RateMessageEvent>();
        return event.rating;
      case "MESSAGE_AUDIO_URL":
        expectTypeOf(event).toEqualTypeOf<MessageAudioUrlEvent>();
        return event.audioUrl;
      case "VARIABLE_UPDATE":
        expectTypeOf(event).toEqualTypeOf<VariableUpdateEvent>();
        return event.variables;
      default:
        expectTypeOf(event).toBeNever();
        return event;
    }
  };

  it("narrows to the documented union, then switch (event.type) types each case", () => {
    createWebhooks({ secret: "s", onAny: handler }).onAny(handler);
    const ctx = undefined as never;
    expect(handler(ticket, ctx)).toBe("john@example.com");
    expect(handler({ type: "CALL_TRANSFERRED", ...ids }, ctx)).toBe("unknown CALL_TRANSFERRED");
  });

  it("without the guard, comparing type does not narrow to a documented type", () => {
    const unguarded = (event: AnyEvent) => {
      if (event.type === "TICKET") {
        // An undocumented event's type is any string, "TICKET" included.
        expectTypeOf(event).toEqualTypeOf<TicketEvent | UnknownEvent>();
        expectTypeOf(event).not.toEqualTypeOf<TicketEvent>();
        expectTypeOf(event.customerEmail).toEqualTypeOf<unknown>();
        // @ts-expect-error not a TicketEvent without the guard
        const exact: TicketEvent = event;
        return exact;
      }
      return undefined;
    };
    expect(unguarded(ticket)).toBe(ticket);
  });
});

describe("extraFields", () => {
  it("is typed for any event, answering a read-only record", () => {
    expectTypeOf(extraFields).parameter(0).toEqualTypeOf<AnyEvent>();
    expectTypeOf(extraFields).returns.toEqualTypeOf<Readonly<Record<string, unknown>>>();
    const extra = extraFields({ ...ticket, priority: "high" } as TicketEvent);
    expect(() => {
      // @ts-expect-error read-only (and frozen)
      extra.priority = "low";
    }).toThrow(TypeError);
  });
});
