import type { EventOf, EventType } from "@fineguide-webhooks/core";

/** Freezes an object and everything in it, so no test can change the examples for the next. */
function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === "object") deepFreeze(child);
  }
  return Object.freeze(value);
}

/**
 * The example payloads of FineGuide's "AI Assistant Webhooks" page, exactly as
 * printed there, ids included (so every call returns the same ids: use
 * {@link createEvent} for fresh ones). Two things to know: the page prints
 * the e-mail addresses as `[email protected]` (an address obfuscated by
 * the page), and `organizationId` is `"org-abc123"`, not a UUID. Both parse
 * with core's default schemas; the e-mails fail the `strict` ones.
 *
 * @example
 * ```ts
 * import { vendorExamples } from "@fineguide-webhooks/testing";
 *
 * await sendWithSupertest(request(app).post("/webhook"), vendorExamples.TICKET, { secret })
 *   .expect(200);
 * ```
 */
export const vendorExamples: { readonly [T in EventType]: Readonly<EventOf<T>> } = deepFreeze({
  MESSAGE: {
    type: "MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
    role: "USER",
    message: "Hi, I need help with my order",
    messageId: "733b7d55-61ea-450f-b585-27755b015596",
  },
  SESSION_OPEN: {
    type: "SESSION_OPEN",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  },
  SESSION_CLOSED: {
    type: "SESSION_CLOSED",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  },
  TICKET: {
    type: "TICKET",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    customerName: "John Doe",
    customerEmail: "[email protected]",
    customerMessage: "I need to speak with a human please",
  },
  CREATE_LEAD: {
    type: "CREATE_LEAD",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    organizationId: "org-abc123",
    name: "Jane Smith",
    email: "[email protected]",
    phone: "+1-555-123-4567",
    location: "New York, USA",
    intent: "Interested in enterprise pricing",
    source: "website",
    props: {
      campaign: "spring-sale",
      referrer: "google",
    },
  },
  RATE_MESSAGE: {
    type: "RATE_MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    messageId: "ad2deddc-6f36-4af7-8b2f-3ddeab122b64",
    rating: 1,
  },
  MESSAGE_AUDIO_URL: {
    type: "MESSAGE_AUDIO_URL",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    messageId: "ad2deddc-6f36-4af7-8b2f-3ddeab122b64",
    audioUrl: "https://storage.fineguide.ai/audio/abc123.mp3",
  },
  VARIABLE_UPDATE: {
    type: "VARIABLE_UPDATE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    variables: {
      user_name: "John",
      product_interest: "Enterprise Plan",
      company_size: "50-100",
    },
  },
});
