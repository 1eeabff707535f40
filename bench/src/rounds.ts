import type { Webhooks } from "@fineguide-webhooks/core";
import { Bench, type FnOptions } from "tinybench";
import { BENCH_HEADERS } from "./adapterBench.js";

/** Bodies in a pool: past it every body repeats, so a subject is made anew to keep each new. */
export const POOL = 50_000;
/** Milliseconds each task runs per round (`BENCH_TIME_MS`, default 500). */
export const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
/** Rounds of every task (`BENCH_ROUNDS`, default 6). */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

/** A task of {@link runRounds}: its name, the timed call and tinybench's hooks. */
export interface RoundTask {
  readonly name: string;
  readonly fn: () => unknown;
  readonly hooks?: FnOptions;
}

/**
 * A task delivering the pool's bodies in turn to a subject (a receiver), made
 * anew every {@link POOL} deliveries so that each delivery is a new event. The
 * subject is made in tinybench's `beforeEach`, outside the timed call: a
 * receiver is made once per process, not once per 50 000 deliveries.
 *
 * The timed call is `deliver` alone, its promise awaited once by tinybench, as
 * a caller awaits `receive()`: whether a delivery was processed is counted by
 * the handler, which `make` wires to the `processed` callback it is given
 * (called once per event its handler runs for), not by code awaiting the
 * answer in the timed call. `failures()` counts deliveries never processed.
 *
 * @example
 * ```ts
 * const task = poolTask("receive", bodies, (processed) => createWebhooks({ ...options, onAny: processed }),
 *   (webhooks, body) => webhooks.receive({ method: "POST", headers, body }));
 * ```
 */
export function poolTask<S>(
  name: string,
  bodies: readonly string[],
  make: (processed: () => void) => S,
  deliver: (subject: S, body: string) => Promise<unknown>,
): RoundTask & { readonly failures: () => number } {
  let delivered = 0;
  let processed = 0;
  const count = () => {
    processed++;
  };
  let subject = make(count);
  return {
    name,
    fn: () => deliver(subject, bodies[delivered++ % POOL]!),
    hooks: {
      beforeEach() {
        if (delivered > 0 && delivered % POOL === 0) subject = make(count);
      },
    },
    failures: () => delivered - processed,
  };
}

/**
 * Runs every task in each of {@link ROUNDS} rounds for {@link TIME_MS}, which
 * goes first rotating (none always first or last), and returns each task's
 * throughput (operations/s) per round, in round order.
 *
 * @example
 * ```ts
 * const perRound = await runRounds([baseline, receive]);
 * const ratios = perRound.get("receive")!.map((r, i) => perRound.get("baseline")![i]! / r);
 * ```
 */
export async function runRounds(tasks: readonly RoundTask[]): Promise<Map<string, number[]>> {
  const throughputs = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmup: true });
    for (let t = 0; t < tasks.length; t++) {
      const { name, fn, hooks } = tasks[(round + t) % tasks.length]!;
      bench.add(name, fn, hooks);
    }
    await bench.run();
    for (const { name } of tasks) {
      const r = bench.tasks.find((t) => t.name === name)?.result;
      if (!r || !("throughput" in r)) throw new Error(`${name} did not run`);
      throughputs.get(name)!.push(r.throughput.mean);
    }
  }
  return throughputs;
}

/** Per round, `over`'s throughput divided by `under`'s: how many times longer `under` takes. */
export const ratios = (over: readonly number[], under: readonly number[]): number[] =>
  over.map((value, i) => value / under[i]!);

/**
 * Delivers one body to a receiver with the bench's secret and content type, as
 * {@link poolTask} times it: the call to `receive()` and nothing else.
 *
 * @example
 * ```ts
 * poolTask("receive", bodies, (processed) => createWebhooks({ ...options, onAny: processed }), deliverTo);
 * ```
 */
export const deliverTo = (webhooks: Pick<Webhooks, "receive">, body: string): Promise<unknown> =>
  webhooks.receive({ method: "POST", headers: BENCH_HEADERS, body });
