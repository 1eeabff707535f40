import { failingHandlers } from "./failingHandlers.js";
import { hostileRequests } from "./hostileRequests.js";
import { ignoringSignal } from "./ignoringSignal.js";
import { killedInstance } from "./killedInstance.js";
import { millionEvents } from "./millionEvents.js";
import { neverSettling } from "./neverSettling.js";
import { redisRestart } from "./redisRestart.js";
import type { Scenario } from "./Scenario.js";
import { slowHandlers } from "./slowHandlers.js";
import { twoInstances } from "./twoInstances.js";

export type { Scenario, ScenarioContext } from "./Scenario.js";

/** Every scenario of issue 9, in the table's order. */
export const SCENARIOS: readonly Scenario[] = [
  failingHandlers,
  slowHandlers,
  ignoringSignal,
  neverSettling,
  twoInstances,
  killedInstance,
  redisRestart,
  hostileRequests,
  millionEvents,
];
