import type { EventType } from "../eventTypes.js";
import { eventSchemas } from "../schemas/eventSchemas.js";
import type { AnyEvent, EventOf, UnknownEvent } from "../types.js";
import type { DedupeMode } from "./DedupeStore.js";
import { canonicalJson, fingerprint } from "./fingerprint.js";

/** What identifies a delivery for deduplication. */
export interface DedupeKey {
  /** The store key; handlers see it as `ctx.dedupeKey`. */
  readonly key: string;
  readonly mode: DedupeMode;
  /** In `latest` mode: what makes two deliveries of the key the same. */
  readonly fingerprint?: string;
}

/** Computes the dedupe key of an event; a string means `{ key, mode: "once" }`. */
export type KeyFunction<E> = (event: E) => DedupeKey | string;

/** Key functions per event type; `UNKNOWN` serves types not documented. */
export type KeyFunctions = { readonly [T in EventType]?: KeyFunction<EventOf<T>> } & {
  readonly UNKNOWN?: KeyFunction<UnknownEvent>;
};

// Sorted once here, so each fingerprint need not sort them again.
const documentedFields = (type: EventType): readonly string[] =>
  Object.keys(eventSchemas[type].shape).sort();

// A Map, not an object: an undocumented type named "constructor" or "__proto__" finds nothing.
const FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  (Object.keys(eventSchemas) as EventType[]).map((type) => [type, documentedFields(type)]),
);

/**
 * A field as part of a key. Documented ids are strings; an undocumented type
 * may carry anything there (an object whose `toString` is not a function
 * must not throw), so other values are written as canonical JSON.
 */
const part = (value: unknown): string =>
  typeof value === "string" ? value : value == null ? "" : canonicalJson(value);

const scope = (event: AnyEvent) => `${part(event.botId)}:${event.type}`;

const byId = (id: "messageId" | "sessionId") => (event: UnknownEvent) => ({
  key: `${scope(event)}:${part(event[id])}`,
  mode: "once" as const,
});

const latestById = (id: "messageId" | "sessionId") => (event: EventOf<EventType>) => ({
  key: `${scope(event)}:${part(event[id as keyof typeof event])}`,
  mode: "latest" as const,
  fingerprint: fingerprint(event, FIELDS.get(event.type)),
});

const bySessionAndContent = (event: AnyEvent) => ({
  key: `${scope(event)}:${part(event.sessionId)}:${fingerprint(event, FIELDS.get(event.type))}`,
  mode: "once" as const,
});

/**
 * The contract's default keys, all scoped by `botId`:
 * MESSAGE and MESSAGE_AUDIO_URL by messageId, SESSION_* by sessionId (once);
 * RATE_MESSAGE by messageId and VARIABLE_UPDATE by sessionId (latest);
 * TICKET, CREATE_LEAD and unknown types by sessionId and a fingerprint (once).
 * Fingerprints cover the documented fields only (all fields of unknown types).
 *
 * @example
 * ```ts
 * defaultKeys.MESSAGE(message); // { key: "<botId>:MESSAGE:<messageId>", mode: "once" }
 * ```
 */
export const defaultKeys: Required<KeyFunctions> = {
  MESSAGE: byId("messageId"),
  MESSAGE_AUDIO_URL: byId("messageId"),
  SESSION_OPEN: byId("sessionId"),
  SESSION_CLOSED: byId("sessionId"),
  RATE_MESSAGE: latestById("messageId"),
  VARIABLE_UPDATE: latestById("sessionId"),
  TICKET: bySessionAndContent,
  CREATE_LEAD: bySessionAndContent,
  UNKNOWN: bySessionAndContent,
};
