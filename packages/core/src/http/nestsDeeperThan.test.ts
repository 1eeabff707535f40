import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "./nestsDeeperThan.js";

const nest = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

describe("nestsDeeperThan", () => {
  it("counts the outer object as level 1, arrays and objects alike", () => {
    expect(nestsDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestsDeeperThan({ a: {} }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: [] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [[]] }, 2)).toBe(true);
    expect(nestsDeeperThan("text", 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
  });

  it("finds the deep branch beside shallow ones", () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: { d: {} } }] }, 4)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: { d: {} } }] }, 5)).toBe(false);
  });

  it("stops at the limit whatever the depth, without overflowing the stack", () => {
    expect(nestsDeeperThan(nest(64), 64)).toBe(false);
    expect(nestsDeeperThan(nest(65), 64)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), 64)).toBe(
      true,
    );
  });
});
