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
  /**
   * Set by callers that understand `reclaimed` (core's receiver sets it to
   * its `dedupeTtlMs`). A store that can then remembers a released claim,
   * and one whose lease lapsed, for this long after it ended, and answers
   * `reclaimed` to a claim of the same version within it. Without it, or in
   * a store that cannot tell, such a claim is answered `claimed`.
   */
  readonly retryWindowMs?: number | undefined;
  /**
   * Set by callers that understand {@link VersionedClaim} answers (core's
   * receiver does). In `latest` mode, a store that counts versions then
   * answers a claim or a duplicate of a version after the first with a
   * {@link VersionedClaim}; the first version (0) keeps the plain answer.
   */
  readonly versions?: boolean | undefined;
}

/**
 * The answer to a claim:
 * - `claimed`: the caller owns the key and must complete or release it;
 * - `reclaimed`: as `claimed`, and an earlier claim of this key (and, in
 *   `latest` mode, of this fingerprint) was released or its lease lapsed
 *   within {@link ClaimRequest.retryWindowMs}: this delivery is a retry of
 *   an event that did not complete; only when the request has `retryWindowMs`;
 * - `duplicate`: already processed;
 * - `in_progress`: another owner holds an unexpired claim;
 * - a {@link VersionedClaim}: one of the first three with the version
 *   number, only when the request has `versions: true`.
 *
 * A store that answers only `claimed`, `duplicate` and `in_progress` is
 * complete: the receiver then reports no retries and no versions.
 */
export type ClaimResult = "claimed" | "reclaimed" | "duplicate" | "in_progress" | VersionedClaim;

/**
 * A `latest`-mode answer that says which version of the key this is: how
 * many earlier versions the store remembers having processed in a row (each
 * completed while the one before was still remembered). Core puts it into
 * `ctx.eventId`, so a rating up, down and up again gets three ids, while a
 * retry of one version, claimed over the same remembered state, gets the
 * same number again.
 *
 * @example
 * ```ts
 * // A rating changed up, then down: the store remembers "up" as version 0.
 * store.claim(key, { token, leaseMs, mode: "latest", fingerprint: down, versions: true });
 * // -> { result: "claimed", version: 1 }
 * ```
 */
export interface VersionedClaim {
  readonly result: "claimed" | "reclaimed" | "duplicate";
  /**
   * A whole number: 1 or more from the second version on. The first version
   * is answered as a plain string; `{ result, version: 0 }` is read the same.
   */
  readonly version: number;
}

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
  /**
   * Marks the key done for `ttlMs`; in `latest` mode remembers the claim's
   * fingerprint (and, in a store that counts them, its version). A store
   * that finds the handlers' work did not take hold (a transactional store
   * whose writes rolled back) throws a `NotProcessedError`: the receiver then
   * releases the claim, as for a failed handler, and answers 500, not 200.
   */
  complete(key: string, token: string, options: { readonly ttlMs: number }): MaybePromise<boolean>;
  /**
   * Gives the claim up: the key answers claims as it did before this claim
   * (a store honouring `retryWindowMs` remembers that it was released).
   */
  release(key: string, token: string): MaybePromise<boolean>;
  /** Extends the owner's lease to `leaseMs` from now. */
  renew(key: string, token: string, leaseMs: number): MaybePromise<boolean>;
}
