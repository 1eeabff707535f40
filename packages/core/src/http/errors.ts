/**
 * Every error the receiver answers with: its HTTP status and the stable `code`
 * in the JSON body. The table mirrors the receiver contract, row by row.
 *
 * @example
 * ```ts
 * import { ERRORS } from "@fineguide-webhooks/core";
 * ERRORS.unauthorized.status; // 401
 * ```
 */
export const ERRORS = {
  method_not_allowed: { status: 405, message: "Only POST is accepted." },
  unauthorized: { status: 401, message: "The secret header is missing or wrong." },
  unsupported_media_type: { status: 415, message: "The body must be JSON (application/json)." },
  payload_too_large: { status: 413, message: "The body is larger than the configured limit." },
  invalid_json: { status: 400, message: "The body is not valid JSON." },
  not_an_object: { status: 400, message: "The body must be a JSON object." },
  nesting_too_deep: {
    status: 400,
    message: "The body nests objects or arrays deeper than the configured limit.",
  },
  missing_type: { status: 400, message: "The event has no string `type`." },
  invalid_payload: { status: 400, message: "The event does not match its schema." },
  in_progress: {
    status: 503,
    message: "The same event is being processed by another delivery; retry later.",
  },
  store_unavailable: {
    status: 503,
    message: "The dedupe store cannot be reached; retry later.",
  },
  handler_failed: { status: 500, message: "A handler failed; the event will be retried." },
  handler_unavailable: {
    status: 503,
    message: "A handler could not process or store the event now; retry later.",
  },
  handler_timeout: {
    status: 503,
    message: "A handler is still running past the deadline; retry later.",
  },
  shutting_down: {
    status: 503,
    message: "The receiver is shutting down; retry later.",
  },
  internal_error: { status: 500, message: "The receiver failed unexpectedly; retry later." },
} as const satisfies Record<string, { status: number; message: string }>;

/** The stable error codes, one per contract row that is not a 2xx. */
export type ErrorCode = keyof typeof ERRORS;

/** One failing path of a payload, without the value that failed. */
export interface ValidationIssue {
  /** Where in the payload, e.g. `["messageId"]`. */
  readonly path: readonly (string | number)[];
  /** What is wrong, never the value itself. */
  readonly message: string;
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly ok: false;
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly issues?: readonly ValidationIssue[];
  };
}

/** The JSON body of every 2xx answer. */
export interface OkBody {
  readonly ok: true;
  /** Present and true when the event had already been processed. */
  readonly duplicate?: true;
}
