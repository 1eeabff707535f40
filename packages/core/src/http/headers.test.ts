import { describe, expect, it } from "vitest";
import { createWebhooks } from "../createWebhooks.js";
import { createFetchHandler } from "../fetch.js";
import { getHeader } from "./headers.js";

const event = JSON.stringify({
  type: "SESSION_OPEN",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
});

describe("ctx.headers from a Fetch Headers object", () => {
  it("has every header, lowercase, repeated ones joined, and never the secret", async () => {
    let seen: Readonly<Record<string, string>> | undefined;
    const handler = createFetchHandler({
      secret: "s3cret",
      header: "X-FineGuide-Token",
      onSessionOpen: (_event, ctx) => {
        seen = ctx.headers;
      },
    });
    const headers = new Headers({
      "X-FineGuide-Token": "s3cret",
      "Content-Type": "application/json",
      "X-Request-Id": "abc",
    });
    headers.append("X-Forwarded-For", "10.0.0.1");
    headers.append("x-forwarded-for", "10.0.0.2");
    const res = await handler(
      new Request("http://receiver.test/webhook", { method: "POST", headers, body: event }),
    );
    expect(res.status).toBe(200);
    expect(seen).toEqual({
      "content-type": "application/json",
      "x-request-id": "abc",
      "x-forwarded-for": "10.0.0.1, 10.0.0.2",
    });
    expect(Object.values(seen ?? {})).not.toContain("s3cret");
  });

  it("omits the default secret header too, and is the same record on every read", async () => {
    const reads: Readonly<Record<string, string>>[] = [];
    const handler = createFetchHandler({
      secret: "s3cret",
      onSessionOpen: (_event, ctx) => void reads.push(ctx.headers, ctx.headers),
    });
    const res = await handler(
      new Request("http://receiver.test/webhook", {
        method: "POST",
        headers: { "X-Webhook-Secret": "s3cret", "content-type": "application/json" },
        body: event,
      }),
    );
    expect(res.status).toBe(200);
    expect(reads[0]).toEqual({ "content-type": "application/json" });
    expect(reads[1]).toBe(reads[0]);
  });
});

describe("ctx.headers from a record", () => {
  it("lowercases names, joins arrays, skips undefined values and the secret", async () => {
    let seen: Readonly<Record<string, string>> | undefined;
    const webhooks = createWebhooks({
      secret: "s3cret",
      onSessionOpen: (_event, ctx) => {
        seen = ctx.headers;
      },
    });
    const res = await webhooks.receive({
      method: "POST",
      headers: {
        "X-Webhook-Secret": "s3cret",
        "Content-Type": "application/json",
        "X-Forwarded-For": ["10.0.0.1", "10.0.0.2"],
        "x-absent": undefined,
      },
      body: event,
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual({
      "content-type": "application/json",
      "x-forwarded-for": "10.0.0.1, 10.0.0.2",
    });
  });
});

describe("getHeader", () => {
  it("joins a header given several times (an array) with ', ', as Headers does", () => {
    const record = { "x-forwarded-for": ["10.0.0.1", "10.0.0.2"] };
    const headers = new Headers();
    headers.append("x-forwarded-for", "10.0.0.1");
    headers.append("x-forwarded-for", "10.0.0.2");
    expect(getHeader(record, "x-forwarded-for")).toBe("10.0.0.1, 10.0.0.2");
    expect(getHeader(record, "x-forwarded-for")).toBe(getHeader(headers, "x-forwarded-for"));
    expect(getHeader({ "set-cookie": [] }, "set-cookie")).toBe("");
    expect(getHeader({ "x-one": ["only"] }, "x-one")).toBe("only");
  });

  it("finds a header whatever the case of its name in the record or in the call", () => {
    const record = { "Content-Type": "application/json", "X-Forwarded-For": ["a", "b"] };
    expect(getHeader(record, "content-type")).toBe("application/json");
    expect(getHeader(record, "x-forwarded-for")).toBe("a, b");
    expect(getHeader(record, "Content-Type")).toBe("application/json");
    expect(getHeader({ "content-type": "text/plain" }, "Content-Type")).toBe("text/plain");
    expect(getHeader({ "CONTENT-TYPE": "text/plain" }, "Content-Type")).toBe("text/plain");
    expect(getHeader(new Headers({ "content-type": "text/plain" }), "Content-Type")).toBe(
      "text/plain",
    );
  });

  it("answers undefined for a header that is absent or undefined", () => {
    expect(getHeader({}, "x-missing")).toBeUndefined();
    expect(getHeader({ "x-missing": undefined }, "x-missing")).toBeUndefined();
    expect(getHeader({ "x-missingx": "no" }, "x-missing")).toBeUndefined();
    expect(getHeader(new Headers(), "x-missing")).toBeUndefined();
  });
});
