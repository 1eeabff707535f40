export type { CloseOptions } from "./close.js";
export { createWebhooks, type DispatchOptions, type Webhooks } from "./createWebhooks.js";
export type {
  ClaimRequest,
  ClaimResult,
  DedupeMode,
  DedupeStore,
  MaybePromise,
  VersionedClaim,
} from "./dedupe/DedupeStore.js";
export {
  type DedupeKey,
  defaultKeys,
  type KeyFunction,
  type KeyFunctions,
} from "./dedupe/defaultKeys.js";
export { canonicalJson, fingerprint } from "./dedupe/fingerprint.js";
export {
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
  memoryStore,
} from "./dedupe/memoryStore.js";
export { EVENT_TYPES, type EventType, isEventType, isKnownEvent } from "./eventTypes.js";
export { extraFields } from "./extraFields.js";
export {
  type AroundHandlers,
  type DeliveryInfo,
  type DuplicateHook,
  type ErrorHook,
  HANDLER_NAMES,
  type Handler,
  type HandlerOptions,
  type InvalidDelivery,
  type InvalidHook,
  type OneOrMany,
  type OutcomeHook,
  type OutcomeInfo,
  type TypedHandlerMethods,
  type TypedHandlerOptions,
  type Unsubscribe,
  type WebhookContext,
} from "./handlers/types.js";
export { acceptsContentType, BODY_TOO_LARGE, readLimited } from "./http/body.js";
export {
  ERRORS,
  type ErrorBody,
  type ErrorCode,
  type OkBody,
  type ValidationIssue,
} from "./http/errors.js";
export { getHeader, type HeadersInput } from "./http/headers.js";
export type { SecretOption } from "./http/resolveSecrets.js";
export { errorResponse, type Outcome, type WebhookResponse } from "./http/response.js";
export { createSecretMatcher, createSecretVerifier } from "./http/secret.js";
export { type Logger, silentLogger } from "./logger.js";
export { NotProcessedError } from "./NotProcessedError.js";
export type { WebhooksOptions } from "./options.js";
export type { WebhookRequest, WebhookRequestHead } from "./receive.js";
export { ServiceUnavailableError } from "./ServiceUnavailableError.js";
export { eventSchemas, fineGuideEventSchema, strictEventSchemas } from "./schemas/eventSchemas.js";
export { MESSAGE_ROLES, type MessageRole, type Widened } from "./schemas/fields.js";
export type { JsonSchema } from "./schemas/jsonSchemas.js";
export { toWebhooks } from "./toWebhooks.js";
export type {
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
