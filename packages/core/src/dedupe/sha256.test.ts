import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "./sha256.js";

describe("sha256", () => {
  it("is createHash's SHA-256 in base64url, whichever path the runtime takes", () => {
    for (const text of ["", "a", "botId:TICKET:x\nfingerprint", "é😀".repeat(100)]) {
      expect(sha256(text)).toBe(createHash("sha256").update(text).digest("base64url"));
    }
  });
});
