import type { DedupeScript } from "./scripts.js";

/**
 * Runs one of the store's scripts on one key in one round trip; the small
 * surface each client adapter implements.
 */
export interface ScriptRunner {
  run(script: DedupeScript, key: string, args: string[]): Promise<unknown>;
}
