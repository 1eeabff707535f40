import { RedisStoreTimeoutError } from "./RedisStoreTimeoutError.js";

interface Pending {
  readonly deadline: number;
  readonly operation: string;
  readonly reject: (error: unknown) => void;
  prev: Pending | undefined;
  next: Pending | undefined;
  settled: boolean;
}

/**
 * Bounds every operation by `timeoutMs` with one timer for all of them: a
 * timer per operation would cost more than the rest of the store's work on a
 * round trip. All operations share the same timeout, so a FIFO list is in
 * deadline order: an operation unlinks itself when it settles, and a sweep
 * rejects expired ones from the head and stops at the first still in time.
 */
export function createDeadlines(timeoutMs: number) {
  let head: Pending | undefined;
  let tail: Pending | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const unlink = (p: Pending) => {
    p.settled = true;
    if (p.prev) p.prev.next = p.next;
    else head = p.next;
    if (p.next) p.next.prev = p.prev;
    else tail = p.prev;
    p.prev = p.next = undefined;
  };

  const arm = (now: number) => {
    timer = undefined;
    if (head === undefined) return;
    timer = setTimeout(sweep, Math.max(1, head.deadline - now));
    timer.unref?.();
  };

  const sweep = () => {
    const now = Date.now();
    while (head !== undefined && head.deadline <= now) {
      const p = head;
      unlink(p);
      p.reject(new RedisStoreTimeoutError(p.operation, timeoutMs));
    }
    arm(now);
  };

  /**
   * Settles with `parse` of what `promise` resolves to, with its rejection, or
   * with a RedisStoreTimeoutError after `timeoutMs`, whichever comes first.
   * A throw from `parse` rejects.
   */
  return function guard<R, T>(
    operation: string,
    promise: Promise<R>,
    parse: (reply: R) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = Date.now();
      const p: Pending = {
        deadline: now + timeoutMs,
        operation,
        reject,
        prev: tail,
        next: undefined,
        settled: false,
      };
      if (tail) tail.next = p;
      else head = p;
      tail = p;
      if (timer === undefined) arm(now);
      promise.then(
        (reply) => {
          if (p.settled) return;
          unlink(p);
          try {
            resolve(parse(reply));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          if (p.settled) return;
          unlink(p);
          reject(error);
        },
      );
    });
  };
}
