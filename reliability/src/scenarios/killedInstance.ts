import { setTimeout as sleep } from "node:timers/promises";
import { startRedisServer } from "../../../packages/redis/src/test/redisServer.js";
import { readEffects } from "../effects.js";
import { mixedEvents } from "../mixedEvents.js";
import type { Receiver } from "../ReceiverPool.js";
import { sendLikeVendor } from "../sendLikeVendor.js";
import { type Kill, tallyEvents } from "../tallyEvents.js";
import { eventRow } from "./eventRow.js";
import { effectsFile, receiverConfigFor } from "./receiverConfigFor.js";
import type { Scenario } from "./Scenario.js";

const NAME = "one instance SIGKILLed and restarted";

/**
 * Two receivers share one Redis behind a load balancer that sends each attempt
 * to a random live instance. While the events arrive, instance A is SIGKILLed
 * `kills` times and restarted at once (a new process, as a supervisor would).
 * Requests in flight on A are reset (the vendor retries); claims A held lapse
 * after the lease, before the vendor's retry. An event whose handler recorded
 * its effect on A just before the kill, but whose claim A did not complete,
 * runs again on the retry: the documented crash window.
 */
export const killedInstance: Scenario = {
  name: NAME,
  receivers: (context) => 2 + context.kills,
  needsRedis: true,
  concurrent: true,
  async run(context) {
    const startedAt = performance.now();
    const { timing } = context;
    const redis = await startRedisServer();
    const receivers: Receiver[] = [];
    const kills: Kill[] = [];
    try {
      const config = receiverConfigFor(context, NAME, {
        store: "redis",
        redisUrl: redis.url,
        prefix: "kill:",
        // Handlers take longer, so that a kill finds some in flight.
        workMs: timing.deadlineMs / 2,
      });
      receivers.push(
        ...(await Promise.all([context.pool.start(config), context.pool.start(config)])),
      );
      let [a, b] = receivers as [Receiver, Receiver];
      let live: Receiver[] = [a, b];
      const sending = sendLikeVendor(mixedEvents(context.events), {
        secret: context.secret,
        timing,
        spreadMs: context.spreadMs,
        targets: [() => live[Math.floor(Math.random() * live.length)]!.url],
      });
      const every = context.spreadMs / (context.kills + 1);
      for (let k = 0; k < context.kills; k++) {
        await sleep(every * (0.5 + Math.random()));
        live = [b];
        await a.kill();
        kills.push({ pid: a.pid, at: Date.now() });
        a = await context.pool.start(config);
        receivers.push(a);
        live = [a, b];
      }
      const sent = await sending;
      await sleep(timing.deadlineMs + timing.leaseMs);
      const tally = tallyEvents(sent, readEffects([effectsFile(context, NAME)]), {
        kills,
      });
      return await eventRow(NAME, tally, {
        expectedLossRate: 0,
        receivers,
        startedAt,
        leaseMs: timing.leaseMs,
        notes: [`${kills.length} SIGKILLs of instance A, each restarted at once; Redis store`],
        details: { kills: kills.length },
      });
    } finally {
      await Promise.all(receivers.map((r) => r.stop()));
      await redis.stop();
    }
  },
};
