/**
 * A receiver in its own process: an Express app with `fineguideWebhook` on
 * POST /webhook and GET /memory (heap after a GC, whether `Object.prototype`
 * was polluted, and the longest event-loop stall so far). It loads its modules, says `{ ready: true }`
 * over IPC and waits for its {@link ReceiverConfig} as the next IPC message
 * (so a parent can start receivers ahead of time, see `ReceiverPool`), then
 * listens on a free port and sends `{ port }`. Exits when the parent
 * disconnects.
 *
 * The one handler (`onAny`) works a little, goes wrong as configured, and only
 * then appends a `run` line (the event's `sessionId`, unique per generated
 * event, the delivery id, pid, arrival and time) to the effects file with a
 * synchronous write: a line is there exactly when a handler call succeeded,
 * even if the process is SIGKILLed right after. The store is wrapped so that
 * each `complete` appends how it ended (`trackCompletes`); an injected fault
 * appends a `fault` line, and every answer an `outcome` line (`onOutcome`).
 */
import { openSync, writeSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AnyEvent,
  createWebhooks,
  type DedupeStore,
  memoryStore,
  type WebhookContext,
} from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { redisStore } from "@fineguide-webhooks/redis";
import express from "express";
import { Redis } from "ioredis";
import type { ReceiverConfig } from "./receiverConfig.js";
import { trackCompletes } from "./trackCompletes.js";

// The parent is the only reason to live: without it, exit (the fd and sockets close with us).
process.once("disconnect", () => process.exit(0));
process.send?.({ ready: true });
const config = await new Promise<ReceiverConfig>((resolve) => {
  process.once("message", (message: ReceiverConfig) => resolve(message));
});

const redis =
  config.store === "redis"
    ? new Redis(config.redisUrl ?? "", {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: config.storeTimeoutMs ?? 1000,
        connectTimeout: 1000,
        retryStrategy: () => 50,
      })
    : undefined;
redis?.on("error", () => {});
// A first connection that fails (a loaded machine) is retried by ioredis every 50 ms;
// until it is up, the store answers 503 and the vendor retries, as in production.
await redis?.connect().catch(() => {});

const effects = config.effectsFile === undefined ? undefined : openSync(config.effectsFile, "a");
/** One line of the effects file (see `effects.ts`), written at once, before anything else runs. */
const log = (line: string) => {
  if (effects !== undefined) writeSync(effects, `${line}\n`);
};
const record = (id: string, ctx: WebhookContext) =>
  log(`run\t${id}\t${ctx.deliveryId}\t${process.pid}\t${ctx.receivedAt.getTime()}\t${Date.now()}`);

const store: DedupeStore = trackCompletes(
  redis
    ? redisStore({
        client: redis,
        prefix: config.prefix ?? "reliability:",
        timeoutMs: config.storeTimeoutMs ?? 1000,
      })
    : memoryStore(),
  (token, outcome) => log(`complete\t${token}\t${outcome}`),
);

const never = new Promise<never>(() => {});

async function handler(event: AnyEvent, ctx: WebhookContext): Promise<void> {
  if (config.workMs > 0) await sleep(Math.random() * config.workMs);
  if (Math.random() < config.faultRate && config.fault !== "none") {
    log(`fault\t${config.fault}`);
    switch (config.fault) {
      case "fail":
        throw new Error("injected failure");
      case "slow":
        // Rejects with an AbortError when the receiver fires the signal at the deadline.
        await sleep((config.deadlineMs ?? 25_000) * 2, undefined, { signal: ctx.signal });
        break;
      case "ignore-signal":
        await sleep((config.deadlineMs ?? 25_000) * 1.2);
        break;
      case "never-settle":
        await never;
        break;
    }
  }
  const id =
    typeof event.sessionId === "string" ? event.sessionId : JSON.stringify(event.sessionId);
  record(id, ctx);
}

const webhooks = createWebhooks({
  secret: config.secret,
  dedupe: store,
  deadlineMs: config.deadlineMs,
  leaseMs: config.leaseMs,
  onAny: handler,
});
// Every answer, as the receiver gave it: what the sender saw may differ (an answer read after
// its attempt timed out), and these lines prove the faults were met whatever the machine's speed.
// (`onOutcome` is missing from kits older than it: see `--kit`.)
const { onOutcome } = webhooks as Partial<Pick<typeof webhooks, "onOutcome">>;
onOutcome?.((info) => log(`outcome\t${info.status} ${info.outcome}`));

/** How late timers fire: a stall longer than the (scaled) lease lets a claim lapse. */
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

/** Own property names of Object.prototype at start, to detect pollution. */
const pristine = new Set(Object.getOwnPropertyNames(Object.prototype));

const app = express();
app.get("/memory", (_req, res) => {
  globalThis.gc?.();
  const polluted = Object.getOwnPropertyNames(Object.prototype).filter((n) => !pristine.has(n));
  res.json({ ...process.memoryUsage(), polluted, maxLagMs: lag.max / 1e6 });
});
// Every method reaches the receiver, so that a GET gets the contract's 405, not a 404.
app.use("/webhook", fineguideWebhook(webhooks));

const server = app.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  lag.reset(); // count from now, not while this process waited as a spare
  process.send?.({ port });
});
// Node closes idle keep-alive connections after 5 s, racing the sender's reuse of them
// (an ECONNRESET the vendor would count as a failed attempt): keep them longer than any
// idle gap of a scenario.
server.keepAliveTimeout = 120_000;
