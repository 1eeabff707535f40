import { describe, expect, it } from "vitest";
import { parseRetryAfter, RetryAfter, retryAfterIn } from "./RetryAfter.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");

describe("RetryAfter", () => {
  it("holds its delay and says it in its message", () => {
    const error = new RetryAfter(1_499.6);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RetryAfter");
    expect(error.delayMs).toBe(1_499.6);
    expect(error.message).toBe("retry after 1500 ms");
    const cause = new Error("429");
    const own = new RetryAfter(0, "Slack says later", { cause });
    expect([own.message, own.delayMs, own.cause]).toEqual(["Slack says later", 0, cause]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a delay of %s", (delayMs) => {
    expect(() => new RetryAfter(delayMs)).toThrow(
      new RangeError("RetryAfter: `delayMs` must be a number of milliseconds, 0 or more."),
    );
  });
});

describe("RetryAfter.fromHeader and parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(RetryAfter.fromHeader("2", 30_000, NOW).delayMs).toBe(2_000);
  });

  it("reads an HTTP date as the time left until it, 0 once past", () => {
    expect(parseRetryAfter("Tue, 01 Dec 2026 12:00:45 GMT", NOW)).toBe(45_000);
    expect(RetryAfter.fromHeader("Tue, 01 Dec 2026 12:01:00 GMT", 30_000, NOW).delayMs).toBe(
      60_000,
    );
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).toBe(0);
  });

  it("takes the fallback when the header is missing or neither form", () => {
    for (const value of [null, undefined, "", "soon", "1.5", "-1", "Someday, 99 Foo"]) {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
      expect(RetryAfter.fromHeader(value, 30_000, NOW).delayMs).toBe(30_000);
    }
  });
});

describe("retryAfterIn", () => {
  it("finds a RetryAfter thrown alone", () => {
    const error = new RetryAfter(10);
    expect(retryAfterIn(error)).toBe(error);
  });

  it("finds the longest when every failure of several handlers is a RetryAfter", () => {
    const longest = new RetryAfter(5_000);
    const all = new AggregateError([new RetryAfter(10), longest, new RetryAfter(300)]);
    expect(retryAfterIn(all)).toBe(longest);
  });

  it("finds none when any failure is something else, or there is no failure in it", () => {
    expect(
      retryAfterIn(new AggregateError([new RetryAfter(10), new Error("500")])),
    ).toBeUndefined();
    expect(retryAfterIn(new AggregateError([]))).toBeUndefined();
    expect(retryAfterIn(new Error("500"))).toBeUndefined();
    expect(retryAfterIn(undefined)).toBeUndefined();
    expect(retryAfterIn({ delayMs: 10 })).toBeUndefined();
  });
});
