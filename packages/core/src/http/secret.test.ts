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
