/**
 * @fineguide-webhooks/testing: event factories, request helpers for supertest,
 * Fastify's inject, Hono's app.request and fetch, a simulator of FineGuide's
 * delivery and retry policy, and the endpoint audit behind
 * `fineguide-webhooks check`. The contract suite (which needs vitest) lives at
 * `@fineguide-webhooks/testing/contract`; this entry never imports vitest.
 */

export type {
  AnyEvent,
  CreateLeadEvent,
  EventOf,
  EventType,
  FineGuideEvent,
  MessageAudioUrlEvent,
  MessageEvent,
  RateMessageEvent,
  SessionClosedEvent,
  SessionOpenEvent,
  TicketEvent,
  UnknownEvent,
  VariableUpdateEvent,
} from "@fineguide-webhooks/core";
export { EVENT_TYPES } from "@fineguide-webhooks/core";
export {
  type CheckOptions,
  type CheckReport,
  checkEndpoint,
  type ProbeResult,
} from "./check/checkEndpoint.js";
export { isProbeEvent, PROBE_BOT_ID, PROBE_HEADER, PROBE_TEXT } from "./check/probeMarks.js";
export { PROBE_UNKNOWN_TYPE, probeEvent } from "./check/probes.js";
export {
  createAllEvents,
  createEvent,
  createUnknownEvent,
  type EventOverrides,
  uuid,
} from "./factories/createEvent.js";
export { vendorExamples } from "./factories/vendorExamples.js";
export {
  createDelivery,
  DEFAULT_SECRET_HEADER,
  type Delivery,
  type DeliveryOptions,
  type DeliveryPayload,
} from "./requests/createDelivery.js";
export {
  type InjectDelivery,
  type InjectDeliveryOptions,
  injectOptions,
} from "./requests/injectOptions.js";
export { type PostEventOptions, postEvent } from "./requests/postEvent.js";
export { type DeliveryInit, requestInit } from "./requests/requestInit.js";
export { type SupertestLike, sendWithSupertest } from "./requests/sendWithSupertest.js";
export {
  type AnsweredAttempt,
  type DeliveryAttempt,
  type DeliveryResult,
  type FailedAttempt,
  type FetchLike,
  type SimulateDeliveryOptions,
  simulateDelivery,
  VENDOR_RETRY_DELAYS_MS,
  VENDOR_TIMEOUT_MS,
} from "./simulator/simulateDelivery.js";
