import { setTimeout as sleep } from "node:timers/promises";
import { startRedisServer } from "../../../packages/redis/src/test/redisServer.js";
import { readEffects } from "../effects.js";
import { mixedEvents } from "../mixedEvents.js";
import type { Receiver } from "../ReceiverPool.js";
import { sendLikeVendor } from "../sendLikeVendor.js";
import { tallyEvents } from "../tallyEvents.js";
import { eventRow } from "./eventRow.js";
import { effectsFile, receiverConfigFor } from "./receiverConfigFor.js";
import type { Scenario } from "./Scenario.js";

const NAME = "delivered twice at once to two instances";

/**
 * Two receivers share one Redis; every event is delivered to both at the same
 * moment, each copy with its own vendor schedule. One copy runs the handler;
 * the other is answered 200 duplicate, or 503 in_progress and its retry is a
 * duplicate.
 */
export const twoInstances: Scenario = {
  name: NAME,
  receivers: () => 2,
  needsRedis: true,
  concurrent: true,
  async run(context) {
    const startedAt = performance.now();
    const { timing } = context;
    const redis = await startRedisServer();
    const receivers: Receiver[] = [];
    try {
      const config = receiverConfigFor(context, NAME, {
        store: "redis",
        redisUrl: redis.url,
        prefix: "two:",
        workMs: timing.deadlineMs / 5,
      });
      receivers.push(
        ...(await Promise.all([context.pool.start(config), context.pool.start(config)])),
      );
      const [a, b] = receivers as [Receiver, Receiver];
      const sent = await sendLikeVendor(mixedEvents(context.events), {
        secret: context.secret,
        timing,
        // Half the events a second: as many requests a second as the other scenarios.
        spreadMs: context.spreadMs * 2,
        targets: [() => a.url, () => b.url],
      });
      await sleep(timing.deadlineMs + timing.leaseMs);
      const tally = tallyEvents(sent, readEffects([effectsFile(context, NAME)]));
      return await eventRow(NAME, tally, {
        expectedLossRate: 0,
        receivers,
        startedAt,
        leaseMs: timing.leaseMs,
        notes: ["one copy runs, the other is a duplicate (or 503 in_progress, then a duplicate)"],
      });
    } finally {
      await Promise.all(receivers.map((r) => r.stop()));
      await redis.stop();
    }
  },
};
