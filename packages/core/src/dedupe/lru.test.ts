import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lru } from "./lru.js";

/** The reference: a Map in recency order (delete and set again on use), oldest first. */
class Model {
  readonly map = new Map<string, number>();
  readonly evicted: number[] = [];
  constructor(readonly max: number) {}
  get(key: string) {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: number) {
    if (!this.map.delete(key) && this.map.size === this.max) {
      const [oldest, old] = this.map.entries().next().value as [string, number];
      this.map.delete(oldest);
      this.evicted.push(old);
    }
    this.map.set(key, value);
  }
}

describe("Lru", () => {
  it("forgets the least recently used key first; peek does not count as a use", () => {
    const evicted: number[] = [];
    const lru = new Lru<number>(2, (value) => evicted.push(value));
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1);
    expect(lru.peek("b")).toBe(2);
    lru.set("c", 3);
    expect(evicted).toEqual([2]);
    expect(lru.peek("b")).toBeUndefined();
    expect(lru.size).toBe(2);
    lru.delete("a");
    expect(lru.size).toBe(1);
    lru.set("d", 4);
    lru.set("e", 5);
    expect(evicted).toEqual([2, 3]);
  });

  it("rejects a bound that is not a positive integer", () => {
    for (const max of [0, -1, 1.5, Number.NaN])
      expect(() => new Lru(max, () => {})).toThrow(TypeError);
  });

  it("behaves as a Map kept in recency order, whatever the calls", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "e", "f");
    const step = fc.oneof(
      fc.record({ op: fc.constant("get" as const), key }),
      fc.record({ op: fc.constant("peek" as const), key }),
      fc.record({ op: fc.constant("delete" as const), key }),
      fc.record({ op: fc.constant("set" as const), key, value: fc.integer() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(step, { maxLength: 80, size: "max" }),
        (max, steps) => {
          const model = new Model(max);
          const evicted: number[] = [];
          const lru = new Lru<number>(max, (value) => evicted.push(value));
          for (const s of steps) {
            if (s.op === "get") expect(lru.get(s.key)).toBe(model.get(s.key));
            else if (s.op === "peek") expect(lru.peek(s.key)).toBe(model.map.get(s.key));
            else if (s.op === "delete") {
              lru.delete(s.key);
              model.map.delete(s.key);
            } else {
              lru.set(s.key, s.value);
              model.set(s.key, s.value);
            }
            expect(lru.size).toBe(model.map.size);
            expect(evicted).toEqual(model.evicted);
          }
        },
      ),
    );
  });
});
