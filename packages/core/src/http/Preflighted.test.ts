import { describe, expect, it } from "vitest";
import { Preflighted } from "./Preflighted.js";

describe("Preflighted", () => {
  it("lets each passed headers object through once, by identity, with the secret it matched", () => {
    const passed = new Preflighted();
    const headers = { "x-webhook-secret": "s" };
    expect(passed.take(headers)).toBeUndefined();
    passed.add(headers, 2);
    expect(passed.take({ ...headers })).toBeUndefined();
    expect(passed.take(headers)).toBe(2);
    expect(passed.take(headers)).toBeUndefined();
  });

  it("forgets the oldest passes when many wait at once, so they are checked again", () => {
    const passed = new Preflighted();
    const all = Array.from({ length: 40 }, (_, i) => ({ i }));
    for (const [i, headers] of all.entries()) passed.add(headers, i % 3);
    const taken = all.map((headers) => passed.take(headers));
    expect(taken.slice(0, 8)).toEqual(Array(8).fill(undefined));
    expect(taken.slice(8)).toEqual(all.slice(8).map((_, i) => (i + 8) % 3));
  });
});
