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

describe("acceptsContentType at its edges", () => {
  it.each([
    "application/json ; charset=utf-8",
    "  application/json",
    "; charset=utf-8",
    "APPLICATION/VND.API+JSON",
    "application/problem+json;charset=utf-8",
    "TEXT/PLAIN",
  ])("accepts %j", (type) => {
    expect(acceptsContentType(type)).toBe(true);
  });

  it.each([
    "application/jso",
    "application/json-seq",
    "text/json",
    "text/plain+json",
    "application/json+xml",
    "json",
    "+json",
    "application",
  ])("refuses %j", (type) => {
    expect(acceptsContentType(type)).toBe(false);
  });
});

describe("rawByteLength at the limit", () => {
  it("counts the bytes of a string of exactly `limit` multi-byte characters", () => {
    expect(rawByteLength("é".repeat(10), 10)).toBe(20);
    expect(rawByteLength("€".repeat(10), 10)).toBe(30);
  });

  it("counts the bytes of a string whose characters could not fill the limit as one byte each", () => {
    // 4 characters of 2 bytes: 8 bytes, under 10, while 4 characters could take 12 bytes.
    expect(rawByteLength("é".repeat(4), 10)).toBe(8);
    expect(rawByteLength("éa", 5)).toBe(3);
  });

  it("takes the length of a string longer than the limit as it is (over the limit either way)", () => {
    expect(rawByteLength("a".repeat(11), 10)).toBe(11);
  });

  it("counts bytes of Buffers, Uint8Arrays and ArrayBuffers, and nothing of a parsed value", () => {
    expect(rawByteLength(Buffer.from("é".repeat(6)), 10)).toBe(12);
    expect(rawByteLength(new Uint8Array(11), 10)).toBe(11);
    expect(rawByteLength(new ArrayBuffer(11), 10)).toBe(11);
    expect(rawByteLength(undefined, 10)).toBeUndefined();
    expect(rawByteLength(["a".repeat(20)], 10)).toBeUndefined();
  });
});

describe("parseBody", () => {
  it("parses an ArrayBuffer and bytes starting with a BOM", () => {
    const bytes = new TextEncoder().encode('{"a":"é"}');
    expect(parseBody(bytes.buffer)).toEqual({ a: "é" });
    expect(parseBody(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))).toEqual({ a: "é" });
  });

  it("keeps a string without a BOM whole, and refuses bytes that are not JSON", () => {
    expect(parseBody("1")).toEqual(1);
    expect(parseBody('"\uFEFF"')).toEqual("\uFEFF");
    expect(parseBody(new TextEncoder().encode("{"))).toBe(INVALID_JSON);
    expect(parseBody(null)).toEqual(null);
  });
});

describe("readLimited", () => {
  it("counts bytes, not characters, of string chunks", async () => {
    expect(await readLimited(Readable.from(["éé"]), 3)).toBe(BODY_TOO_LARGE);
    const body = await readLimited(Readable.from(["é", "é"]), 4);
    expect(Buffer.from(body as Uint8Array).toString()).toBe("éé");
  });

  it("joins byte chunks in order, and reads an empty stream as no bytes", async () => {
    const chunks = [Buffer.from("ab"), Buffer.from("c"), Buffer.from("def")];
    const body = await readLimited(Readable.from(chunks), 6);
    expect(Buffer.from(body as Uint8Array).toString()).toBe("abcdef");
    expect(await readLimited(Readable.from(chunks), 5)).toBe(BODY_TOO_LARGE);
    const empty = await readLimited(Readable.from([]), 6);
    expect((empty as Uint8Array).byteLength).toBe(0);
  });
});
