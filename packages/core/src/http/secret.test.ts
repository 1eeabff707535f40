import { describe, expect, it } from "vitest";
import { createSecretVerifier } from "./secret.js";

describe("createSecretVerifier", () => {
  it("accepts any of several secrets and nothing else", () => {
    const verify = createSecretVerifier(["current", "previous"]);
    expect(verify("current")).toBe(true);
    expect(verify("previous")).toBe(true);
    for (const wrong of ["", undefined, "curren", "currentX", "CURRENT", " current"]) {
      expect(verify(wrong)).toBe(false);
    }
  });
});

describe("createSecretVerifier with secrets of different lengths", () => {
  it("rejects prefixes, extensions and multi-byte look-alikes", () => {
    const verify = createSecretVerifier(["short", "a-much-longer-secret-ü"]);
    expect(verify("short")).toBe(true);
    expect(verify("a-much-longer-secret-ü")).toBe(true);
    for (const wrong of [
      "shor",
      "short\u0000",
      "shortX",
      "a-much-longer-secret-u",
      "a-much-longer-secret-üü",
      "x".repeat(1000),
    ]) {
      expect(verify(wrong)).toBe(false);
    }
  });
});
