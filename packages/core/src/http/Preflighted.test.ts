import { describe, expect, it } from "vitest";
import { Preflighted } from "./Preflighted.js";

describe("Preflighted", () => {
  it("lets each passed headers object through once, by identity", () => {
    const passed = new Preflighted();
    const headers = { "x-webhook-secret": "s" };
    expect(passed.take(headers)).toBe(false);
    passed.add(headers);
    expect(passed.take({ ...headers })).toBe(false);
    expect(passed.take(headers)).toBe(true);
    expect(passed.take(headers)).toBe(false);
  });

  it("forgets the oldest passes when many wait at once, so they are checked again", () => {
    const passed = new Preflighted();
    const all = Array.from({ length: 40 }, (_, i) => ({ i }));
    for (const headers of all) passed.add(headers);
    const taken = all.map((headers) => passed.take(headers));
    expect(taken.slice(0, 8)).toEqual(Array(8).fill(false));
    expect(taken.slice(8)).toEqual(Array(32).fill(true));
  });
});
