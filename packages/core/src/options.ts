import type { DedupeStore } from "./dedupe/DedupeStore.js";
import type { KeyFunctions } from "./dedupe/defaultKeys.js";
import { defaultKeys } from "./dedupe/defaultKeys.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { HandlerOptions, WebhookContext } from "./handlers/types.js";
import { type ResolvedSecrets, resolveSecrets, type SecretOption } from "./http/resolveSecrets.js";
import { type Logger, safeLogger, silentLogger } from "./logger.js";

/** Options of `createWebhooks`. Durations are in milliseconds. */
export interface WebhooksOptions<Ctx = WebhookContext> extends HandlerOptions<Ctx> {
  /**
   * The value FineGuide sends in the secret header. Several values are all
   * accepted (rotation). With one route serving several assistants, give each
   * bot its own: `{ [botId]: value or values }`; an event whose `botId` does
   * not own the secret that matched is then answered 401, and `ctx.verifiedBotId`
   * names the bot. Required unless `allowUnauthenticated` is true.
   */
  readonly secret?: SecretOption | undefined;
  /** Accept deliveries without any secret check. Only for local experiments. */
  readonly allowUnauthenticated?: boolean;
  /** The secret header's name, case-insensitive. Default `x-webhook-secret`. */
  readonly header?: string;
  /** Where claims are remembered: default `memoryStore()`; `false` turns dedupe off. */
  readonly dedupe?: DedupeStore | false;
  /** Override the dedupe key of some event types (see `defaultKeys`). */
  readonly dedupeKeys?: KeyFunctions;
  /** How long a processed event is remembered. Default 30 min; at least 25 min (the retry window). */
  readonly dedupeTtlMs?: number;
  /**
   * A claim's lease, renewed while handlers run and no longer once the
   * deadline passed. Default 45 s: longer than the deadline, and under the
   * vendor's 60 s first retry, so a claim left by a crash or a handler that
   * never settles has lapsed when the retry comes. Must be longer than
   * `deadlineMs` and under 60 s.
   */
  readonly leaseMs?: number;
  /**
   * When to stop waiting and answer 503, counted from the delivery's arrival.
   * Default 25 s; must be under the vendor's 30 s timeout.
   */
  readonly deadlineMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * How deeply objects and arrays may nest in a body; deeper is answered 400
   * `nesting_too_deep`. Default 64, at most 1000.
   */
  readonly maxDepth?: number;
  /** Reject unknown fields, undocumented values and malformed emails/URLs with 400. */
  readonly strict?: boolean;
  /**
   * When the dedupe store cannot be reached: `"closed"` (default) answers 503
   * and runs nothing, so the vendor retries; `"open"` runs handlers without
   * deduplication and logs a warning for every such event.
   */
  readonly onStoreError?: "closed" | "open";
  /** Sees what happens (pino-compatible). Never sees the secret. */
  readonly logger?: Logger;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  readonly secrets: ResolvedSecrets | undefined;
  readonly header: string;
  readonly store: DedupeStore | undefined;
  readonly keys: Required<KeyFunctions>;
  readonly ttlMs: number;
  /** What every `complete` call passes: one frozen object, not one per delivery. */
  readonly completeOptions: { readonly ttlMs: number };
  readonly leaseMs: number;
  readonly deadlineMs: number;
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
  readonly strict: boolean;
  readonly failOpen: boolean;
  readonly logger: Logger;
  /** Whether debug lines are wanted (spares building them for a silent logger). */
  readonly debug: boolean;
}

const MINUTE = 60_000;
const MIN_TTL = 25 * MINUTE;
/** The vendor counts an attempt failed without a 2xx within 30 s. */
const VENDOR_TIMEOUT_MS = 30_000;
/** The vendor's first retry comes a minute after a failed attempt. */
const VENDOR_FIRST_RETRY_MS = 60_000;
const MAX_DEPTH_LIMIT = 1000;

const positive = (name: string, value: number | undefined, fallback: number) => {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0) {
    throw new RangeError(`createWebhooks: \`${name}\` must be a positive number of milliseconds.`);
  }
  return resolved;
};

/** Checks options and fills in defaults; throws a clear error on a misconfiguration. */
export function resolveOptions<Ctx>(options: WebhooksOptions<Ctx>): ResolvedOptions {
  const secrets = resolveSecrets(options.secret);
  if (secrets === undefined && options.allowUnauthenticated !== true) {
    throw new TypeError(
      "createWebhooks: `secret` is missing or empty. Pass the value of the header you set in FineGuide " +
        "(e.g. process.env.FINEGUIDE_WEBHOOK_SECRET), or `allowUnauthenticated: true` to accept any request.",
    );
  }
  const ttlMs = positive("dedupeTtlMs", options.dedupeTtlMs, 30 * MINUTE);
  if (ttlMs < MIN_TTL) {
    throw new RangeError(
      "createWebhooks: `dedupeTtlMs` must be at least 25 minutes, the vendor's retry window.",
    );
  }
  const header = (options.header ?? "x-webhook-secret").toLowerCase();
  if (header.length === 0) throw new TypeError("createWebhooks: `header` must not be empty.");
  const deadlineMs = positive("deadlineMs", options.deadlineMs, 25_000);
  if (deadlineMs >= VENDOR_TIMEOUT_MS) {
    throw new RangeError(
      "createWebhooks: `deadlineMs` must be under 30 seconds: the vendor stops waiting for an " +
        "answer after 30 s, so a later answer is lost and the attempt counts as failed.",
    );
  }
  const leaseMs = positive("leaseMs", options.leaseMs, 45_000);
  if (leaseMs >= VENDOR_FIRST_RETRY_MS) {
    throw new RangeError(
      "createWebhooks: `leaseMs` must be under 60 seconds: the vendor retries a minute after a " +
        "failed attempt, and a claim left by a crashed or hung run must have lapsed by then.",
    );
  }
  if (leaseMs <= deadlineMs) {
    throw new RangeError(
      "createWebhooks: `leaseMs` must be longer than `deadlineMs`, so a claim cannot lapse " +
        "while its handlers are still allowed to run.",
    );
  }
  const maxDepth = positive("maxDepth", options.maxDepth, 64);
  if (!Number.isInteger(maxDepth) || maxDepth > MAX_DEPTH_LIMIT) {
    throw new RangeError(
      `createWebhooks: \`maxDepth\` must be a whole number from 1 to ${MAX_DEPTH_LIMIT}.`,
    );
  }
  return {
    secrets,
    header,
    store: options.dedupe === false ? undefined : (options.dedupe ?? memoryStore()),
    keys: { ...defaultKeys, ...options.dedupeKeys } as Required<KeyFunctions>,
    ttlMs,
    completeOptions: Object.freeze({ ttlMs }),
    leaseMs,
    deadlineMs,
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes, 1024 * 1024),
    maxDepth,
    strict: options.strict === true,
    failOpen: options.onStoreError === "open",
    logger: options.logger ? safeLogger(options.logger) : silentLogger,
    debug: options.logger !== undefined && isDebugEnabled(options.logger),
  };
}

/** pino-style loggers say whether debug is on; others are asked to log it. */
function isDebugEnabled(logger: Logger): boolean {
  const check = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof check === "function" ? check.call(logger, "debug") : true;
}
