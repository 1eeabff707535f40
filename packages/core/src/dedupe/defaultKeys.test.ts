import { describe, expect, it } from "vitest";
import { defaultKeys } from "./defaultKeys.js";

const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";

describe("defaultKeys", () => {
  it("keys MESSAGE and MESSAGE_AUDIO_URL by messageId, once, scoped by bot", () => {
    const message = {
      type: "MESSAGE",
      botId,
      sessionId,
      role: "USER",
      message: "hi",
      messageId,
    } as const;
    expect(defaultKeys.MESSAGE(message)).toEqual({
      key: `${botId}:MESSAGE:${messageId}`,
      mode: "once",
    });
    const audio = {
      type: "MESSAGE_AUDIO_URL",
      botId,
      sessionId,
      messageId,
      audioUrl: "u",
    } as const;
    expect(defaultKeys.MESSAGE_AUDIO_URL(audio)).toEqual({
      key: `${botId}:MESSAGE_AUDIO_URL:${messageId}`,
      mode: "once",
    });
  });

  it("keys SESSION_OPEN and SESSION_CLOSED by sessionId, once", () => {
    expect(defaultKeys.SESSION_OPEN({ type: "SESSION_OPEN", botId, sessionId })).toEqual({
      key: `${botId}:SESSION_OPEN:${sessionId}`,
      mode: "once",
    });
    expect(defaultKeys.SESSION_CLOSED({ type: "SESSION_CLOSED", botId, sessionId })).toEqual({
      key: `${botId}:SESSION_CLOSED:${sessionId}`,
      mode: "once",
    });
  });

  it("keys RATE_MESSAGE by messageId and VARIABLE_UPDATE by sessionId, latest", () => {
    const up = defaultKeys.RATE_MESSAGE({
      type: "RATE_MESSAGE",
      botId,
      sessionId,
      messageId,
      rating: 1,
    });
    const down = defaultKeys.RATE_MESSAGE({
      type: "RATE_MESSAGE",
      botId,
      sessionId,
      messageId,
      rating: -1,
    });
    expect(up).toMatchObject({ key: `${botId}:RATE_MESSAGE:${messageId}`, mode: "latest" });
    expect(typeof up !== "string" && up.fingerprint).not.toBe(
      typeof down !== "string" && down.fingerprint,
    );
    const vars = defaultKeys.VARIABLE_UPDATE({
      type: "VARIABLE_UPDATE",
      botId,
      sessionId,
      variables: { a: 1 },
    });
    expect(vars).toMatchObject({ key: `${botId}:VARIABLE_UPDATE:${sessionId}`, mode: "latest" });
  });

  it("keys TICKET, CREATE_LEAD and unknown types by session and documented content, once", () => {
    const ticket = {
      type: "TICKET",
      botId,
      sessionId,
      customerName: "A",
      customerEmail: "a@b.c",
      customerMessage: "help",
    } as const;
    const first = defaultKeys.TICKET(ticket);
    expect(first).toMatchObject({ mode: "once" });
    const key = typeof first === "string" ? first : first.key;
    expect(key.startsWith(`${botId}:TICKET:${sessionId}:`)).toBe(true);
    // An undocumented field added on a retry does not change the key; a new message does.
    expect(defaultKeys.TICKET({ ...ticket, retry: 2 } as typeof ticket)).toEqual(first);
    expect(defaultKeys.TICKET({ ...ticket, customerMessage: "again" })).not.toEqual(first);
    const unknown = defaultKeys.UNKNOWN({ type: "NEW", botId, sessionId, x: 1 });
    expect(unknown).toMatchObject({ mode: "once" });
    expect(defaultKeys.UNKNOWN({ type: "NEW", botId, sessionId, x: 2 })).not.toEqual(unknown);
  });

  it("scopes every key by botId", () => {
    const other = "00000000-0000-4000-8000-000000000001";
    const a = defaultKeys.SESSION_OPEN({ type: "SESSION_OPEN", botId, sessionId });
    const b = defaultKeys.SESSION_OPEN({ type: "SESSION_OPEN", botId: other, sessionId });
    expect(a).not.toEqual(b);
  });
});
