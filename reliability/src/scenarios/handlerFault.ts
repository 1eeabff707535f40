import { setTimeout as sleep } from "node:timers/promises";
import { readEffects } from "../effects.js";
import { mixedEvents } from "../mixedEvents.js";
import type { Fault } from "../receiverConfig.js";
import { sendLikeVendor } from "../sendLikeVendor.js";
import { tallyEvents } from "../tallyEvents.js";
import { eventRow } from "./eventRow.js";
import { effectsFile, receiverConfigFor } from "./receiverConfigFor.js";
import type { Scenario } from "./Scenario.js";

/** Options of {@link handlerFaultScenario}. */
export interface HandlerFaultOptions {
  readonly name: string;
  readonly fault: Fault;
  /** The share of events expected lost when `rate` of the handler calls go wrong. */
  readonly expectedLoss: (rate: number) => number;
  readonly note: string;
}

/**
 * A scenario with one receiver (memory store) whose handlers go wrong in
 * `fault` for the context's fault rate of their calls, each call on its own.
 */
export function handlerFaultScenario(options: HandlerFaultOptions): Scenario {
  return {
    name: options.name,
    receivers: () => 1,
    needsRedis: false,
    concurrent: true,
    async run(context) {
      const startedAt = performance.now();
      const { timing, faultRate } = context;
      const receiver = await context.pool.start(
        receiverConfigFor(context, options.name, { fault: options.fault, faultRate }),
      );
      try {
        const sent = await sendLikeVendor(mixedEvents(context.events), {
          secret: context.secret,
          timing,
          spreadMs: context.spreadMs,
          targets: [() => receiver.url],
        });
        // Handlers that outlived their last attempt's answer may still record.
        await sleep(timing.deadlineMs + timing.leaseMs);
        const tally = tallyEvents(sent, readEffects([effectsFile(context, options.name)]));
        return await eventRow(options.name, tally, {
          expectedLossRate: options.expectedLoss(faultRate),
          receivers: [receiver],
          startedAt,
          leaseMs: timing.leaseMs,
          notes: [options.note],
        });
      } finally {
        await receiver.stop();
      }
    },
  };
}
