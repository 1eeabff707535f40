import { Agent } from "node:http";
import { createEvent, postEvent } from "@fineguide-webhooks/testing";
import { createHostileInputs, type HostileInput } from "../hostileInputs.js";
import type { MemorySample, Receiver } from "../ReceiverPool.js";
import { sendHostile } from "../sendHostile.js";
import { receiverConfigFor } from "./receiverConfigFor.js";
import type { Scenario } from "./Scenario.js";

const NAME = "hostile requests";
/** Requests in flight at once. */
const CONCURRENCY = 8;
/** Memory samples over the run. */
const SAMPLES = 20;
/** Heap (after GC) may grow this much from the first sample to the last. */
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Hostile requests (see `hostileInputs.ts`) over real sockets to one receiver
 * (memory store), eight at a time, its heap sampled after a GC twenty times.
 * Invariants: no 5xx, no crash (a crash is reported with the inputs in flight,
 * and the receiver restarted to go on), every complete request answered, heap
 * growth bounded, `Object.prototype` untouched, and a valid event still
 * answered 200 at the end.
 */
export const hostileRequests: Scenario = {
  name: NAME,
  receivers: () => 1,
  needsRedis: false,
  concurrent: false,
  async run(context) {
    const startedAt = performance.now();
    const total = context.hostileRequests;
    // Core's own deadline and lease: this scenario is about input, not time.
    const config = receiverConfigFor(context, NAME, {
      effectsFile: undefined,
      workMs: 0,
      deadlineMs: undefined,
      leaseMs: undefined,
    });
    const receivers: Receiver[] = [await context.pool.start(config)];
    const current = () => receivers[receivers.length - 1]!;
    let restarting: Promise<void> | undefined;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const next = createHostileInputs({ secret: context.secret, maxBodyBytes: 1024 * 1024 });

    const byKind = new Map<string, Map<string, number>>();
    const serverErrors = new Map<string, number>();
    const unanswered = new Map<string, number>();
    const crashInputs: string[] = [];
    const samples: MemorySample[] = [];
    const inFlight = new Set<HostileInput>();
    let sent = 0;
    const sampleEvery = Math.max(1, Math.floor(total / SAMPLES));

    const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

    const restartIfDead = async () => {
      if (current().alive()) return;
      if (!restarting) {
        crashInputs.push([...inFlight].map((i) => `${i.kind}: ${i.label}`).join(" | "));
        restarting = context.pool.start(config).then((receiver) => {
          receivers.push(receiver);
          restarting = undefined;
        });
      }
      await restarting;
    };

    const worker = async () => {
      while (sent < total) {
        const index = sent++;
        if (index > 0 && index % sampleEvery === 0) {
          const sample = await current()
            .memory()
            .catch(() => undefined);
          if (sample) samples.push(sample);
        }
        const input = next();
        inFlight.add(input);
        const answer = await sendHostile(input, current().port, agent);
        inFlight.delete(input);
        const kinds = byKind.get(input.kind) ?? new Map<string, number>();
        byKind.set(input.kind, kinds);
        count(kinds, answer.status === undefined ? (answer.error ?? "?") : String(answer.status));
        if (answer.status !== undefined && answer.status >= 500) {
          count(serverErrors, `${answer.status} ${input.kind}: ${input.label}`);
        }
        if (answer.status === undefined && input.transport !== "half-body") {
          count(unanswered, `${answer.error} ${input.kind}: ${input.label}`);
        }
        await restartIfDead();
      }
    };

    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      await restartIfDead();
      samples.push(await current().memory());
      const canary = await postEvent(current().url, createEvent("TICKET"), {
        secret: context.secret,
      });
      const canaryStatus = canary.status;
      await canary.text();

      const crashes = receivers.flatMap((r) => r.crash() ?? []);
      const first = samples[0];
      const last = samples[samples.length - 1];
      const growth = first && last ? last.heapUsed - first.heapUsed : 0;
      const polluted = [...new Set(samples.flatMap((s) => s.polluted))];
      const fiveXx = [...serverErrors.values()].reduce((a, b) => a + b, 0);

      const violations: string[] = [];
      if (fiveXx > 0) {
        const families = new Map<string, number>();
        for (const [label, n] of serverErrors) {
          const family = label.slice(label.indexOf(" ") + 1, label.indexOf(":"));
          families.set(family, (families.get(family) ?? 0) + n);
        }
        const labels = [...serverErrors.keys()];
        violations.push(
          `${fiveXx} answers 5xx to bad input (${[...families].map(([f, n]) => `${f} ${n}`).join(", ")}): ` +
            `${labels.slice(0, 12).join(" || ")}${labels.length > 12 ? ` || and ${labels.length - 12} more (--json)` : ""}`,
        );
      }
      for (const [i, crash] of crashes.entries()) {
        violations.push(
          `receiver crashed (${crash.slice(0, 200)}) with in flight: ${crashInputs[i] ?? "?"}`,
        );
      }
      if (unanswered.size > 0) {
        violations.push(`complete requests never answered: ${[...unanswered.keys()].join(" || ")}`);
      }
      if (growth > HEAP_GROWTH_LIMIT) {
        violations.push(`heap grew ${mb(growth)} (limit ${mb(HEAP_GROWTH_LIMIT)})`);
      }
      if (polluted.length > 0) violations.push(`Object.prototype polluted: ${polluted.join(", ")}`);
      if (canaryStatus !== 200) violations.push(`a valid event afterwards got ${canaryStatus}`);

      const statuses = new Map<string, number>();
      for (const kinds of byKind.values()) {
        for (const [status, n] of kinds) statuses.set(status, (statuses.get(status) ?? 0) + n);
      }
      const rssMax = Math.max(...samples.map((s) => s.rss));
      return {
        scenario: NAME,
        events: total,
        serverErrors: fiveXx,
        crashes: crashes.length,
        notes: [
          `heap after GC ${mb(first?.heapUsed ?? 0)} -> ${mb(last?.heapUsed ?? 0)}, RSS max ${mb(rssMax)}`,
          `answers: ${[...statuses]
            .sort((a, b) => b[1] - a[1])
            .map(([s, n]) => `${s}×${n}`)
            .join(", ")}`,
          `a valid event afterwards: ${canaryStatus}`,
        ],
        violations,
        durationMs: performance.now() - startedAt,
        details: {
          answersByFamily: Object.fromEntries(
            [...byKind].map(([kind, kinds]) => [kind, Object.fromEntries(kinds)]),
          ),
          serverErrors: Object.fromEntries(serverErrors),
          heapSamples: samples.map((sample) => sample.heapUsed),
        },
      };
    } finally {
      agent.destroy();
      await Promise.all(receivers.map((r) => r.stop()));
    }
  },
};
