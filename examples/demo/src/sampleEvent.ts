import type { MessageEvent } from "@fineguide-webhooks/core";

/**
 * The vendor's own MESSAGE example. Its `messageId` is fixed, so sending it twice
 * shows deduplication: the second delivery is answered `{ ok: true, duplicate: true }`.
 */
export const SAMPLE_EVENT: MessageEvent = {
  type: "MESSAGE",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  role: "USER",
  message: "Hi, I need help with my order",
  messageId: "733b7d55-61ea-450f-b585-27755b015596",
};
