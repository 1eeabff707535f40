/** How many passes are remembered: more than the requests a server reads bodies for at once. */
const SLOTS = 32;

/**
 * The header objects of the last requests that passed `preflight()`, by
 * identity, so that `receive()` with the same headers does not check them
 * again (Fastify's adapter checks in `onRequest`, then receives the body).
 * A ring of slots: cheaper than a `WeakSet`, which gives every request's
 * headers an identity hash. When more than {@link SLOTS} passes wait at once,
 * the oldest are forgotten and checked again, which is only slower.
 *
 * @example
 * ```ts
 * const passed = new Preflighted();
 * passed.add(headers, 0);
 * passed.take(headers); // 0 (which secret matched), once
 * passed.take(headers); // undefined
 * ```
 */
export class Preflighted {
  private readonly slots: (object | undefined)[] = new Array<object | undefined>(SLOTS).fill(
    undefined,
  );
  /** Which secret each remembered pass matched (-1: no secret configured). */
  private readonly matched: number[] = new Array<number>(SLOTS).fill(-1);
  private next = 0;
  /** How many slots hold headers: none (no adapter preflights) spares `take` its scan. */
  private held = 0;

  /** Remembers headers that just passed, and which secret they matched. */
  add(headers: object, matched: number): void {
    if (this.slots[this.next] === undefined) this.held++;
    this.slots[this.next] = headers;
    this.matched[this.next] = matched;
    this.next = (this.next + 1) % SLOTS;
  }

  /**
   * Which secret these headers matched if they passed and were not taken
   * since (forgetting them), else `undefined`.
   */
  take(headers: object): number | undefined {
    if (this.held === 0) return undefined;
    const { slots } = this;
    for (let i = 0; i < SLOTS; i++) {
      if (slots[i] === headers) {
        slots[i] = undefined;
        this.held--;
        return this.matched[i];
      }
    }
    return undefined;
  }
}
