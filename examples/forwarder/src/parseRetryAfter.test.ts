import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./parseRetryAfter.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-30T12:00:00.000Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });

  it("reads an HTTP date, relative to now; a past date is 0", () => {
    expect(parseRetryAfter("Mon, 30 Nov 2026 12:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 11:59:00 GMT", now)).toBe(0);
  });

  it("is undefined for a missing header or anything else", () => {
    for (const value of [null, undefined, "", "soon", "1.5", "-1", "2 s", "Mon, 99 Foo 2026"]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});
