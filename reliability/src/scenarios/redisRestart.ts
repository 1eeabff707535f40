import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type RedisServer,
  startRedisServer,
} from "../../../packages/redis/src/test/redisServer.js";
import { readEffects } from "../effects.js";
import { mixedEvents } from "../mixedEvents.js";
import type { Receiver } from "../ReceiverPool.js";
import { sendLikeVendor } from "../sendLikeVendor.js";
import { type StoreReset, tallyEvents } from "../tallyEvents.js";
import { eventRow } from "./eventRow.js";
import { effectsFile, receiverConfigFor } from "./receiverConfigFor.js";
import type { Scenario } from "./Scenario.js";

const NAME = "Redis restarted";

/**
 * Two receivers share one Redis (persistence off). A third of the way through
 * the events, Redis is SIGKILLed, stays down for five vendor minutes, and
 * is started again on the same port, empty. Deliveries meanwhile are answered
 * 503 store_unavailable (fail closed) and retried; a handler that succeeded
 * while Redis was away is answered 200 (its `complete` failing is logged).
 * The effects are recorded in files, not in the Redis that restarts. The
 * restart forgets the done keys: an event whose handler succeeded before it
 * but whose 2xx did not reach the vendor (answered 503 at the deadline, or
 * too late) runs again on its retry, the store's crash window.
 */
export const redisRestart: Scenario = {
  name: NAME,
  receivers: () => 2,
  needsRedis: true,
  concurrent: true,
  async run(context) {
    const startedAt = performance.now();
    const { timing } = context;
    let redis: RedisServer = await startRedisServer();
    const receivers: Receiver[] = [];
    try {
      const config = receiverConfigFor(context, NAME, {
        store: "redis",
        redisUrl: redis.url,
        prefix: "restart:",
        workMs: timing.deadlineMs / 5,
      });
      receivers.push(
        ...(await Promise.all([context.pool.start(config), context.pool.start(config)])),
      );
      const sending = sendLikeVendor(mixedEvents(context.events), {
        secret: context.secret,
        timing,
        spreadMs: context.spreadMs,
        targets: [() => receivers[Math.floor(Math.random() * receivers.length)]!.url],
      });
      await sleep(context.spreadMs / 3);
      // Five vendor minutes (a quarter of the spread if shorter): an event whose first attempts
      // meet the dead store still has its later attempts (6 and 21 minutes after the first).
      // A longer outage loses events by design (fail closed, and the vendor gives up).
      const downMs = Math.min(context.spreadMs / 4, timing.retryDelaysMs[1] ?? 0);
      await redis.stop("SIGKILL");
      const from = Date.now();
      await sleep(downMs);
      // On a stalled machine no delivery may have come in yet: stay down until a receiver
      // met the dead store (a 503 store_unavailable or a failed complete), so the fault is real.
      const file = effectsFile(context, NAME);
      const metDeadStore = () =>
        existsSync(file) &&
        /^(outcome\t503 store_unavailable|complete\t.*\terror)$/m.test(readFileSync(file, "utf8"));
      const giveUp = Date.now() + Math.max(10 * downMs, 30_000);
      while (!metDeadStore() && Date.now() < giveUp) await sleep(50);
      const wasDownMs = Date.now() - from;
      redis = await startRedisServer({ port: redis.port });
      const reset: StoreReset = { from, to: Date.now() };
      const sent = await sending;
      await sleep(timing.deadlineMs + timing.leaseMs);
      const tally = tallyEvents(sent, readEffects([effectsFile(context, NAME)]), {
        storeResets: [reset],
      });
      return await eventRow(NAME, tally, {
        expectedLossRate: 0,
        receivers,
        startedAt,
        leaseMs: timing.leaseMs,
        notes: [`Redis SIGKILLed, down ${Math.round(wasDownMs)} ms, restarted empty on its port`],
      });
    } finally {
      await Promise.all(receivers.map((r) => r.stop()));
      await redis.stop();
    }
  },
};
