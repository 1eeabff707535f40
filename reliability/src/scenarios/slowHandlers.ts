import { handlerFaultScenario } from "./handlerFault.js";

/**
 * 30% of handler calls run twice the deadline and honour `ctx.signal`: at the
 * deadline the receiver answers 503 and fires the signal, the handler stops
 * without its effect, the claim is released and the retry runs it again.
 */
export const slowHandlers = handlerFaultScenario({
  name: "slow past the deadline (30%)",
  fault: "slow",
  expectedLoss: (rate) => rate ** 4,
  note: "503 at the deadline, the aborted call records nothing, the retry runs",
});
