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
 * passed.add(headers);
 * passed.take(headers); // true, once
 * passed.take(headers); // false
 * ```
 */
export class Preflighted {
  private readonly slots: (object | undefined)[] = new Array<object | undefined>(SLOTS).fill(
    undefined,
  );
  private next = 0;

  /** Remembers headers that just passed. */
  add(headers: object): void {
    this.slots[this.next] = headers;
    this.next = (this.next + 1) % SLOTS;
  }

  /** Whether these headers passed and were not taken since; forgets them. */
  take(headers: object): boolean {
    const { slots } = this;
    for (let i = 0; i < SLOTS; i++) {
      if (slots[i] === headers) {
        slots[i] = undefined;
        return true;
      }
    }
    return false;
  }
}
