import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { vendorExamples } from "@fineguide-webhooks/testing";
import { curlCommand } from "../../shared/src/curlCommand.js";
import { devSecret } from "../../shared/src/devSecret.js";
import { createDemoApp } from "./createDemoApp.js";

/** Options of {@link startDemo}. */
export interface StartDemoOptions {
  /** Where FINEGUIDE_WEBHOOK_SECRET is read from. */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the delivery lines go. */
  readonly print: (line: string) => void;
}

/** A running demo. */
export interface RunningDemo {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  /** The ready-to-paste `curl` it printed. */
  readonly curl: string;
  close(): Promise<void>;
}

const ENV_NAME = "FINEGUIDE_WEBHOOK_SECRET";

/**
 * Starts the demo receiver and prints how to use it. The secret is printed in
 * one line only (the `curl`), and only when it was generated for this run; a
 * secret from the environment is never printed.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const host = options.host ?? "127.0.0.1";
  const secret = devSecret(options.env);
  const { app, webhooks } = createDemoApp({ secret: secret.value, log: options.print });
  const server = app.listen(options.port, host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error)),
  ]);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/webhook`;
  const curl = curlCommand({
    url,
    header: webhooks.secretHeader,
    secret: secret.source === "env" ? { fromShell: ENV_NAME } : { literal: secret.value },
    body: JSON.stringify(vendorExamples.MESSAGE),
  });

  const { print } = options;
  print(`FineGuide webhook demo listening on ${url}`);
  print(
    secret.source === "env"
      ? `Secret header ${webhooks.secretHeader}: from ${ENV_NAME} (not printed; export it in the shell you paste into).`
      : `Secret header ${webhooks.secretHeader}: generated for this run, in the curl below. Set ${ENV_NAME} to choose your own.`,
  );
  print("Deliver the vendor's sample MESSAGE (send it twice to see the duplicate):");
  print("");
  print(`  ${curl}`);
  print("");
  print("One line per delivery: time, type, outcome, summary. Ctrl+C stops.");

  return {
    url,
    curl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
