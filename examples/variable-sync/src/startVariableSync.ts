import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { curlCommand } from "../../shared/src/curlCommand.js";
import { devSecret } from "../../shared/src/devSecret.js";
import { createVariableSyncApp } from "./createVariableSyncApp.js";
import { DATABASE_ENV, databasePath } from "./databasePath.js";
import { openVariableStore } from "./openVariableStore.js";
import { sampleVariableUpdate } from "./sampleVariableUpdate.js";

/** Options of {@link startVariableSync}. */
export interface StartVariableSyncOptions {
  /** Where FINEGUIDE_WEBHOOK_SECRET and VARIABLE_SYNC_DB are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the delivery lines go. */
  readonly print: (line: string) => void;
}

/** A running receiver. */
export interface RunningVariableSync {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  /** The SQLite file (or `:memory:`). */
  readonly database: string;
  /** The printed `curl` delivering the vendor's sample VARIABLE_UPDATE. */
  readonly curl: string;
  /** The printed `curl` reading the sample session's row. */
  readonly readCurl: string;
  /** Stops listening, then closes the database. */
  close(): Promise<void>;
}

const SECRET_ENV = "FINEGUIDE_WEBHOOK_SECRET";

/**
 * Opens the database, starts the receiver and prints how to use it. The
 * secret is printed only when it was generated for this run, and only inside
 * the two `curl` lines; a secret from the environment is never printed.
 *
 * @example
 * ```ts
 * const running = await startVariableSync({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startVariableSync(
  options: StartVariableSyncOptions,
): Promise<RunningVariableSync> {
  const host = options.host ?? "127.0.0.1";
  const secret = devSecret(options.env);
  const database = databasePath(options.env);
  const store = openVariableStore(database);
  const { app, webhooks } = createVariableSyncApp({
    secret: secret.value,
    store,
    log: options.print,
  });
  const server = app.listen(options.port, host);
  try {
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
  } catch (error) {
    store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const url = `${origin}/webhook`;
  const sample = sampleVariableUpdate;
  const curlSecret =
    secret.source === "env" ? { fromShell: SECRET_ENV } : { literal: secret.value };
  const header = webhooks.secretHeader;
  const curl = curlCommand({ url, header, secret: curlSecret, body: JSON.stringify(sample) });
  const readCurl = curlCommand({
    url: `${origin}/bots/${sample.botId}/sessions/${sample.sessionId}/variables`,
    header,
    secret: curlSecret,
  });

  const { print } = options;
  print(`FineGuide variable sync listening on ${url}`);
  print(
    `SQLite database: ${database}${
      options.env[DATABASE_ENV] ? "" : ` (set ${DATABASE_ENV} to choose another file, or :memory:)`
    }`,
  );
  print(
    secret.source === "env"
      ? `Secret header ${header}: from ${SECRET_ENV} (not printed; export it in the shell you paste into).`
      : `Secret header ${header}: generated for this run, in the curls below. Set ${SECRET_ENV} to choose your own.`,
  );
  print("Deliver the vendor's sample VARIABLE_UPDATE (send it twice to see the duplicate):");
  print("");
  print(`  ${curl}`);
  print("");
  print("Read the session's row back:");
  print("");
  print(`  ${readCurl}`);
  print("");
  print("One line per webhook answer and per write. Ctrl+C stops.");

  return {
    url,
    database,
    curl,
    readCurl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          store.close();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
