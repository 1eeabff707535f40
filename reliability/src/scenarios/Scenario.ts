import type { ReceiverPool } from "../ReceiverPool.js";
import type { ScenarioRow } from "../ScenarioRow.js";
import type { Timing } from "../timing.js";

/** What every scenario is given. */
export interface ScenarioContext {
  readonly timing: Timing;
  /** Events per event scenario. */
  readonly events: number;
  /** Over how long the first attempts of those events are spread, in ms. */
  readonly spreadMs: number;
  /** Requests of the hostile scenario. */
  readonly hostileRequests: number;
  /** Events of the memory-store scenario. */
  readonly storeEvents: number;
  /** How many times the kill scenario SIGKILLs an instance. */
  readonly kills: number;
  /** The share of handler calls that go wrong in the handler-fault scenarios (0.3). */
  readonly faultRate: number;
  readonly pool: ReceiverPool;
  /** A directory for the effects files, removed after the run. */
  readonly workDir: string;
  readonly secret: string;
}

/** One scenario of the suite. */
export interface Scenario {
  /** Its row's name in the table. */
  readonly name: string;
  /** How many child receivers it starts, restarts included (to start them ahead of time). */
  receivers(context: ScenarioContext): number;
  /** Whether it needs `redis-server`. */
  readonly needsRedis: boolean;
  /**
   * Whether it may run at the same time as the other such scenarios (mostly
   * waiting on timers, little CPU). The CPU-bound ones run alone.
   */
  readonly concurrent: boolean;
  run(context: ScenarioContext): Promise<ScenarioRow>;
}
