import { describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { createDelivery } from "./createDelivery.js";

describe("createDelivery", () => {
  it("is a JSON POST with the secret in x-webhook-secret", () => {
    const event = createEvent("TICKET");
    expect(createDelivery(event, { secret: "s3cret" })).toEqual({
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": "s3cret" },
      body: JSON.stringify(event),
    });
  });

  it("uses the header name you configured in FineGuide, lowercased", () => {
    const { headers } = createDelivery(createEvent("MESSAGE"), { secret: "s", header: "X-Auth" });
    expect(headers).toEqual({ "content-type": "application/json", "x-auth": "s" });
  });

  it("sends no secret header without a secret", () => {
    expect(Object.keys(createDelivery({ type: "MESSAGE" }).headers)).toEqual(["content-type"]);
  });

  it("sends a string as it is, for malformed bodies", () => {
    expect(createDelivery('{"type":', { secret: "s" }).body).toBe('{"type":');
  });

  it("takes a content type and extra headers", () => {
    const { headers } = createDelivery(
      {},
      { contentType: "text/plain", headers: { "User-Agent": "FineGuide" } },
    );
    expect(headers).toEqual({ "content-type": "text/plain", "user-agent": "FineGuide" });
  });
});
