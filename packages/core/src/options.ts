import type { DedupeStore } from "./dedupe/DedupeStore.js";
import type { KeyFunctions } from "./dedupe/defaultKeys.js";
import { defaultKeys } from "./dedupe/defaultKeys.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { HandlerOptions } from "./handlers/types.js";
import { createSecretVerifier } from "./http/secret.js";
import { type Logger, silentLogger } from "./logger.js";

/** Options of `createWebhooks`. Durations are in milliseconds. */
export interface WebhooksOptions extends HandlerOptions {
  /**
   * The value FineGuide sends in the secret header. Several values are all
   * accepted (rotation). Required unless `allowUnauthenticated` is true.
   */
  readonly secret?: string | readonly string[] | undefined;
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
  /** A claim's lease, renewed while handlers run. Default 45 s (over the vendor's 30 s timeout, under its 60 s first retry). */
  readonly leaseMs?: number;
  /** When to stop waiting for handlers and answer 503. Default 25 s (under the vendor's 30 s). */
  readonly deadlineMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  readonly maxBodyBytes?: number;
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
  readonly verify: ((value: string | undefined) => boolean) | undefined;
  readonly header: string;
  readonly store: DedupeStore | undefined;
  readonly keys: Required<KeyFunctions>;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly deadlineMs: number;
  readonly maxBodyBytes: number;
  readonly strict: boolean;
  readonly failOpen: boolean;
  readonly logger: Logger;
  /** Whether debug lines are wanted (spares building them for a silent logger). */
  readonly debug: boolean;
}

const MINUTE = 60_000;
const MIN_TTL = 25 * MINUTE;

const positive = (name: string, value: number | undefined, fallback: number) => {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0) {
    throw new RangeError(`createWebhooks: \`${name}\` must be a positive number of milliseconds.`);
  }
  return resolved;
};

/** Checks options and fills in defaults; throws a clear error on a misconfiguration. */
export function resolveOptions(options: WebhooksOptions): ResolvedOptions {
  const secrets = options.secret === undefined ? [] : [options.secret].flat();
  if (secrets.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new TypeError("createWebhooks: every `secret` must be a non-empty string.");
  }
  if (secrets.length === 0 && options.allowUnauthenticated !== true) {
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
  return {
    verify: secrets.length > 0 ? createSecretVerifier(secrets) : undefined,
    header,
    store: options.dedupe === false ? undefined : (options.dedupe ?? memoryStore()),
    keys: { ...defaultKeys, ...options.dedupeKeys } as Required<KeyFunctions>,
    ttlMs,
    leaseMs: positive("leaseMs", options.leaseMs, 45_000),
    deadlineMs: positive("deadlineMs", options.deadlineMs, 25_000),
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes, 1024 * 1024),
    strict: options.strict === true,
    failOpen: options.onStoreError === "open",
    logger: options.logger ?? silentLogger,
    debug: options.logger !== undefined && isDebugEnabled(options.logger),
  };
}

/** pino-style loggers say whether debug is on; others are asked to log it. */
function isDebugEnabled(logger: Logger): boolean {
  const check = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof check === "function" ? check.call(logger, "debug") : true;
}
