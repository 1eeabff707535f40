import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DedupeKey, defaultKeys } from "./defaultKeys.js";
import { canonicalJson, fingerprint } from "./fingerprint.js";

// Fingerprints end up in stored keys (TICKET, CREATE_LEAD, unknown types) and stored done
// states (RATE_MESSAGE, VARIABLE_UPDATE): a change of their text or hash makes every retry
// after a deploy look new. These values are pinned on purpose; change them only knowingly.

const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64url");
const keyOf = (key: DedupeKey | string): DedupeKey =>
  typeof key === "string" ? { key, mode: "once" } : key;

describe("canonicalJson", () => {
  it("writes sorted keys, no spaces, undefined fields left out and undefined items as null", () => {
    expect(canonicalJson({ b: 1, a: [1, { d: null, c: "é" }], u: undefined })).toBe(
      '{"a":[1,{"c":"é","d":null}],"b":1}',
    );
    expect(canonicalJson([undefined, "x", () => 1])).toBe('[null,"x",null]');
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson({ u: undefined, a: 1 })).toBe('{"a":1}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson({ 'a"': 1 })).toBe('{"a\\"":1}');
  });
});

describe("fingerprint", () => {
  it("is the base64url SHA-256 of the canonical JSON", () => {
    const value = { b: 1, a: [1, { d: null, c: "é" }] };
    expect(fingerprint(value)).toBe(sha256('{"a":[1,{"c":"é","d":null}],"b":1}'));
    expect(fingerprint(value)).toBe("L0U8S1ptXGhIEgcnhl899oXCPubjka2TDjfUeVhv8GU");
  });

  it("covers the listed fields in sorted order whatever order they are listed in", () => {
    const event = { type: "X", b: 2, a: 1, c: 3 };
    expect(fingerprint(event, ["b", "a"])).toBe(sha256('{"a":1,"b":2}'));
    expect(fingerprint(event, ["a", "b"])).toBe(sha256('{"a":1,"b":2}'));
    expect(fingerprint(event, ["c", "b", "a"])).toBe(sha256('{"a":1,"b":2,"c":3}'));
    expect(fingerprint(event, ["missing", "a"])).toBe(sha256('{"a":1}'));
    expect(fingerprint(event, [])).toBe(sha256("{}"));
  });
});

describe("default keys of known events, pinned", () => {
  it("RATE_MESSAGE: latest by messageId, the fingerprint of its documented fields", () => {
    const up = { type: "RATE_MESSAGE", botId, sessionId, messageId, rating: 1 } as const;
    const key = keyOf(defaultKeys.RATE_MESSAGE({ ...up, comment: "extra" } as typeof up));
    expect(key).toEqual({
      key: `${botId}:RATE_MESSAGE:${messageId}`,
      mode: "latest",
      fingerprint: "SqJXAMaPIzadYiY2SkrvwQ2-hF1bHawIW_QnP5NXzMY",
    });
    expect(key.fingerprint).toBe(
      sha256(
        `{"botId":"${botId}","messageId":"${messageId}","rating":1,"sessionId":"${sessionId}","type":"RATE_MESSAGE"}`,
      ),
    );
    expect(keyOf(defaultKeys.RATE_MESSAGE({ ...up, rating: -1 })).fingerprint).toBe(
      "63_MEnB-h3e-07-lAmRWdjNFZG_MYN-Re9Uevv_AIfE",
    );
  });

  it("VARIABLE_UPDATE: latest by sessionId", () => {
    const update = {
      type: "VARIABLE_UPDATE",
      botId,
      sessionId,
      variables: { seats: 3, plan: "pro" },
    } as const;
    expect(keyOf(defaultKeys.VARIABLE_UPDATE(update))).toEqual({
      key: `${botId}:VARIABLE_UPDATE:${sessionId}`,
      mode: "latest",
      fingerprint: "wxK3wOxAC1zPgKfC3c2YCVw5WNTKD6MO45AcV05clVE",
    });
  });

  it("TICKET and undocumented types: once by session and fingerprint", () => {
    const ticket = {
      type: "TICKET",
      botId,
      sessionId,
      customerName: "Ada",
      customerEmail: "ada@example.com",
      customerMessage: "help",
    } as const;
    expect(keyOf(defaultKeys.TICKET(ticket))).toEqual({
      key: `${botId}:TICKET:${sessionId}:NrdVEctvv-Vpt2_JaPxHl2Mnm6mNnWuIII9kMeZfQcM`,
      mode: "once",
    });
    expect(keyOf(defaultKeys.UNKNOWN({ type: "NEW_TYPE", botId, sessionId, x: 1 }))).toEqual({
      key: `${botId}:NEW_TYPE:${sessionId}:RX07yC3FJwflOpxdy9t1yMtHZdd5bW1qOEhOHtFi5XQ`,
      mode: "once",
    });
  });

  it("keys ids that are missing, null or not strings the same way every time", () => {
    expect(keyOf(defaultKeys.UNKNOWN({ type: "NEW" })).key).toBe(
      `:NEW::${sha256('{"type":"NEW"}')}`,
    );
    expect(keyOf(defaultKeys.UNKNOWN({ type: "NEW", botId: null, sessionId: 7 })).key).toBe(
      `:NEW:7:${sha256('{"botId":null,"sessionId":7,"type":"NEW"}')}`,
    );
    expect(
      keyOf(defaultKeys.UNKNOWN({ type: "NEW", botId: { b: 1, a: [2] }, sessionId: "s" })).key,
    ).toBe(
      `{"a":[2],"b":1}:NEW:s:${sha256('{"botId":{"a":[2],"b":1},"sessionId":"s","type":"NEW"}')}`,
    );
  });
});
