import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  acceptsContentType,
  BODY_TOO_LARGE,
  INVALID_JSON,
  parseBody,
  rawByteLength,
  readLimited,
} from "./body.js";

describe("acceptsContentType", () => {
  it("accepts JSON, +json, text/plain and none; rejects the rest", () => {
    for (const ok of [
      undefined,
      "",
      "application/json",
      "Application/JSON; charset=UTF-8",
      "application/cloudevents+json",
      "text/plain;charset=utf-8",
    ]) {
      expect(acceptsContentType(ok)).toBe(true);
    }
    for (const bad of [
      "text/html",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/jsonx",
    ]) {
      expect(acceptsContentType(bad)).toBe(false);
    }
  });
});

describe("rawByteLength and parseBody", () => {
  it("counts UTF-8 bytes of text near the limit", () => {
    expect(rawByteLength("é".repeat(10), 15)).toBe(20);
    expect(rawByteLength("abc", 1000)).toBe(3);
    expect(rawByteLength({ parsed: true }, 10)).toBeUndefined();
  });

  it("parses text and bytes, ignores a BOM, passes parsed values through", () => {
    expect(parseBody('\uFEFF{"a":1}')).toEqual({ a: 1 });
    expect(parseBody(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
    expect(parseBody(Buffer.from("[1]"))).toEqual([1]);
    expect(parseBody({ a: 1 })).toEqual({ a: 1 });
    expect(parseBody("{")).toBe(INVALID_JSON);
    expect(parseBody(undefined)).toBe(INVALID_JSON);
  });
});

describe("readLimited", () => {
  it("reads a stream up to the limit and stops past it", async () => {
    expect(
      Buffer.from((await readLimited(Readable.from(["ab", "cd"]), 4)) as Uint8Array).toString(),
    ).toBe("abcd");
    expect(await readLimited(Readable.from(["ab", "cde"]), 4)).toBe(BODY_TOO_LARGE);
  });
});
