import { join } from "node:path";
import type { ReceiverConfig } from "../receiverConfig.js";
import type { ScenarioContext } from "./Scenario.js";

/**
 * A receiver's configuration for a scenario: the scaled deadline and lease,
 * the memory store, no fault, handlers working up to a tenth of the deadline,
 * effects in `<workDir>/<name>.effects`; `overrides` win.
 */
export function receiverConfigFor(
  context: ScenarioContext,
  name: string,
  overrides: Partial<ReceiverConfig> = {},
): ReceiverConfig {
  const { timing } = context;
  return {
    secret: context.secret,
    store: "memory",
    fault: "none",
    faultRate: 0,
    deadlineMs: timing.deadlineMs,
    leaseMs: timing.leaseMs,
    workMs: timing.deadlineMs / 10,
    effectsFile: effectsFile(context, name),
    ...overrides,
  };
}

/** Where the receivers of scenario `name` record their effects. */
export function effectsFile(context: ScenarioContext, name: string): string {
  return join(context.workDir, `${name.replace(/[^a-z0-9]+/gi, "-")}.effects`);
}
