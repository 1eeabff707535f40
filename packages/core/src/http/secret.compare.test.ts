import { describe, expect, it } from "vitest";
import { createSecretMatcher, createSecretVerifier } from "./secret.js";

describe("createSecretMatcher", () => {
  it("answers the index of the secret that matched, or -1", () => {
    const match = createSecretMatcher(["zero", "one-is-longer", "two", "three-ü"]);
    expect(match("zero")).toBe(0);
    expect(match("one-is-longer")).toBe(1);
    expect(match("two")).toBe(2);
    expect(match("three-ü")).toBe(3);
    for (const wrong of [undefined, "", "four", "zer", "zero ", "three-u", "ONE-IS-LONGER"]) {
      expect(match(wrong)).toBe(-1);
    }
  });

  it("never matches an empty header, not even an empty secret", () => {
    expect(createSecretMatcher(["", "x"])("")).toBe(-1);
    expect(createSecretMatcher(["x", ""])(undefined)).toBe(-1);
  });
});

describe("createSecretVerifier compares over the longest secret", () => {
  it("rejects a wrong value as long as the longer secret, sharing all but its last byte", () => {
    const verify = createSecretVerifier(["short", "a-much-longer-secret"]);
    expect(verify("a-much-longer-secreX")).toBe(false);
    expect(verify("a-much-longer-secret")).toBe(true);
    // The shorter secret's bytes followed by anything, up to the longer one's length.
    expect(verify("shortshortshortshort")).toBe(false);
  });

  it("still accepts the secret after a longer header: no byte of an earlier value is left over", () => {
    const verify = createSecretVerifier(["short", "longer-secret"]);
    expect(verify("x".repeat(1000))).toBe(false);
    expect(verify("short")).toBe(true);
    expect(verify("longer-secrex")).toBe(false);
    expect(verify("short")).toBe(true);
    expect(verify("longer-secret")).toBe(true);
  });
});
