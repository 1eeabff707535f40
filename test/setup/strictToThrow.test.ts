import { describe, expect, it } from "vitest";

// The guard of strictToThrow.ts (a setup file of every project): an assertion on a thrown
// text or pattern fails when nothing, undefined or null, was thrown.
const fails = (assertion: () => unknown) =>
  expect(Promise.resolve().then(assertion)).rejects.toThrow(
    /but the (promise rejected|function threw) with (undefined|null)/,
  );

describe("toThrow with a text, a pattern or nothing requires a thrown value", () => {
  it("fails on a promise rejected with undefined or null", async () => {
    await fails(() => expect(Promise.reject(undefined)).rejects.toThrow("text"));
    await fails(() => expect(Promise.reject(null)).rejects.toThrow(/text/));
    await fails(() => expect(Promise.reject(undefined)).rejects.toThrow());
    await fails(() => expect(Promise.reject(undefined)).rejects.toThrowError("text"));
  });

  it("fails on a function that throws undefined or null", async () => {
    await fails(() =>
      expect(() => {
        throw undefined;
      }).toThrow("text"),
    );
    await fails(() =>
      expect(() => {
        throw null;
      }).toThrowError(/text/),
    );
  });

  it("passes on an error whose message matches, calling the function once", async () => {
    await expect(Promise.reject(new Error("a text"))).rejects.toThrow("text");
    let calls = 0;
    expect(() => {
      calls++;
      throw new TypeError("a text");
    }).toThrow(/text/);
    expect(calls).toBe(1);
  });

  it("still fails on another message, and on a function that does not throw", async () => {
    await expect(
      Promise.resolve().then(() =>
        expect(Promise.reject(new Error("other"))).rejects.toThrow("text"),
      ),
    ).rejects.toThrow(/including 'text' but got 'other'/);
    expect(() => expect(() => {}).toThrow("text")).toThrow(/to throw an error/);
  });

  it("leaves negated assertions as they were", () => {
    expect(() => {}).not.toThrow("text");
  });
});
