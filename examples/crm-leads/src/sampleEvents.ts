/**
 * The vendor page's CREATE_LEAD and TICKET examples, for the `curl`s that
 * `npm start` prints, with one change: the page shows its e-mail addresses
 * obfuscated (`[email protected]`, what its site does to addresses), so
 * they are example.com addresses here, as a real lead and ticket carry. A
 * copy: the test kit (`vendorExamples`, which the tests compare them with)
 * is a dev dependency, not imported at run time.
 *
 * @example
 * ```ts
 * JSON.stringify(sampleLead); // the body of the printed curl
 * ```
 */
export const sampleLead = {
  type: "CREATE_LEAD",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
  organizationId: "org-abc123",
  name: "Jane Smith",
  email: "jane.smith@example.com",
  phone: "+1-555-123-4567",
  location: "New York, USA",
  intent: "Interested in enterprise pricing",
  source: "website",
  props: {
    campaign: "spring-sale",
    referrer: "google",
  },
} as const;

/** The vendor page's TICKET example (see {@link sampleLead} about its e-mail). */
export const sampleTicket = {
  type: "TICKET",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
  customerName: "John Doe",
  customerEmail: "john.doe@example.com",
  customerMessage: "I need to speak with a human please",
} as const;
