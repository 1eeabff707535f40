import { handlerFaultScenario } from "./handlerFault.js";

/**
 * 30% of handler calls ignore `ctx.signal` and finish at 1.2 times the
 * deadline, after the receiver answered 503: their success completes the
 * claim (still within its lease), so the vendor's retry is a duplicate.
 * Nothing is lost and nothing runs twice.
 */
export const ignoringSignal = handlerFaultScenario({
  name: "ignoring the signal (30%)",
  fault: "ignore-signal",
  expectedLoss: () => 0,
  note: "503 at the deadline, the call finishes later and completes, the retry is a duplicate",
});
