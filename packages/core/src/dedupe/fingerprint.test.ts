import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, fingerprint } from "./fingerprint.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps arrays in order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
  });

  it("parses back to the same value for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe("fingerprint", () => {
  it("does not depend on key order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(fingerprint(reversed)).toBe(fingerprint(record));
      }),
    );
  });

  it("ignores fields outside the list, and sees every change inside it", () => {
    const event = { type: "RATE_MESSAGE", rating: 1 };
    const fields = ["type", "rating"];
    expect(fingerprint({ ...event, deliveredAt: 5 }, fields)).toBe(fingerprint(event, fields));
    expect(fingerprint({ ...event, rating: -1 }, fields)).not.toBe(fingerprint(event, fields));
    expect(fingerprint({ ...event, deliveredAt: 5 })).not.toBe(fingerprint(event));
  });
});
