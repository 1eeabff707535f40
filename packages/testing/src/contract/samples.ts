import { randomUUID } from "node:crypto";
import type { EventOf, EventType } from "@fineguide-webhooks/core";

/** The secret the contract suite configures (and checks is never echoed). */
export const CONTRACT_SECRET = "contract-suite-secret-9f2c61";
/** A second valid secret, as during a rotation. */
export const ROTATED_SECRET = "contract-suite-rotated-4b7d03";
/** The header the suite configures; not the default, to prove it is honoured. */
export const CONTRACT_HEADER = "x-contract-secret";

const ids = () => ({ botId: randomUUID(), sessionId: randomUUID() });

const builders: { [T in EventType]: () => EventOf<T> } = {
  MESSAGE: () => ({
    type: "MESSAGE",
    ...ids(),
    role: "USER",
    message: "Hi, I need help with my order",
    messageId: randomUUID(),
  }),
  SESSION_OPEN: () => ({ type: "SESSION_OPEN", ...ids() }),
  SESSION_CLOSED: () => ({ type: "SESSION_CLOSED", ...ids() }),
  TICKET: () => ({
    type: "TICKET",
    ...ids(),
    customerName: "John Doe",
    customerEmail: "john@example.com",
    customerMessage: "I need to speak with a human please",
  }),
  CREATE_LEAD: () => ({
    type: "CREATE_LEAD",
    ...ids(),
    organizationId: "org-abc123",
    name: "Jane Smith",
    email: "jane@example.com",
    phone: "+1-555-123-4567",
    location: "New York, USA",
    intent: "Interested in enterprise pricing",
    source: "website",
    props: { campaign: "spring-sale", referrer: "google" },
  }),
  RATE_MESSAGE: () => ({ type: "RATE_MESSAGE", ...ids(), messageId: randomUUID(), rating: 1 }),
  MESSAGE_AUDIO_URL: () => ({
    type: "MESSAGE_AUDIO_URL",
    ...ids(),
    messageId: randomUUID(),
    audioUrl: "https://storage.fineguide.ai/audio/abc123.mp3",
  }),
  VARIABLE_UPDATE: () => ({ type: "VARIABLE_UPDATE", ...ids(), variables: { user_name: "John" } }),
};

/** A valid event of `type` with fresh ids, for the contract suite's probes. */
export const sampleEvent = <T extends EventType>(type: T): EventOf<T> => builders[type]();
