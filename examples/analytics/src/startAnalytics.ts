import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { curlCommand } from "../../shared/src/curlCommand.js";
import { devSecret } from "../../shared/src/devSecret.js";
import { createAnalyticsApp } from "./createAnalyticsApp.js";
import { DATABASE_ENV, databasePath } from "./databasePath.js";
import { openAnalyticsDatabase } from "./openAnalyticsDatabase.js";
import { sampleConversation } from "./sampleConversation.js";
import { seedDemo } from "./seedDemo.js";

/** Options of {@link startAnalytics}. */
export interface StartAnalyticsOptions {
  /** Where FINEGUIDE_WEBHOOK_SECRET, ANALYTICS_DB and ANALYTICS_DEMO are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the delivery lines go. */
  readonly print: (line: string) => void;
}

/** A running receiver and dashboard. */
export interface RunningAnalytics {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  /** The dashboard, e.g. `http://127.0.0.1:3000/`. */
  readonly dashboard: string;
  /** The SQLite file (or `:memory:`). */
  readonly database: string;
  /** The printed `curl`s: SESSION_OPEN, MESSAGE, RATE_MESSAGE, SESSION_CLOSED. */
  readonly curls: readonly string[];
  /** Stops listening, then closes the database. */
  close(): Promise<void>;
}

const SECRET_ENV = "FINEGUIDE_WEBHOOK_SECRET";
const DEMO_ENV = "ANALYTICS_DEMO";

/**
 * Opens the database (with sample conversations when ANALYTICS_DEMO=1),
 * starts the receiver and its dashboard, and prints how to use them. The
 * secret is printed only when it was generated for this run, and only inside
 * the `curl` lines; a secret from the environment is never printed.
 *
 * @example
 * ```ts
 * const running = await startAnalytics({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startAnalytics(options: StartAnalyticsOptions): Promise<RunningAnalytics> {
  const host = options.host ?? "127.0.0.1";
  const secret = devSecret(options.env);
  const database = databasePath(options.env);
  const db = openAnalyticsDatabase(database);
  const { print } = options;
  let server: Server;
  let header: string;
  try {
    const demo = options.env[DEMO_ENV] === "1" && seedDemo(db, Date.now());
    const { app, webhooks } = createAnalyticsApp({ secret: secret.value, db, log: print });
    header = webhooks.secretHeader;
    server = app.listen(options.port, host);
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
    if (demo) print("Sample conversations of two assistants written (ANALYTICS_DEMO=1).");
  } catch (error) {
    db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const url = `${origin}/webhook`;
  const dashboard = `${origin}/`;
  const curlSecret =
    secret.source === "env" ? { fromShell: SECRET_ENV } : { literal: secret.value };
  const curls = sampleConversation.map((event) =>
    curlCommand({ url, header, secret: curlSecret, body: JSON.stringify(event) }),
  );

  print(`FineGuide analytics: webhook on ${url}`);
  print(`Dashboard: ${dashboard}  (open it in a browser)`);
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
  print(
    "The vendor's sample SESSION_OPEN, MESSAGE, RATE_MESSAGE and SESSION_CLOSED, in order; reload the dashboard after each:",
  );
  print("");
  for (const curl of curls) print(`  ${curl}`);
  print("");
  if (options.env[DEMO_ENV] !== "1") {
    print(`For sample conversations on the dashboard, start with ${DEMO_ENV}=1.`);
  }
  print("One line per webhook answer and per write. Ctrl+C stops.");

  return {
    url,
    dashboard,
    database,
    curls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          db.close();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
