import {
  ERRORS,
  type ErrorCode,
  EVENT_TYPES,
  type EventOf,
  type EventType,
} from "@fineguide-webhooks/core";
import type { ProbeRequest } from "../contract/types.js";
import { createEvent, createUnknownEvent } from "../factories/createEvent.js";
import { PROBE_BOT_ID, PROBE_HEADER, PROBE_TEXT } from "./probeMarks.js";

/** What a probe step expects: a 2xx, or the contract's status for an error code. */
export type Expectation = { readonly twoXX: true } | { readonly code: ErrorCode };

/** One request of a probe and what it must get. */
export interface ProbeStep {
  readonly request: ProbeRequest;
  readonly expect: Expectation;
}

/** One row of the audit. */
export interface Probe {
  /** A short name, e.g. `wrong secret`. */
  readonly name: string;
  /** The receiver contract's row it checks. */
  readonly row: number;
  /** What the table shows as expected. */
  readonly expected: string;
  /** A remark for the table (e.g. what differs for hand-rolled receivers). */
  readonly note?: string;
  /** The requests, sent in order. */
  readonly steps: (ctx: ProbeContext) => readonly ProbeStep[];
}

/** What probes are built from. */
export interface ProbeContext {
  readonly secret: string;
  /** The secret header's name, lowercase. */
  readonly header: string;
  /** The size of the oversize body, in bytes. */
  readonly oversizeBytes: number;
}

const markText = (type: EventType) => `${PROBE_TEXT} (${type})`;

/** Text-field overrides that make a probe event recognisable beyond its botId. */
const marks: { readonly [T in EventType]?: Partial<EventOf<T>> } = {
  MESSAGE: { message: markText("MESSAGE") },
  TICKET: {
    customerName: PROBE_TEXT,
    customerEmail: "probe@fineguide-webhooks.invalid",
    customerMessage: markText("TICKET"),
  },
  CREATE_LEAD: {
    name: PROBE_TEXT,
    email: "probe@fineguide-webhooks.invalid",
    intent: markText("CREATE_LEAD"),
    source: "fineguide-webhooks-check",
    props: { probe: true },
  },
  MESSAGE_AUDIO_URL: { audioUrl: "https://fineguide-webhooks.invalid/probe.mp3" },
  VARIABLE_UPDATE: { variables: { probe: PROBE_TEXT } },
};

/**
 * A valid event of `type` marked as a probe: botId {@link PROBE_BOT_ID}, text
 * fields saying `fineguide-webhooks check probe`, addresses on `.invalid`.
 *
 * @example
 * ```ts
 * const ticket = probeEvent("TICKET");
 * ticket.botId; // "00000000-0000-4000-8000-00000000c0de"
 * ```
 */
export function probeEvent<T extends EventType>(type: T): EventOf<T> {
  return createEvent(type, { ...marks[type], botId: PROBE_BOT_ID } as Partial<EventOf<T>>);
}

/**
 * The event type the unknown-type probe sends; no FineGuide event will ever have it.
 *
 * @example
 * ```ts
 * webhooks.onUnknown((event) => {
 *   if (event.type === PROBE_UNKNOWN_TYPE) return;
 *   log.warn({ type: event.type }, "FineGuide sent a new event type");
 * });
 * ```
 */
export const PROBE_UNKNOWN_TYPE = "FINEGUIDE_WEBHOOKS_CHECK_PROBE";

const status = (code: ErrorCode) => ERRORS[code].status;
const expectCode = (code: ErrorCode): Expectation => ({ code });
const TWO_XX: Expectation = { twoXX: true };

const headers = (ctx: ProbeContext, extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "user-agent": "fineguide-webhooks-check",
  [PROBE_HEADER]: "check",
  [ctx.header]: ctx.secret,
  ...extra,
});

const withoutSecret = (ctx: ProbeContext) => {
  const { [ctx.header]: _secret, ...rest } = headers(ctx);
  return rest;
};

const post = (ctx: ProbeContext, body: unknown, expect: Expectation): ProbeStep => ({
  request: {
    method: "POST",
    headers: headers(ctx),
    body: typeof body === "string" ? body : JSON.stringify(body),
  },
  expect,
});

/** A wrong secret that is never the real one. */
const wrongSecret = (secret: string) =>
  secret === "fineguide-webhooks-check-wrong-secret"
    ? "fineguide-webhooks-check-wrong-secret-2"
    : "fineguide-webhooks-check-wrong-secret";

/** A valid MESSAGE probe padded to exactly `bytes` bytes of JSON. */
const oversizeBody = (bytes: number) => {
  const event = probeEvent("MESSAGE");
  const base = JSON.stringify({ ...event, message: "" });
  return JSON.stringify({ ...event, message: "x".repeat(Math.max(0, bytes - base.length)) });
};

/**
 * Every probe `fineguide-webhooks check` sends, in the contract's order. The
 * statuses come from core's `ERRORS`, the table the contract suite uses.
 * Rows 10 to 13 (concurrent duplicates, store outage, handler failure, deadline)
 * cannot be provoked from outside a receiver and are left to the contract suite.
 */
export const PROBES: readonly Probe[] = [
  {
    name: "GET instead of POST",
    row: 1,
    expected: `${status("method_not_allowed")}`,
    steps: (ctx) => [
      {
        request: { method: "GET", headers: withoutSecret(ctx) },
        expect: expectCode("method_not_allowed"),
      },
    ],
  },
  {
    name: "missing secret",
    row: 2,
    expected: `${status("unauthorized")}`,
    steps: (ctx) => [
      {
        request: {
          method: "POST",
          headers: withoutSecret(ctx),
          body: JSON.stringify(probeEvent("MESSAGE")),
        },
        expect: expectCode("unauthorized"),
      },
    ],
  },
  {
    name: "wrong secret",
    row: 2,
    expected: `${status("unauthorized")}`,
    steps: (ctx) => [
      {
        request: {
          method: "POST",
          headers: headers(ctx, { [ctx.header]: wrongSecret(ctx.secret) }),
          body: JSON.stringify(probeEvent("MESSAGE")),
        },
        expect: expectCode("unauthorized"),
      },
    ],
  },
  {
    name: "content type text/html",
    row: 3,
    expected: `${status("unsupported_media_type")}`,
    steps: (ctx) => [
      {
        request: {
          method: "POST",
          headers: headers(ctx, { "content-type": "text/html" }),
          body: JSON.stringify(probeEvent("MESSAGE")),
        },
        expect: expectCode("unsupported_media_type"),
      },
    ],
  },
  {
    name: "oversize body",
    row: 4,
    expected: `${status("payload_too_large")}`,
    steps: (ctx) => [post(ctx, oversizeBody(ctx.oversizeBytes), expectCode("payload_too_large"))],
  },
  {
    name: "malformed JSON",
    row: 5,
    expected: `${status("invalid_json")}`,
    steps: (ctx) => [
      post(ctx, JSON.stringify(probeEvent("MESSAGE")).slice(0, -1), expectCode("invalid_json")),
    ],
  },
  {
    name: "array body",
    row: 5,
    expected: `${status("not_an_object")}`,
    steps: (ctx) => [post(ctx, [probeEvent("MESSAGE")], expectCode("not_an_object"))],
  },
  {
    name: "missing type",
    row: 6,
    expected: `${status("missing_type")}`,
    steps: (ctx) => {
      const { type: _type, ...event } = probeEvent("MESSAGE");
      return [post(ctx, event, expectCode("missing_type"))];
    },
  },
  {
    name: "invalid sessionId",
    row: 7,
    expected: `${status("invalid_payload")}`,
    steps: (ctx) => [
      post(
        ctx,
        { ...probeEvent("SESSION_OPEN"), sessionId: "not-a-uuid" },
        expectCode("invalid_payload"),
      ),
    ],
  },
  {
    name: "invalid messageId",
    row: 7,
    expected: `${status("invalid_payload")}`,
    steps: (ctx) => [
      post(ctx, { ...probeEvent("MESSAGE"), messageId: "12345" }, expectCode("invalid_payload")),
    ],
  },
  {
    name: "unknown type",
    row: 8,
    expected: "2xx",
    steps: (ctx) => [
      post(
        ctx,
        createUnknownEvent(PROBE_UNKNOWN_TYPE, { botId: PROBE_BOT_ID, note: PROBE_TEXT }),
        TWO_XX,
      ),
    ],
  },
  {
    name: "duplicate delivery",
    row: 9,
    expected: "2xx, then 2xx",
    note: "our kit answers the second with duplicate:true; any 2xx passes",
    steps: (ctx) => {
      const event = probeEvent("MESSAGE");
      return [post(ctx, event, TWO_XX), post(ctx, event, TWO_XX)];
    },
  },
  ...EVENT_TYPES.map(
    (type): Probe => ({
      name: `valid ${type}`,
      row: 14,
      expected: "2xx",
      steps: (ctx) => [post(ctx, probeEvent(type), TWO_XX)],
    }),
  ),
];

/** Whether a status meets an expectation. */
export function meets(expect: Expectation, got: number): boolean {
  return "twoXX" in expect ? got >= 200 && got < 300 : got === ERRORS[expect.code].status;
}
