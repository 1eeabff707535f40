import { handlerFaultScenario } from "./handlerFault.js";

/**
 * 30% of handler calls return a promise that never settles. The receiver
 * answers 503 at the deadline and stops renewing the lease, so the claim
 * lapses before the vendor's next attempt, which runs the handler again: an
 * event is lost only when four calls in a row hang (0.81%).
 */
export const neverSettling = handlerFaultScenario({
  name: "never settling (30%)",
  fault: "never-settle",
  expectedLoss: (rate) => rate ** 4,
  note: "503 at the deadline, the claim lapses, the retry runs",
});
