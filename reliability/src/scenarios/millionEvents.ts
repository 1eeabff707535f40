import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createWebhooks, type WebhookRequest } from "@fineguide-webhooks/core";
import type { ScenarioRow } from "../ScenarioRow.js";
import type { Scenario } from "./Scenario.js";

const NAME = "a million events through the memory store";
const BOT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
const SESSION_ID = "0b7e4c52-27d1-4d36-9f0e-3c1f6b2f8a90";
/** Every tenth event is delivered again this many events later (inside the LRU's 100k keys). */
const REDELIVER_AFTER = 1000;
/** Once the store is full, the heap (after GC) may grow this much more. */
const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;
/** The memory store's default bound, in keys. */
const STORE_MAX = 100_000;

/** `global.gc`, exposed at run time when node was started without `--expose-gc`. */
function gc(): () => void {
  if (globalThis.gc) return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The messageId of event `i`: a UUID whose last 12 hex digits are `i`. */
const messageId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

/**
 * `storeEvents` MESSAGE events (one million in the full run) through core's
 * `receive()` with the default memory store, in process, no HTTP. The handler
 * counts each event's runs; every tenth event is delivered again 1,000 events
 * later and must be a duplicate. The heap is sampled after a GC ten times.
 * Invariants: each event processed exactly once, every answer 200, the heap
 * bounded once the store holds its 100k keys.
 */
export const millionEvents: Scenario = {
  name: NAME,
  receivers: () => 0,
  needsRedis: false,
  concurrent: false,
  async run(context): Promise<ScenarioRow> {
    const startedAt = performance.now();
    const total = context.storeEvents;
    const runs = new Uint8Array(total);
    const collect = gc();
    const webhooks = createWebhooks({
      secret: context.secret,
      onMessage: (message) => {
        const i = Number.parseInt(message.messageId.slice(24), 16);
        runs[i] = (runs[i] ?? 0) + 1;
      },
    });
    const headers = { "content-type": "application/json", "x-webhook-secret": context.secret };
    const request = (i: number): WebhookRequest => ({
      method: "POST",
      headers,
      body: `{"type":"MESSAGE","botId":"${BOT_ID}","sessionId":"${SESSION_ID}","messageId":"${messageId(i)}","role":"USER","message":"event ${i}"}`,
    });

    const sampleEvery = Math.max(1, Math.floor(total / 10));
    const heap: { at: number; used: number }[] = [];
    let notOk = 0;
    let redelivered = 0;
    let redeliveredNotDuplicate = 0;
    const acked = new Uint8Array(total);
    for (let i = 0; i < total; i++) {
      const answer = await webhooks.receive(request(i));
      if (answer.status === 200) acked[i] = 1;
      else notOk++;
      const again = i - REDELIVER_AFTER;
      if (again >= 0 && again % 10 === 0) {
        redelivered++;
        const second = await webhooks.receive(request(again));
        if (second.outcome !== "duplicate") redeliveredNotDuplicate++;
      }
      if ((i + 1) % sampleEvery === 0) {
        collect();
        heap.push({ at: i + 1, used: process.memoryUsage().heapUsed });
      }
    }

    let once = 0;
    let twice = 0;
    let ackedUnprocessed = 0;
    let lost = 0;
    for (let i = 0; i < total; i++) {
      if (runs[i] === 1) once++;
      else if ((runs[i] ?? 0) > 1) twice++;
      if (acked[i] === 1 && runs[i] === 0) ackedUnprocessed++;
      if (acked[i] === 0 && runs[i] === 0) lost++;
    }
    // The heap once the store is full (or the first sample, for short runs) against the last.
    const full = heap.find((s) => s.at >= 2 * STORE_MAX) ?? heap[0];
    const last = heap[heap.length - 1];
    const growth = full && last ? last.used - full.used : 0;

    const violations: string[] = [];
    if (twice > 0) violations.push(`${twice} events processed twice or more`);
    if (once !== total) violations.push(`${total - once} events not processed exactly once`);
    if (ackedUnprocessed > 0) violations.push(`${ackedUnprocessed} acknowledged, never processed`);
    if (notOk > 0) violations.push(`${notOk} first deliveries not answered 200`);
    if (redeliveredNotDuplicate > 0) {
      violations.push(`${redeliveredNotDuplicate} of ${redelivered} redeliveries not duplicates`);
    }
    if (growth > HEAP_GROWTH_LIMIT) {
      violations.push(
        `heap grew ${mb(growth)} after event ${full?.at} (limit ${mb(HEAP_GROWTH_LIMIT)})`,
      );
    }
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      scenario: NAME,
      events: total,
      exactlyOnce: once,
      twiceOrMore: twice,
      ackedUnprocessed,
      lost,
      expectedLossRate: 0,
      crashes: 0,
      notes: [
        `${total.toLocaleString("en-US")} events in process, receive() without HTTP, ${Math.round((total + redelivered) / seconds).toLocaleString("en-US")} deliveries/s`,
        `${redelivered.toLocaleString("en-US")} redeliveries ${REDELIVER_AFTER} events later, ${redelivered - redeliveredNotDuplicate} duplicates`,
        `heap after GC ${mb(full?.used ?? 0)} at event ${(full?.at ?? 0).toLocaleString("en-US")} -> ${mb(last?.used ?? 0)} at the end`,
      ],
      violations,
      durationMs: performance.now() - startedAt,
    };
  },
};
