import { LRUCache } from "lru-cache";
import type { ClaimRequest, ClaimResult, DedupeStore, VersionedClaim } from "./DedupeStore.js";

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * // Events received within the dedupe TTL (30 min) at 100 events/s: 180 000 keys.
 * memoryStore({ max: 200_000 });
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * How many keys are remembered at most; the least recently used are
   * forgotten first. Default 100 000: about 17 MB with flat 81-character
   * keys (`npm run bench:memory`), about 30 MB with the default keys, which
   * keep the event's strings they were built from.
   */
  readonly max?: number;
}

/**
 * What {@link MemoryStore.stats} returns: counters kept as the store works,
 * so reading them costs nothing and scans nothing.
 *
 * @example
 * ```ts
 * const { size, max, evictedUnexpired } = store.stats();
 * if (evictedUnexpired > 0) logger.warn({ size, max }, "raise memoryStore max");
 * ```
 */
export interface MemoryStoreStats {
  /** Keys remembered now, as {@link MemoryStore.size}. */
  readonly size: number;
  /** The bound: `size` never exceeds it. */
  readonly max: number;
  /** Keys forgotten to make room for others since the store was created. */
  readonly evicted: number;
  /**
   * Of the `evicted` keys, those still done within their TTL or claimed
   * within their lease when forgotten: a retry of any of them runs again.
   * Above 0, `max` is too small for the keys received within the TTL.
   */
  readonly evictedUnexpired: number;
}

/**
 * The store {@link memoryStore} returns: a {@link DedupeStore} that answers
 * synchronously, with its size and counters.
 *
 * @example
 * ```ts
 * const store: MemoryStore = memoryStore({ max: 50_000 });
 * const webhooks = createWebhooks({ secret, dedupe: store });
 * setInterval(() => logger.info(store.stats(), "dedupe store"), 60_000).unref();
 * ```
 */
export interface MemoryStore extends DedupeStore {
  /**
   * How many keys are remembered now, at most `max`. Expired keys count
   * until they are claimed again or evicted (expiry is checked when a key is
   * read, not by a timer); a released claim on a new key leaves none,
   * unless it was made with `retryWindowMs` (as the receiver's are): then it
   * stays as the marker that answers the retry `reclaimed`.
   */
  readonly size: number;
  /** Counters of the store's bound, read in O(1). */
  stats(): MemoryStoreStats;
  /** As {@link DedupeStore.claim}, answered synchronously. */
  claim(key: string, request: ClaimRequest): ClaimResult;
  /** As {@link DedupeStore.complete}, answered synchronously. */
  complete(key: string, token: string, options: { readonly ttlMs: number }): boolean;
  /**
   * As {@link DedupeStore.release}, answered synchronously; a key that was
   * absent is removed, unless the claim had a `retryWindowMs` (then it stays
   * as a marker that answers the same version's next claim `reclaimed`).
   */
  release(key: string, token: string): boolean;
  /** As {@link DedupeStore.renew}, answered synchronously. */
  renew(key: string, token: string, leaseMs: number): boolean;
}

// A key's state is one value of the LRU, as small as the state allows. Times are
// milliseconds from `zero` (below), which keeps them small integers that V8 stores
// without allocating a number, for 37 days from the store's creation (25 where V8
// compresses pointers); later times take 16 bytes more each and work the same.

/** Done, with a fingerprint (latest mode): the one processed, version 0. */
class Done {
  constructor(
    readonly fingerprint: string,
    readonly until: number,
  ) {}
}

/** Done, a later version of a `latest` key (the version costs a field only from the second). */
class VersionedDone extends Done {
  constructor(
    fingerprint: string,
    until: number,
    readonly version: number,
  ) {
    super(fingerprint, until);
  }
}

/**
 * Claimed by `token` until `leaseUntil`; `previous` is the state a release or
 * expiry restores. A claim made with a `retryWindowMs` (`window` > 0) stays
 * when released, its lease ended there, as the marker of a retry to come.
 */
class Claim {
  constructor(
    readonly token: string,
    public leaseUntil: number,
    readonly fingerprint: string | undefined,
    readonly previous: DoneState | undefined,
    readonly window: number,
  ) {}
}

/** Done: until when (a number alone when there is no fingerprint), or a {@link Done}. */
type DoneState = number | Done;
type State = DoneState | Claim;

const doneUntil = (state: DoneState) => (typeof state === "number" ? state : state.until);
const versionOf = (state: DoneState) => (state instanceof VersionedDone ? state.version : 0);
/** The version a claim over `previous` makes: 0 over nothing, one more than the done one. */
const nextVersion = (previous: DoneState | undefined) =>
  previous === undefined ? 0 : versionOf(previous) + 1;

/** A result, with its version when asked for and past the first. */
const answer = (
  result: VersionedClaim["result"],
  version: number,
  request: ClaimRequest,
): ClaimResult =>
  version > 0 && request.versions === true && request.mode === "latest"
    ? { result, version }
    : result;

/** Whether a key in `state` would still answer a claim `in_progress` or `duplicate` at `now`. */
const unexpired = (state: State, now: number): boolean =>
  state instanceof Claim
    ? state.leaseUntil > now || (state.previous !== undefined && doneUntil(state.previous) > now)
    : doneUntil(state) > now;

/**
 * The default dedupe store: in the memory of one process, on `lru-cache`.
 * It answers synchronously (no I/O), which `DedupeStore` allows.
 * Expiry is checked on every read (`Date.now()`), and `lru-cache` bounds the
 * number of keys: claiming and completing a key make it the most recently
 * used. Use `@fineguide-webhooks/redis` when several processes receive events.
 *
 * @example
 * ```ts
 * const store = memoryStore({ max: 50_000 });
 * const webhooks = createWebhooks({ secret, dedupe: store });
 * store.stats(); // { size: 0, max: 50000, evicted: 0, evictedUnexpired: 0 }
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const max = options.max ?? 100_000;
  // 2^30 ms (12.4 days) ahead: times start at -2^30, the smallest Smi of any V8 build.
  const zero = Date.now() + 2 ** 30;
  const clock = () => Date.now() - zero;
  let evicted = 0;
  let evictedUnexpired = 0;

  const cache = new LRUCache<string, State>({
    max,
    // Called on eviction and delete only (not when a key's state is replaced).
    noDisposeOnSet: true,
    dispose(state, _key, reason) {
      if (reason !== "evict") return;
      evicted++;
      if (unexpired(state, clock())) evictedUnexpired++;
    },
  });

  // The claim the last `claim()` call made, while no call since has changed the cache:
  // completing it (a synchronous handler's path) needs no second lookup of its key.
  let lastKey: string | undefined;
  let lastClaim: Claim | undefined;

  /** The unexpired claim of `token` on the key, if any (`peek`: no recency bump). */
  const owned = (key: string, token: string, now: number) => {
    const state = key === lastKey ? lastClaim : cache.peek(key);
    lastKey = undefined;
    lastClaim = undefined;
    return state instanceof Claim && state.token === token && state.leaseUntil > now
      ? state
      : undefined;
  };

  return {
    get size() {
      return cache.size;
    },

    stats: () => ({ size: cache.size, max, evicted, evictedUnexpired }),

    claim(key, request) {
      const now = clock();
      let done = cache.get(key);
      let retried = false;
      if (done instanceof Claim) {
        if (done.leaseUntil > now) return "in_progress";
        // Released or lapsed: a retry if it was this version, within its window.
        retried =
          done.window > 0 &&
          now < done.leaseUntil + done.window &&
          (request.mode === "once" || done.fingerprint === request.fingerprint);
        done = done.previous; // an expired claim: as if released
      }
      if (done !== undefined) {
        if (doneUntil(done) <= now) done = undefined;
        else if (
          request.mode === "once" ||
          (typeof done === "number" ? undefined : done.fingerprint) === request.fingerprint
        ) {
          return answer("duplicate", versionOf(done), request);
        }
      }
      const window = request.retryWindowMs;
      const claim = new Claim(
        request.token,
        now + request.leaseMs,
        request.fingerprint,
        done,
        window !== undefined && window > 0 ? window : 0,
      );
      cache.set(key, claim);
      lastKey = key;
      lastClaim = claim;
      return answer(
        retried && window !== undefined && window > 0 ? "reclaimed" : "claimed",
        nextVersion(done),
        request,
      );
    },

    complete(key, token, { ttlMs }) {
      const now = clock();
      const claim = owned(key, token, now);
      if (!claim) return false;
      const until = now + ttlMs;
      const version = nextVersion(claim.previous);
      cache.set(
        key,
        claim.fingerprint === undefined
          ? until
          : version === 0
            ? new Done(claim.fingerprint, until)
            : new VersionedDone(claim.fingerprint, until, version),
      );
      return true;
    },

    release(key, token) {
      const now = clock();
      const claim = owned(key, token, now);
      if (!claim) return false;
      if (claim.window > 0) {
        // Ended here, kept as a retry's marker; claims read it as the state before it.
        claim.leaseUntil = now;
        return true;
      }
      // Back to what the key was before the claim: absent, or done with its fingerprint.
      if (claim.previous === undefined) cache.delete(key);
      else cache.set(key, claim.previous);
      return true;
    },

    renew(key, token, leaseMs) {
      const now = clock();
      const claim = owned(key, token, now);
      if (!claim) return false;
      claim.leaseUntil = now + leaseMs;
      return true;
    },
  };
}
