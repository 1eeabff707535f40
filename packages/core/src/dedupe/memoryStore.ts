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

interface Entry {
  done?: { readonly fingerprint: string | undefined; readonly expiresAt: number };
  claim?: { readonly token: string; readonly fingerprint: string | undefined; expiresAt: number };
}

/**
 * The default dedupe store: in the memory of one process, on `lru-cache`.
 * Use `@fineguide-webhooks/redis` when several processes receive events.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ secret, dedupe: memoryStore({ max: 50_000 }) });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const cache = new LRUCache<string, Entry>({ max: options.max ?? 100_000 });

  const save = (key: string, entry: Entry, now: number) => {
    const until = Math.max(entry.claim?.expiresAt ?? 0, entry.done?.expiresAt ?? 0);
    if (until <= now) cache.delete(key);
    else cache.set(key, entry, { ttl: until - now });
  };

  /** The entry whose unexpired claim belongs to `token`, if any. */
  const owned = (key: string, token: string, now: number) => {
    const entry = cache.get(key);
    const claim = entry?.claim;
    return claim && claim.token === token && claim.expiresAt > now ? entry : undefined;
  };

  return {
    async claim(key: string, request: ClaimRequest): Promise<ClaimResult> {
      const now = Date.now();
      const entry = cache.get(key);
      if (entry?.claim && entry.claim.expiresAt > now) return "in_progress";
      const done = entry?.done && entry.done.expiresAt > now ? entry.done : undefined;
      if (done && (request.mode === "once" || done.fingerprint === request.fingerprint)) {
        return "duplicate";
      }
      const claim = {
        token: request.token,
        fingerprint: request.fingerprint,
        expiresAt: now + request.leaseMs,
      };
      save(key, done ? { done, claim } : { claim }, now);
      return "claimed";
    },

    async complete(key, token, { ttlMs }) {
      const now = Date.now();
      const entry = owned(key, token, now);
      if (!entry) return false;
      save(key, { done: { fingerprint: entry.claim!.fingerprint, expiresAt: now + ttlMs } }, now);
      return true;
    },

    async release(key, token) {
      const now = Date.now();
      const entry = owned(key, token, now);
      if (!entry) return false;
      save(key, entry.done ? { done: entry.done } : {}, now);
      return true;
    },

    async renew(key, token, leaseMs) {
      const now = Date.now();
      const entry = owned(key, token, now);
      if (!entry) return false;
      entry.claim!.expiresAt = now + leaseMs;
      save(key, entry, now);
      return true;
    },
  };
}
