import { handlerFaultScenario } from "./handlerFault.js";

/**
 * Handlers throw on 30% of their calls, before their effect: answered 500, the
 * claim released, the vendor retries; an event is lost only when all four
 * calls fail (0.3^4 = 0.81%).
 */
export const failingHandlers = handlerFaultScenario({
  name: "handlers failing 30%",
  fault: "fail",
  expectedLoss: (rate) => rate ** 4,
  note: "500 then retry; lost only if 4 calls in a row fail",
});
