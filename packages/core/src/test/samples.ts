import { expect } from "vitest";
import type { Logger } from "../logger.js";

// Sample events and helpers shared by core's tests.

export const BOT_ID = "6434515b-8541-4861-bb24-8acd6e77e8c4";
export const SESSION_ID = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
export const MESSAGE_ID = "733b7d55-61ea-450f-b585-27755b015596";

/** A MESSAGE event, as JSON text. */
export const messageJson = JSON.stringify({
  type: "MESSAGE",
  botId: BOT_ID,
  sessionId: SESSION_ID,
  role: "USER",
  message: "Hi",
  messageId: MESSAGE_ID,
});

/** A SESSION_OPEN event, as JSON text. */
export const sessionOpenJson = JSON.stringify({
  type: "SESSION_OPEN",
  botId: BOT_ID,
  sessionId: SESSION_ID,
});

/** A RATE_MESSAGE event of the sample message, rated `value`. */
export const rating = (value: 1 | -1) => ({
  type: "RATE_MESSAGE",
  botId: BOT_ID,
  sessionId: SESSION_ID,
  messageId: MESSAGE_ID,
  rating: value,
});

/** Core's 500 `internal_error` body, as `toEqual` matches it. */
export const INTERNAL_ERROR_BODY = {
  ok: false,
  error: { code: "internal_error", message: expect.any(String) },
};

/** A logger that keeps its error lines (fields and message); the other levels do nothing. */
export function errorLogger() {
  const errors: { obj: { err?: unknown; deliveryId?: string }; msg: string | undefined }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj, msg) => void errors.push({ obj, msg }),
  };
  return { logger, errors };
}
