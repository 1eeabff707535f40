import type { DedupeStore, MaybePromise } from "@fineguide-webhooks/core";

/** How a `complete` ended: done, refused (the claim was no longer the caller's), or failed. */
export type CompleteOutcome = "ok" | "lapsed" | "error";

const isThenable = <T>(value: MaybePromise<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | null)?.then === "function";

/**
 * `store`, unchanged, except that every `complete` reports how it ended with
 * its owner token (core uses the delivery id): `lapsed` when the store refused
 * it because the claim had lapsed (the run, or a stall, outlasted the lease),
 * `error` when the store could not be reached. Synchronous answers stay
 * synchronous.
 *
 * @example
 * ```ts
 * const dedupe = trackCompletes(memoryStore(), (token, outcome) => log(token, outcome));
 * ```
 */
export function trackCompletes(
  store: DedupeStore,
  report: (token: string, outcome: CompleteOutcome) => void,
): DedupeStore {
  return {
    claim: (key, request) => store.claim(key, request),
    release: (key, token) => store.release(key, token),
    renew: (key, token, leaseMs) => store.renew(key, token, leaseMs),
    complete(key, token, options) {
      let result: MaybePromise<boolean>;
      try {
        result = store.complete(key, token, options);
      } catch (error) {
        report(token, "error");
        throw error;
      }
      if (!isThenable(result)) {
        report(token, result ? "ok" : "lapsed");
        return result;
      }
      return Promise.resolve(result).then(
        (done) => {
          report(token, done ? "ok" : "lapsed");
          return done;
        },
        (error: unknown) => {
          report(token, "error");
          throw error;
        },
      );
    },
  };
}
