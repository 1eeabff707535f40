import { ERRORS, type ErrorBody, type ErrorCode, type ValidationIssue } from "./errors.js";

/** What happened to a delivery, in one word (logged, and handy in tests). */
export type Outcome = "processed" | "duplicate" | "unknown_type" | ErrorCode;

/**
 * The answer to a delivery, framework-free: adapters copy it onto their
 * response as it is.
 */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
  readonly outcome: Outcome;
}

const JSON_HEADERS = Object.freeze({ "content-type": "application/json; charset=utf-8" });
const RETRY_AFTER_SECONDS = "60";

const success = (outcome: "processed" | "unknown_type" | "duplicate"): WebhookResponse =>
  Object.freeze({
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify(outcome === "duplicate" ? { ok: true, duplicate: true } : { ok: true }),
    outcome,
  });

/** 200 `{ ok: true }` for a processed event (shared, frozen). */
export const PROCESSED: WebhookResponse = success("processed");
/** 200 `{ ok: true }` for an event of an undocumented type (shared, frozen). */
export const UNKNOWN_TYPE_PROCESSED: WebhookResponse = success("unknown_type");
/** 200 `{ ok: true, duplicate: true }` (shared, frozen). */
export const DUPLICATE: WebhookResponse = success("duplicate");

const extraHeaders: Partial<Record<ErrorCode, Record<string, string>>> = {
  method_not_allowed: { allow: "POST" },
  in_progress: { "retry-after": RETRY_AFTER_SECONDS },
  store_unavailable: { "retry-after": RETRY_AFTER_SECONDS },
  handler_unavailable: { "retry-after": RETRY_AFTER_SECONDS },
  handler_timeout: { "retry-after": RETRY_AFTER_SECONDS },
  shutting_down: { "retry-after": RETRY_AFTER_SECONDS },
};

/**
 * The answer for an error code, with the contract's status and headers.
 *
 * @example
 * ```ts
 * errorResponse("unauthorized").status; // 401
 * ```
 */
export function errorResponse(
  code: ErrorCode,
  issues?: readonly ValidationIssue[],
): WebhookResponse {
  const { status, message } = ERRORS[code];
  const body: ErrorBody = {
    ok: false,
    error: issues ? { code, message, issues } : { code, message },
  };
  return {
    status,
    headers: { ...JSON_HEADERS, ...extraHeaders[code] },
    body: JSON.stringify(body),
    outcome: code,
  };
}
