import { randomUUID } from "node:crypto";

/**
 * Unique delivery ids: a random UUID per process and a counter. Unique across
 * processes (they double as dedupe owner tokens in a shared store) and far
 * cheaper than a random UUID per delivery.
 */
export function createDeliveryIds(): () => string {
  const prefix = randomUUID();
  let counter = 0;
  return () => `${prefix}.${(++counter).toString(36)}`;
}
