import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { OutcomeInfo } from "@fineguide-webhooks/core";
import {
  createSlackAlerts,
  type SlackAlerts,
  type SlackAlertsOptions,
} from "./createSlackAlerts.js";
import { type LocalRedis, localRedis } from "./localRedis.js";
import { type SlackStandIn, type SlackStandInOptions, startSlackStandIn } from "./slackStandIn.js";

/** Options of {@link startSlackAlerts}. */
export interface StartSlackAlertsOptions {
  /** Reads FINEGUIDE_WEBHOOK_SECRET, REDIS_URL, SLACK_WEBHOOK_URL. */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the activity lines go. */
  readonly print: (line: string) => void;
  /** How the stand-in for Slack answers (when SLACK_WEBHOOK_URL is not set). */
  readonly standIn?: SlackStandInOptions;
  /** The worker's pace and retries, and Slack's timeout. */
  readonly worker?: SlackAlertsOptions["worker"];
  readonly slackTimeoutMs?: number;
}

/** Everything {@link startSlackAlerts} started. */
export interface RunningSlackAlerts {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  readonly secret: string;
  readonly redis: LocalRedis;
  /** The stand-in for Slack, unless SLACK_WEBHOOK_URL is set. */
  readonly slack: SlackStandIn | undefined;
  readonly alerts: SlackAlerts;
  /** The printed `curl` delivering a sample ticket. */
  readonly curl: string;
  /** Stops the receiver, the worker (waiting for running posts), the stand-in and the Redis it started. */
  close(): Promise<void>;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
const time = () => new Date().toISOString().slice(11, 23);

/** A sample ticket whose customer tries to ping the channel: Slack shows the text instead. */
export const sampleTicket = () => ({
  type: "TICKET",
  botId: "3f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
  sessionId: randomUUID(),
  customerName: "Ada <!channel>",
  customerEmail: "ada@example.com",
  customerMessage: "My order #1042 never arrived & I'd like a refund <https://evil.example|click>",
});

/**
 * Starts the whole example: a Redis (REDIS_URL, or its own redis-server on a
 * free port), a stand-in for Slack's incoming webhook (unless
 * SLACK_WEBHOOK_URL is set), the receiver on `port` and the worker.
 *
 * @example
 * ```ts
 * const running = await startSlackAlerts({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startSlackAlerts(
  options: StartSlackAlertsOptions,
): Promise<RunningSlackAlerts> {
  const { env, print } = options;
  const host = options.host ?? "127.0.0.1";
  const fromEnv = env.FINEGUIDE_WEBHOOK_SECRET;
  const secret = fromEnv ? fromEnv : `dev-${randomBytes(12).toString("hex")}`;
  const redis = await localRedis(env);
  let slack: SlackStandIn | undefined;
  let alerts: SlackAlerts | undefined;
  try {
    slack = env.SLACK_WEBHOOK_URL
      ? undefined
      : await startSlackStandIn({
          onRequest: (r) =>
            print(`${time()}  slack   ${r.answer.padEnd(12)} ${r.text.split("\n")[0] ?? ""}`),
          ...options.standIn,
        });
    alerts = await createSlackAlerts({
      secret,
      redisUrl: redis.url,
      slackUrl: env.SLACK_WEBHOOK_URL || slack!.url,
      ...(options.worker ? { worker: options.worker } : {}),
      ...(options.slackTimeoutMs === undefined ? {} : { slackTimeoutMs: options.slackTimeoutMs }),
      onOutcome: (info: OutcomeInfo) =>
        print(
          `${time()}  webhook ${String(info.status).padEnd(12)} ${info.outcome} ${info.type ?? ""}`,
        ),
      warn: (line) => print(`${time()}  worker  ${line}`),
    });
    const server = alerts.app.listen(options.port, host);
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/webhook`;
    const header = fromEnv
      ? `"x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET"`
      : quote(`x-webhook-secret: ${secret}`);
    const curl = `curl -sS -i -X POST ${quote(url)} -H 'content-type: application/json' -H ${header} --data ${quote(JSON.stringify(sampleTicket()))}`;

    print(`FineGuide -> Slack alerts: receiver on ${url}`);
    print(
      `Redis: ${redis.started ? `redis-server started on ${redis.url} (set REDIS_URL to use yours)` : "REDIS_URL"}`,
    );
    print(
      slack
        ? `Slack: a local stand-in at ${slack.url} answering 200, 429 (Retry-After), 500 or nothing, at random (set SLACK_WEBHOOK_URL for a real channel)`
        : "Slack: SLACK_WEBHOOK_URL",
    );
    print(
      fromEnv
        ? "Secret: from FINEGUIDE_WEBHOOK_SECRET (not printed)."
        : "Secret: generated for this run, in the curl below. Set FINEGUIDE_WEBHOOK_SECRET to choose yours.",
    );
    print(
      "Deliver a sample ticket (its customer is named <!channel>; Slack shows it, pings nobody):",
    );
    print("");
    print(`  ${curl}`);
    print("");
    print(
      "Dead letters: npx fineguide-webhooks queue failed --queue slack-alerts --redis <REDIS_URL>. Ctrl+C stops.",
    );

    const started = alerts;
    const standIn = slack;
    return {
      url,
      secret,
      redis,
      slack,
      alerts,
      curl,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await started.close();
        await standIn?.close();
        await redis.stop();
      },
    };
  } catch (error) {
    await alerts?.close().catch(() => {});
    await slack?.close();
    await redis.stop();
    throw error;
  }
}
