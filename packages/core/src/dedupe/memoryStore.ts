import { LRUCache } from "lru-cache";
import type { ClaimRequest, ClaimResult, DedupeStore } from "./DedupeStore.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many keys are remembered at most; the least recently used are
   * forgotten first. Default 100 000 (a few tens of MB).
   */
  readonly max?: number;
}

/** A key's state: done (with the fingerprint processed) and/or claimed by an owner. */
interface Entry {
  doneFingerprint: string | undefined;
  doneUntil: number;
  token: string | undefined;
  claimFingerprint: string | undefined;
  leaseUntil: number;
}

/**
 * The default dedupe store: in the memory of one process, on `lru-cache`.
 * It answers synchronously (no I/O), which `DedupeStore` allows.
 * Expiry is checked on every read (`Date.now()`), and `lru-cache` bounds the
 * number of keys. Use `@fineguide-webhooks/redis` when several processes
 * receive events.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ secret, dedupe: memoryStore({ max: 50_000 }) });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const cache = new LRUCache<string, Entry>({ max: options.max ?? 100_000 });

  /** The entry whose unexpired claim belongs to `token`, if any (`peek`: no recency bump). */
  const owned = (key: string, token: string, now: number) => {
    const entry = cache.peek(key);
    return entry && entry.token === token && entry.leaseUntil > now ? entry : undefined;
  };

  return {
    claim(key: string, request: ClaimRequest): ClaimResult {
      const now = Date.now();
      let entry = cache.get(key);
      if (entry) {
        if (entry.token !== undefined && entry.leaseUntil > now) return "in_progress";
        if (
          entry.doneUntil > now &&
          (request.mode === "once" || entry.doneFingerprint === request.fingerprint)
        ) {
          return "duplicate";
        }
      } else {
        entry = {
          doneFingerprint: undefined,
          doneUntil: 0,
          token: undefined,
          claimFingerprint: undefined,
          leaseUntil: 0,
        };
        cache.set(key, entry);
      }
      entry.token = request.token;
      entry.claimFingerprint = request.fingerprint;
      entry.leaseUntil = now + request.leaseMs;
      return "claimed";
    },

    complete(key, token, { ttlMs }) {
      const now = Date.now();
      const entry = owned(key, token, now);
      if (!entry) return false;
      entry.doneFingerprint = entry.claimFingerprint;
      entry.doneUntil = now + ttlMs;
      entry.token = undefined;
      return true;
    },

    release(key, token) {
      const entry = owned(key, token, Date.now());
      if (!entry) return false;
      // Back to what the key was before the claim: absent, or done with its fingerprint.
      entry.token = undefined;
      return true;
    },

    renew(key, token, leaseMs) {
      const now = Date.now();
      const entry = owned(key, token, now);
      if (!entry) return false;
      entry.leaseUntil = now + leaseMs;
      return true;
    },
  };
}
