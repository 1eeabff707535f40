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

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;
const RETRY_AFTER_SECONDS = "60";

const okBody = JSON.stringify({ ok: true });
const duplicateBody = JSON.stringify({ ok: true, duplicate: true });

/** 200 `{ ok: true }`. */
export const okResponse = (outcome: "processed" | "unknown_type"): WebhookResponse => ({
  status: 200,
  headers: JSON_HEADERS,
  body: okBody,
  outcome,
});

/** 200 `{ ok: true, duplicate: true }`. */
export const duplicateResponse = (): WebhookResponse => ({
  status: 200,
  headers: JSON_HEADERS,
  body: duplicateBody,
  outcome: "duplicate",
});

const extraHeaders: Partial<Record<ErrorCode, Record<string, string>>> = {
  method_not_allowed: { allow: "POST" },
  in_progress: { "retry-after": RETRY_AFTER_SECONDS },
  store_unavailable: { "retry-after": RETRY_AFTER_SECONDS },
  handler_timeout: { "retry-after": RETRY_AFTER_SECONDS },
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
