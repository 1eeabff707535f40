import { describe, expect, it } from "vitest";
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";

describe("backoffDelay", () => {
  it("waits the same for every attempt when fixed (a number, or type fixed)", () => {
    const delay = backoffDelay(5_000);
    expect([1, 2, 10].map(delay)).toEqual([5_000, 5_000, 5_000]);
    const fixed = backoffDelay({ type: "fixed", delayMs: 250, maxDelayMs: 100 });
    expect(fixed(7)).toBe(250); // the cap is the exponential's
  });

  it("doubles from delayMs after each attempt when exponential, up to maxDelayMs", () => {
    const delay = backoffDelay({ type: "exponential", delayMs: 1_000, maxDelayMs: 10_000 });
    expect([0, 1, 2, 3, 4, 5, 100, 10_000].map(delay)).toEqual([
      1_000, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000,
    ]);
  });

  it("takes up to the jitter's fraction off each delay at random", () => {
    const spec: Backoff = { type: "fixed", delayMs: 1_000, jitter: 0.2 };
    expect(backoffDelay(spec, () => 0)(1)).toBe(1_000);
    expect(backoffDelay(spec, () => 0.5)(1)).toBe(900);
    expect(backoffDelay(spec, () => 0.999_999)(1)).toBe(800);
  });

  it("defaults to 1 s doubling to 10 min with 20 % jitter", () => {
    const delay = backoffDelay(DEFAULT_BACKOFF, () => 0);
    expect([1, 2, 3, 11, 40].map(delay)).toEqual([1_000, 2_000, 4_000, 600_000, 600_000]);
    expect(backoffDelay(DEFAULT_BACKOFF, () => 1)(1)).toBe(800);
  });

  it.each([
    [-1, RangeError, "createWorker: `backoff` delay must be a number of milliseconds, 0 or more."],
    [
      { type: "exponential", delayMs: Number.NaN },
      RangeError,
      "createWorker: `backoff` delay must be a number of milliseconds, 0 or more.",
    ],
    [
      { type: "exponential", delayMs: 1, maxDelayMs: -5 },
      RangeError,
      "createWorker: `backoff.maxDelayMs` must be 0 or more.",
    ],
    [
      { type: "fixed", delayMs: 1, jitter: 1.5 },
      RangeError,
      "createWorker: `backoff.jitter` must be between 0 and 1.",
    ],
    [
      { type: "fixed", delayMs: 1, jitter: Number.NaN },
      RangeError,
      "createWorker: `backoff.jitter` must be between 0 and 1.",
    ],
    [
      { type: "linear", delayMs: 1 },
      TypeError,
      'createWorker: `backoff.type` must be "fixed" or "exponential".',
    ],
  ])("refuses %j", (backoff, Kind, message) => {
    expect(() => backoffDelay(backoff as Backoff)).toThrow(new Kind(message));
  });
});
