import type { EventOf, EventType, FineGuideEvent, UnknownEvent } from "@fineguide-webhooks/core";
import { EVENT_TYPES, isEventType } from "@fineguide-webhooks/core";

/**
 * Fields to set on a generated event. A field set to `undefined` is removed,
 * as `JSON.stringify` would drop it on the wire (handy for optional fields).
 */
export type EventOverrides<T extends EventType> = Partial<EventOf<T>>;

/**
 * A fresh random UUID (v4), from the platform's Web Crypto.
 *
 * @example
 * ```ts
 * const sessionId = uuid();
 * const open = createEvent("SESSION_OPEN", { sessionId });
 * const close = createEvent("SESSION_CLOSED", { sessionId, botId: open.botId });
 * ```
 */
export const uuid = (): string => globalThis.crypto.randomUUID();

const session = () => ({ botId: uuid(), sessionId: uuid() });

/*
 * Defaults follow the vendor's examples, with fresh ids and addresses on
 * example.com so that they also pass the `strict` schemas.
 */
const builders: { readonly [T in EventType]: () => EventOf<T> } = {
  MESSAGE: () => ({
    type: "MESSAGE",
    ...session(),
    role: "USER",
    message: "Hi, I need help with my order",
    messageId: uuid(),
  }),
  SESSION_OPEN: () => ({ type: "SESSION_OPEN", ...session() }),
  SESSION_CLOSED: () => ({ type: "SESSION_CLOSED", ...session() }),
  TICKET: () => ({
    type: "TICKET",
    ...session(),
    customerName: "John Doe",
    customerEmail: "john.doe@example.com",
    customerMessage: "I need to speak with a human please",
  }),
  CREATE_LEAD: () => ({
    type: "CREATE_LEAD",
    ...session(),
    organizationId: uuid(),
    name: "Jane Smith",
    email: "jane.smith@example.com",
    phone: "+1-555-123-4567",
    location: "New York, USA",
    intent: "Interested in enterprise pricing",
    source: "website",
    props: { campaign: "spring-sale", referrer: "google" },
  }),
  RATE_MESSAGE: () => ({
    type: "RATE_MESSAGE",
    ...session(),
    messageId: uuid(),
    rating: 1,
  }),
  MESSAGE_AUDIO_URL: () => {
    const messageId = uuid();
    return {
      type: "MESSAGE_AUDIO_URL",
      ...session(),
      messageId,
      audioUrl: `https://audio.example.com/${messageId}.mp3`,
    };
  },
  VARIABLE_UPDATE: () => ({
    type: "VARIABLE_UPDATE",
    ...session(),
    variables: {
      user_name: "John",
      product_interest: "Enterprise Plan",
      company_size: "50-100",
    },
  }),
};

const merge = <E extends object>(base: E, overrides: object | undefined): E => {
  if (!overrides) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as E;
};

/**
 * A valid event of a documented type, with fresh UUIDs (botId, sessionId,
 * messageId, organizationId) and the vendor's example values, as FineGuide
 * would deliver it. `overrides` are merged shallowly; a field set to
 * `undefined` is removed. The result passes core's default and `strict` schemas
 * unless your overrides say otherwise.
 *
 * @example
 * ```ts
 * import { createEvent } from "@fineguide-webhooks/testing";
 *
 * const ticket = createEvent("TICKET", { customerEmail: "ada@example.com" });
 * const thumbsDown = createEvent("RATE_MESSAGE", { rating: -1 });
 * const anonymousLead = createEvent("CREATE_LEAD", { name: undefined, phone: undefined });
 * ```
 */
export function createEvent<T extends EventType>(
  type: T,
  overrides?: EventOverrides<T>,
): EventOf<T> {
  const build = builders[type] as (() => EventOf<T>) | undefined;
  if (!isEventType(type) || !build) {
    throw new TypeError(
      `createEvent(): "${String(type)}" is not a documented event type (${EVENT_TYPES.join(", ")}); use createUnknownEvent.`,
    );
  }
  return merge(build(), overrides);
}

/**
 * An event of a type FineGuide does not document (yet), with a fresh botId and
 * sessionId, to test that a receiver answers it 200 (forward compatibility).
 *
 * @example
 * ```ts
 * const future = createUnknownEvent("CALL_TRANSFERRED", { agent: "Ana" });
 * ```
 */
export function createUnknownEvent(
  type: string,
  fields?: Readonly<Record<string, unknown>>,
): UnknownEvent {
  if (isEventType(type)) {
    throw new TypeError(`createUnknownEvent(): "${type}" is documented; use createEvent.`);
  }
  return merge({ type, ...session() }, fields) as UnknownEvent;
}

/**
 * One event of every documented type, in the vendor page's order, all in the
 * same conversation (one botId and sessionId unless `overrides` set them).
 * `overrides` apply to every event.
 *
 * @example
 * ```ts
 * for (const event of createAllEvents({ botId: myBotId })) await post(event);
 * ```
 */
export function createAllEvents(
  overrides?: Partial<Pick<FineGuideEvent, "botId" | "sessionId">> &
    Readonly<Record<string, unknown>>,
): FineGuideEvent[] {
  const shared = { ...session(), ...overrides };
  return EVENT_TYPES.map((type) => createEvent(type, shared as EventOverrides<typeof type>));
}
