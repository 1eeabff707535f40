import { createDelivery, type DeliveryOptions, type DeliveryPayload } from "./createDelivery.js";

/**
 * The part of a supertest `Test` (or superagent request) the helper uses, so
 * this package does not depend on supertest.
 */
export interface SupertestLike<T> {
  set(field: string, value: string): T;
  send(data: string): T;
}

/**
 * Sets the delivery's headers and body on a supertest request and returns it,
 * ready for `.expect()` or `await`.
 *
 * @example
 * ```ts
 * import request from "supertest";
 * import { createEvent, sendWithSupertest } from "@fineguide-webhooks/testing";
 *
 * it("opens a helpdesk ticket", async () => {
 *   await sendWithSupertest(request(app).post("/webhook"), createEvent("TICKET"), { secret }).expect(200);
 *   expect(helpdesk.tickets).toHaveLength(1);
 * });
 * ```
 */
export function sendWithSupertest<T extends SupertestLike<T>>(
  test: T,
  event: DeliveryPayload,
  options?: DeliveryOptions,
): T {
  const delivery = createDelivery(event, options);
  let req = test;
  for (const [name, value] of Object.entries(delivery.headers)) req = req.set(name, value);
  return req.send(delivery.body);
}
