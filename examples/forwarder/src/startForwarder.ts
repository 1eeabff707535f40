import { curlCommand, shellQuote } from "../../shared/src/curlCommand.js";
import { createForwarderApp, type ForwarderAppOptions } from "./createForwarderApp.js";
import { forwarderSettings } from "./forwarderSettings.js";
import { listen } from "./listen.js";
import { sampleMessage } from "./sampleMessage.js";
import { type RunningDownstream, startDownstream } from "./startDownstream.js";

/** Options of {@link startForwarder}. */
export interface StartForwarderOptions {
  /** Where the settings are read from (see `forwarderSettings`). */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the log lines go. */
  readonly print: (line: string) => void;
  /** Passed on to `createForwarderApp` (tests shorten the deadline). */
  readonly app?: Pick<ForwarderAppOptions, "deadlineMs" | "leaseMs" | "retry">;
}

/** A running forwarder. */
export interface RunningForwarder {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  /** The counters, e.g. `http://127.0.0.1:3000/metrics`. */
  readonly metricsUrl: string;
  /** Where events go. */
  readonly downstreamUrl: string;
  /** The local downstream, when `DOWNSTREAM_URL` was not set. */
  readonly downstream: RunningDownstream | undefined;
  /** The printed `curl`s: the vendor's sample MESSAGE as each assistant, and the counters. */
  readonly curls: { readonly botA: string; readonly botB: string; readonly metrics: string };
  /**
   * Shuts down: deliveries in flight may finish for `timeoutMs` (default
   * 10 s; new ones get 503 meanwhile), then the server and the local
   * downstream close.
   */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the forwarder (and, without `DOWNSTREAM_URL`, a local downstream
 * that logs what it gets) and prints how to use it. A secret is printed only
 * when it was generated for this run, and only inside its bot's `curl`.
 *
 * @example
 * ```ts
 * const running = await startForwarder({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startForwarder(options: StartForwarderOptions): Promise<RunningForwarder> {
  const host = options.host ?? "127.0.0.1";
  const { print } = options;
  const settings = forwarderSettings(options.env);
  const downstream =
    settings.downstreamUrl === undefined ? await startDownstream({ log: print }) : undefined;
  const downstreamUrl = settings.downstreamUrl ?? downstream!.url;
  const { app, webhooks } = createForwarderApp({
    ...options.app,
    secrets: Object.fromEntries(settings.bots.map((bot) => [bot.botId, bot.secret])),
    downstreamUrl,
    log: print,
  });
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(app, options.port, host);
  } catch (error) {
    await downstream?.close();
    throw error;
  }
  const url = `${listening.origin}/webhook`;
  const metricsUrl = `${listening.origin}/metrics`;
  const [botA, botB] = settings.bots.map((bot) =>
    curlCommand({
      url,
      header: webhooks.secretHeader,
      secret: bot.secretSource === "env" ? { fromShell: bot.secretEnv } : { literal: bot.secret },
      body: JSON.stringify({ ...sampleMessage, botId: bot.botId }),
    }),
  ) as [string, string];
  const curls = { botA, botB, metrics: `curl -sS ${shellQuote(metricsUrl)}` };

  print(`FineGuide forwarder listening on ${url}`);
  print(
    downstream
      ? `Forwarding every event to ${downstreamUrl}, a local downstream started for this run ` +
          "(set DOWNSTREAM_URL to forward to your automation tool)."
      : "Forwarding every event to DOWNSTREAM_URL (not printed: such URLs often carry a token).",
  );
  for (const bot of settings.bots) {
    print(
      `Assistant ${bot.name} ${bot.botId}: secret ${
        bot.secretSource === "env"
          ? `from ${bot.secretEnv} (not printed; export it in the shell you paste into)`
          : `generated for this run, in its curl below (set ${bot.secretEnv} to choose it)`
      }.`,
    );
  }
  print("");
  print("Deliver the vendor's sample MESSAGE as assistant A (again: a duplicate, not forwarded):");
  print(`  ${curls.botA}`);
  print("The same as assistant B (swap the two secrets to see a 401):");
  print(`  ${curls.botB}`);
  print("The counters (Prometheus text with ?format=prometheus):");
  print(`  ${curls.metrics}`);
  print("");
  print("One line per delivery, per retry and per request the downstream gets. Ctrl+C stops.");

  return {
    url,
    metricsUrl,
    downstreamUrl,
    downstream,
    curls,
    close: async (timeoutMs = 10_000) => {
      await webhooks.close({ timeoutMs });
      await listening.close();
      await downstream?.close();
    },
  };
}
