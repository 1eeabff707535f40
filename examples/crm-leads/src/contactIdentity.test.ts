import { describe, expect, it } from "vitest";
import { contactIdentity, emailKey, phoneKey } from "./contactIdentity.js";

describe("contactIdentity", () => {
  it("keys an e-mail trimmed and lower-cased, and only one that looks like an address", () => {
    expect(emailKey("  Jane.Smith@Example.COM ")).toBe("jane.smith@example.com");
    for (const typed of [
      "[email protected]",
      "jane at example dot com",
      "jane@",
      "@x.y",
      "",
      null,
      undefined,
    ]) {
      expect(emailKey(typed), String(typed)).toBeNull();
    }
  });

  it("keys a phone by its digits, a leading + kept, and only with 6 or more", () => {
    expect(phoneKey("+1-555-123-4567")).toBe("+15551234567");
    expect(phoneKey(" +1 (555) 123 4567 ")).toBe("+15551234567");
    expect(phoneKey("555.123.4567")).toBe("5551234567");
    expect(phoneKey("12345")).toBeNull();
    expect(phoneKey("n/a")).toBeNull();
    expect(phoneKey(null)).toBeNull();
  });

  it("identifies a contact by e-mail, else phone, else session", () => {
    const ids = { botId: "b", sessionId: "s" };
    expect(contactIdentity({ ...ids, email: "A@x.io", phone: "+1 555 123 4567" })).toEqual({
      emailKey: "a@x.io",
      phoneKey: "+15551234567",
      sessionKey: "b/s",
      key: "email:a@x.io",
    });
    expect(contactIdentity({ ...ids, email: "not an address", phone: "+1 555 123 4567" }).key).toBe(
      "phone:+15551234567",
    );
    expect(contactIdentity({ ...ids, email: null }).key).toBe("session:b/s");
  });
});
