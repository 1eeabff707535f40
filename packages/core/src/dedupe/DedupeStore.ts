/**
 * How a key counts deliveries as duplicates:
 * - `once`: any delivery of a key seen before is a duplicate;
 * - `latest`: a duplicate only when its fingerprint equals the last one
 *   processed for the key (a rating changed 1, -1, 1 runs three times).
 */
export type DedupeMode = "once" | "latest";

/** A value, or a promise (any thenable) of it. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Arguments of {@link DedupeStore.claim}. */
export interface ClaimRequest {
  /** Owner token: only this owner may later complete, release or renew. */
  readonly token: string;
  /** How long the claim holds without a renewal, in milliseconds. */
  readonly leaseMs: number;
  readonly mode: DedupeMode;
  /** In `latest` mode, the fingerprint of this delivery. */
  readonly fingerprint?: string | undefined;
}

/**
 * The answer to a claim:
 * - `claimed`: the caller owns the key and must complete or release it;
 * - `duplicate`: already processed;
 * - `in_progress`: another owner holds an unexpired claim.
 */
export type ClaimResult = "claimed" | "duplicate" | "in_progress";

/**
 * Where claims and completed deliveries are remembered. Per key the states are
 * absent -> in progress (owner token, lease) -> done (TTL). Implementations
 * must make `claim` atomic: of any number of concurrent claims on an absent
 * key exactly one gets `claimed`. Only the owner of an unexpired claim can
 * complete, release or renew it; the others get `false` and change nothing.
 * An operation that cannot reach the store rejects or throws (the receiver
 * answers 503). A store that needs no I/O may answer synchronously (the memory
 * store does, sparing the receiver promise hops); callers `await` either way.
 *
 * @example
 * ```ts
 * const store: DedupeStore = memoryStore();
 * if ((await store.claim(key, { token, leaseMs: 45_000, mode: "once" })) === "claimed") {
 *   await work();
 *   await store.complete(key, token, { ttlMs: 30 * 60_000 });
 * }
 * ```
 */
export interface DedupeStore {
  claim(key: string, request: ClaimRequest): MaybePromise<ClaimResult>;
  /** Marks the key done for `ttlMs`; in `latest` mode remembers the claim's fingerprint. */
  complete(key: string, token: string, options: { readonly ttlMs: number }): MaybePromise<boolean>;
  /** Gives the claim up: the key returns to what it was before the claim. */
  release(key: string, token: string): MaybePromise<boolean>;
  /** Extends the owner's lease to `leaseMs` from now. */
  renew(key: string, token: string, leaseMs: number): MaybePromise<boolean>;
}
