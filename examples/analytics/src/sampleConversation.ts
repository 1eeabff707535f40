/**
 * The vendor page's SESSION_OPEN, MESSAGE, RATE_MESSAGE and SESSION_CLOSED
 * examples as printed, in a conversation's order, for the `curl`s that
 * `npm start` prints. A copy: the test kit (`vendorExamples`, which the tests
 * compare them with) is a dev dependency, not imported at run time. (The
 * page's RATE_MESSAGE belongs to another session than its other examples.)
 *
 * @example
 * ```ts
 * sampleConversation.map((event) => JSON.stringify(event)); // the printed curls' bodies
 * ```
 */
export const sampleConversation = [
  {
    type: "SESSION_OPEN",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  },
  {
    type: "MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
    role: "USER",
    message: "Hi, I need help with my order",
    messageId: "733b7d55-61ea-450f-b585-27755b015596",
  },
  {
    type: "RATE_MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
    messageId: "ad2deddc-6f36-4af7-8b2f-3ddeab122b64",
    rating: 1,
  },
  {
    type: "SESSION_CLOSED",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  },
] as const;
