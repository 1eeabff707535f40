/**
 * A map of at most `max` keys that forgets the least recently used first:
 * what `memoryStore` needs of `lru-cache` and no more (no TTL, sizes, fetch
 * or status), so that a delivery's four calls (claim: `get`, `set`;
 * complete: `peek`, `set`) cost a `Map` lookup and a few array writes each.
 *
 * The same layout as `lru-cache`: a `Map` from key to slot, the slots' keys
 * and values in two arrays, and the recency order as a doubly linked list of
 * slot numbers in two typed arrays, so a key costs its `Map` entry and about
 * 24 bytes more, with no object of its own.
 *
 * @example
 * ```ts
 * const lru = new Lru<number>(2, (value) => console.log("evicted", value));
 * lru.set("a", 1);
 * lru.set("b", 2);
 * lru.get("a"); // 1: "a" is now the most recently used
 * lru.set("c", 3); // logs "evicted 2"
 * ```
 */
export class Lru<V> {
  private readonly slots = new Map<string, number>();
  private readonly keys: (string | undefined)[] = [];
  private readonly values: (V | undefined)[] = [];
  /** Per slot, the next more recently used slot (towards `newest`). */
  private readonly newer: Uint32Array;
  /** Per slot, the next less recently used slot (towards `oldest`). */
  private readonly older: Uint32Array;
  /** Slots emptied by `delete`, reused before new ones. */
  private readonly free: number[] = [];
  private oldest = 0;
  private newest = 0;

  /**
   * @param max How many keys are kept at most (an integer, 1 or more).
   * @param onEvict Called with the value of a key forgotten to make room
   * (not on `delete`, nor when a key's value is replaced).
   */
  constructor(
    readonly max: number,
    private readonly onEvict: (value: V) => void,
  ) {
    if (!Number.isInteger(max) || max < 1 || max >= 2 ** 32) {
      throw new TypeError("memoryStore: `max` must be an integer, 1 or more.");
    }
    this.newer = new Uint32Array(max);
    this.older = new Uint32Array(max);
  }

  /** How many keys are kept now. */
  get size(): number {
    return this.slots.size;
  }

  /** The key's value, making it the most recently used. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.touch(slot);
    return this.values[slot];
  }

  /** The key's value, leaving the recency order as it is. */
  peek(key: string): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.values[slot];
  }

  /** Sets the key's value and makes it the most recently used; evicts the oldest key when full. */
  set(key: string, value: V): void {
    let slot = this.slots.get(key);
    if (slot !== undefined) {
      this.values[slot] = value;
      this.touch(slot);
      return;
    }
    if (this.slots.size === this.max) {
      // Full: the oldest key's slot is taken over.
      slot = this.oldest;
      const evicted = this.values[slot] as V;
      this.slots.delete(this.keys[slot]!);
      this.oldest = this.newer[slot]!;
      this.onEvict(evicted);
    } else if (this.free.length > 0) slot = this.free.pop()!;
    else {
      slot = this.keys.length;
      this.keys.push(undefined);
      this.values.push(undefined);
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    if (this.slots.size === 0) this.oldest = slot;
    else {
      this.older[slot] = this.newest;
      this.newer[this.newest] = slot;
    }
    this.newest = slot;
    this.slots.set(key, slot);
  }

  /** Forgets the key (without `onEvict`). */
  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.unlink(slot);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.free.push(slot);
  }

  /** Moves a slot in use to the most recently used end. */
  private touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.older[slot] = this.newest;
    this.newer[this.newest] = slot;
    this.newest = slot;
  }

  /** Takes a slot in use out of the recency order (the order of the others is kept). */
  private unlink(slot: number): void {
    if (slot === this.oldest) this.oldest = this.newer[slot]!;
    else if (slot === this.newest) this.newest = this.older[slot]!;
    else {
      const newer = this.newer[slot]!;
      const older = this.older[slot]!;
      this.newer[older] = newer;
      this.older[newer] = older;
    }
  }
}
