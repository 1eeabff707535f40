import type {
  ClaimRequest,
  ClaimResult,
  DedupeStore,
  VersionedClaim,
} from "@fineguide-webhooks/core";
import { createDeadlines } from "./createDeadlines.js";
import { type IORedisLike, ioredisRunner, isIORedis } from "./ioredisRunner.js";
import { isNodeRedis, type NodeRedisLike, nodeRedisRunner } from "./nodeRedisRunner.js";
import type { ScriptRunner } from "./ScriptRunner.js";
import { type DedupeScript, SCRIPTS } from "./scripts.js";

/**
 * What `redisStore` accepts as `client`: an `ioredis` `Redis` or `Cluster`, or
 * a `redis` (node-redis 4 to 6) client or cluster, matched by shape.
 *
 * @example
 * ```ts
 * import { Cluster } from "ioredis";
 * const client: RedisClientLike = new Cluster([{ host: "redis-1", port: 6379 }]);
 * ```
 */
export type RedisClientLike = IORedisLike | NodeRedisLike;

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { client, prefix: "shop-a:dedupe:", timeoutMs: 500 };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * A client configured to fail fast when Redis is away (see the README):
   * ioredis `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`,
   * `autoResendUnfulfilledCommands: false`, `commandTimeout`; node-redis
   * `disableOfflineQueue: true`, `commandOptions: { timeout }`. The store
   * never connects, closes or reconfigures it.
   */
  readonly client: RedisClientLike;
  /** Put before every dedupe key. Default `"fineguide-webhooks:dedupe:"`. */
  readonly prefix?: string;
  /**
   * Longest wait for one operation, in milliseconds; past it the operation
   * rejects with `RedisStoreTimeoutError` and the receiver answers 503.
   * Default 1000.
   */
  readonly timeoutMs?: number;
}

const CLAIM_RESULTS: ReadonlySet<string> = new Set<Exclude<ClaimResult, VersionedClaim>>([
  "claimed",
  "reclaimed",
  "duplicate",
  "in_progress",
]);
/** A result with its version (latest mode, from the second version, when asked for). */
const VERSIONED = /^(claimed|reclaimed|duplicate) ([1-9][0-9]{0,14})$/;

const duration = (name: string, value: number): string => {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`fineguide-webhooks/redis: \`${name}\` must be a finite number of ms`);
  }
  return String(Math.ceil(value));
};

const unexpected = (operation: string, reply: unknown) =>
  new Error(`fineguide-webhooks/redis: unexpected reply to ${operation}: ${String(reply)}`);

const toBoolean =
  (operation: string) =>
  (reply: unknown): boolean => {
    if (reply === 1 || reply === 0) return reply === 1;
    const n = Number(reply);
    if (n !== 0 && n !== 1) throw unexpected(operation, reply);
    return n === 1;
  };

const toCompleted = toBoolean("complete");
const toReleased = toBoolean("release");
const toRenewed = toBoolean("renew");

const claimArgs = (request: ClaimRequest): string[] => {
  const fp = request.fingerprint;
  const args = [
    request.token,
    duration("leaseMs", request.leaseMs),
    request.mode,
    fp === undefined ? "0" : "1",
    fp ?? "",
  ];
  const window = request.retryWindowMs;
  const versions = request.versions === true;
  // Sent only when asked for: a claim without them is the same call as before.
  if (window !== undefined || versions) {
    args.push(
      window === undefined || window <= 0 ? "0" : duration("retryWindowMs", window),
      versions ? "1" : "0",
    );
  }
  return args;
};

const toClaimResult = (reply: unknown): ClaimResult => {
  const result = typeof reply === "string" ? reply : String(reply);
  if (CLAIM_RESULTS.has(result)) return result as ClaimResult;
  const versioned = VERSIONED.exec(result);
  if (!versioned) throw unexpected("claim", reply);
  return {
    result: versioned[1] as VersionedClaim["result"],
    version: Number(versioned[2]),
  };
};

function runnerFor(client: RedisClientLike): ScriptRunner {
  if (typeof client === "object" && client !== null) {
    if (isIORedis(client)) return ioredisRunner(client);
    if (isNodeRedis(client)) return nodeRedisRunner(client);
  }
  throw new TypeError(
    "fineguide-webhooks/redis: `client` must be an ioredis Redis/Cluster or a node-redis client/cluster.",
  );
}

/**
 * A dedupe store in Redis, shared by every receiver that uses the same server:
 * a retry that lands on another instance is still a duplicate. Each operation
 * is one Lua script on one key (one round trip, Redis Cluster safe), timed by
 * the Redis server's clock. When Redis cannot answer within `timeoutMs`, the
 * operation rejects and the receiver answers 503 without running handlers
 * (or runs them, when `createWebhooks` has `onStoreError: "open"`).
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 * import { redisStore } from "@fineguide-webhooks/redis";
 * import { Redis } from "ioredis";
 *
 * const client = new Redis(process.env.REDIS_URL!, {
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 0,
 *   autoResendUnfulfilledCommands: false,
 *   commandTimeout: 1000,
 * });
 * const webhooks = createWebhooks({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   dedupe: redisStore({ client }),
 * });
 * ```
 */
export function redisStore(options: RedisStoreOptions): DedupeStore {
  const runner = runnerFor(options.client);
  const prefix = options.prefix ?? "fineguide-webhooks:dedupe:";
  if (typeof prefix !== "string") {
    throw new TypeError("fineguide-webhooks/redis: `prefix` must be a string.");
  }
  const timeoutMs = options.timeoutMs ?? 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError("fineguide-webhooks/redis: `timeoutMs` must be a positive number.");
  }

  const guard = createDeadlines(timeoutMs);
  /** One script on one key, bounded by `timeoutMs`; a bad argument rejects. */
  function run<T>(
    script: DedupeScript,
    key: string,
    args: () => string[],
    parse: (reply: unknown) => T,
  ): Promise<T> {
    let promise: Promise<unknown>;
    try {
      promise = runner.run(script, prefix + key, args());
    } catch (error) {
      return Promise.reject(error);
    }
    return guard(script.name, promise, parse);
  }

  return {
    claim: (key: string, request: ClaimRequest): Promise<ClaimResult> =>
      run(SCRIPTS.claim, key, () => claimArgs(request), toClaimResult),
    complete: (key, token, { ttlMs }) =>
      run(SCRIPTS.complete, key, () => [token, duration("ttlMs", ttlMs)], toCompleted),
    release: (key, token) => run(SCRIPTS.release, key, () => [token], toReleased),
    renew: (key, token, leaseMs) =>
      run(SCRIPTS.renew, key, () => [token, duration("leaseMs", leaseMs)], toRenewed),
  };
}
