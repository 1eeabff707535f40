/**
 * The vendor page's MESSAGE example as printed, for the `curl`s that
 * `npm start` prints. A copy: the test kit (`vendorExamples.MESSAGE`, which the
 * tests compare it with) is a dev dependency, not imported at run time.
 *
 * @example
 * ```ts
 * JSON.stringify({ ...sampleMessage, botId }); // the body of a printed curl
 * ```
 */
export const sampleMessage = {
  type: "MESSAGE",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  role: "USER",
  message: "Hi, I need help with my order",
  messageId: "733b7d55-61ea-450f-b585-27755b015596",
} as const;
