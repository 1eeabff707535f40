/**
 * The vendor page's VARIABLE_UPDATE example as printed, for the `curl` that
 * `npm start` prints. A copy: the test kit (`vendorExamples.VARIABLE_UPDATE`,
 * which the tests compare it with) is a dev dependency, not imported at run time.
 *
 * @example
 * ```ts
 * JSON.stringify(sampleVariableUpdate); // the body of the printed curl
 * ```
 */
export const sampleVariableUpdate = {
  type: "VARIABLE_UPDATE",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "ee9181d5-33b0-4433-ad88-2c1e6e28a26b",
  variables: {
    user_name: "John",
    product_interest: "Enterprise Plan",
    company_size: "50-100",
  },
} as const;
