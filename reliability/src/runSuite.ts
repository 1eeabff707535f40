import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiverPool } from "./ReceiverPool.js";
import { bundleReceiver } from "./receiverBundle.js";
import type { ScenarioRow } from "./ScenarioRow.js";
import { SCENARIOS, type Scenario, type ScenarioContext } from "./scenarios/index.js";
import { scaledTiming } from "./timing.js";

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  /** Time scale of the vendor's and the receiver's durations (0.01: a minute is 600 ms). */
  readonly scale: number;
  /** Events per event scenario. */
  readonly events: number;
  /** New events a second in each event scenario (their first attempts). */
  readonly rate: number;
  readonly hostileRequests: number;
  /** Events of the memory-store scenario. */
  readonly storeEvents: number;
  /** SIGKILLs in the kill scenario. */
  readonly kills: number;
  /** Whether `redis-server` can be started; the Redis scenarios are skipped otherwise. */
  readonly redis: boolean;
  /**
   * Run the scenarios that allow it (`concurrent`) all at once, then the
   * others one by one: much shorter (the short run in `npm test`), noisier.
   */
  readonly parallel?: boolean;
  /**
   * Build the child receivers from the kit's packages in this directory (a
   * checkout of another commit) instead of this repository's; the memory
   * store scenario still runs this repository's core.
   */
  readonly kitRoot?: string;
  /** Run only the scenarios whose name contains one of these (case-insensitive). */
  readonly only?: readonly string[];
  /** Called as each row is ready (progress). */
  readonly onRow?: (row: ScenarioRow) => void;
}

/** The handler-fault scenarios' rate: 30% of calls go wrong. */
export const FAULT_RATE = 0.3;

const skipped = (scenario: Scenario, why: string): ScenarioRow => ({
  scenario: scenario.name,
  events: 0,
  crashes: 0,
  notes: [`skipped: ${why}`],
  violations: [],
  durationMs: 0,
});

/** The row of a scenario that threw instead of finishing. */
const failed = (scenario: Scenario, error: unknown): ScenarioRow => ({
  scenario: scenario.name,
  events: 0,
  crashes: 0,
  notes: [],
  violations: [
    `the scenario did not finish: ${error instanceof Error ? error.message : String(error)}`,
  ],
  durationMs: 0,
});

/**
 * Runs the scenarios one after the other (or, with `parallel`, the timed ones
 * together first), with every child receiver started
 * ahead of time (see `ReceiverPool`), and returns their rows. Kills every
 * process it started, whatever happens.
 *
 * @example
 * ```ts
 * const rows = await runSuite({ scale: 0.01, events: 5000, hostileRequests: 20_000,
 *   storeEvents: 1_000_000, kills: 10, redis: true });
 * console.log(formatTable(rows));
 * ```
 */
export async function runSuite(options: SuiteOptions): Promise<ScenarioRow[]> {
  const only = options.only?.map((s) => s.toLowerCase());
  const chosen = SCENARIOS.filter(
    (s) => !only || only.some((name) => s.name.toLowerCase().includes(name)),
  );
  const workDir = mkdtempSync(join(tmpdir(), "fgw-reliability-"));
  let pool: ReceiverPool;
  try {
    pool = new ReceiverPool(await bundleReceiver(workDir, options.kitRoot));
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const context: ScenarioContext = {
    timing: scaledTiming(options.scale),
    events: options.events,
    spreadMs: (options.events / options.rate) * 1000,
    hostileRequests: options.hostileRequests,
    storeEvents: options.storeEvents,
    kills: options.kills,
    faultRate: FAULT_RATE,
    pool,
    workDir,
    secret: "reliability-secret",
  };
  const runnable = chosen.filter((s) => options.redis || !s.needsRedis);
  const rows: ScenarioRow[] = [];
  try {
    pool.prewarm(runnable.reduce((n, s) => n + s.receivers(context), 0));
    await pool.ready();
    const run = async (scenario: Scenario) => {
      const row = runnable.includes(scenario)
        ? await scenario.run(context).catch((error: unknown) => failed(scenario, error))
        : skipped(scenario, "redis-server not found");
      options.onRow?.(row);
      return row;
    };
    const together = options.parallel ? chosen.filter((s) => s.concurrent) : [];
    const early = new Map(
      (await Promise.all(together.map(run))).map((row, i) => [together[i]!, row] as const),
    );
    for (const scenario of chosen) rows.push(early.get(scenario) ?? (await run(scenario)));
    return rows;
  } finally {
    await pool.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
