import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { curlCommand } from "../../shared/src/curlCommand.js";
import { devSecret } from "../../shared/src/devSecret.js";
import { createCrmApp } from "./createCrmApp.js";
import { DATABASE_ENV, databasePath } from "./databasePath.js";
import { openCrmDatabase } from "./openCrmDatabase.js";
import { sampleLead, sampleTicket } from "./sampleEvents.js";

/** Options of {@link startCrmLeads}. */
export interface StartCrmLeadsOptions {
  /** Where FINEGUIDE_WEBHOOK_SECRET and CRM_LEADS_DB are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** 0 for a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the banner and the delivery lines go. */
  readonly print: (line: string) => void;
}

/** A running receiver. */
export interface RunningCrmLeads {
  /** The webhook URL, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  /** The SQLite file (or `:memory:`). */
  readonly database: string;
  /** The printed `curl`s delivering the vendor's sample CREATE_LEAD and TICKET. */
  readonly leadCurl: string;
  readonly ticketCurl: string;
  /** The printed `curl`s reading the contacts and the tickets. */
  readonly contactsCurl: string;
  readonly ticketsCurl: string;
  /** Stops listening, then closes the database. */
  close(): Promise<void>;
}

const SECRET_ENV = "FINEGUIDE_WEBHOOK_SECRET";

/**
 * Opens the database, starts the receiver and prints how to use it. The
 * secret is printed only when it was generated for this run, and only inside
 * the `curl` lines; a secret from the environment is never printed.
 *
 * @example
 * ```ts
 * const running = await startCrmLeads({ env: process.env, port: 3000, print: console.log });
 * ```
 */
export async function startCrmLeads(options: StartCrmLeadsOptions): Promise<RunningCrmLeads> {
  const host = options.host ?? "127.0.0.1";
  const secret = devSecret(options.env);
  const database = databasePath(options.env);
  const db = openCrmDatabase(database);
  const { print } = options;
  let server: Server;
  let header: string;
  try {
    const { app, webhooks } = createCrmApp({ secret: secret.value, db, log: print });
    header = webhooks.secretHeader;
    server = app.listen(options.port, host);
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
  } catch (error) {
    db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const url = `${origin}/webhook`;
  const curlSecret =
    secret.source === "env" ? { fromShell: SECRET_ENV } : { literal: secret.value };
  const post = (body: object) =>
    curlCommand({ url, header, secret: curlSecret, body: JSON.stringify(body) });
  const get = (path: string) =>
    curlCommand({ url: `${origin}${path}`, header, secret: curlSecret });
  const leadCurl = post(sampleLead);
  const ticketCurl = post(sampleTicket);
  const contactsCurl = get("/contacts");
  const ticketsCurl = get("/tickets");

  print(`FineGuide CRM leads listening on ${url}`);
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
    "Deliver the vendor's sample CREATE_LEAD and TICKET (send one twice to see the duplicate):",
  );
  print("");
  print(`  ${leadCurl}`);
  print(`  ${ticketCurl}`);
  print("");
  print("Read the contacts and the tickets:");
  print("");
  print(`  ${contactsCurl}`);
  print(`  ${ticketsCurl}`);
  print("");
  print("One line per webhook answer and per write. Ctrl+C stops.");

  return {
    url,
    database,
    leadCurl,
    ticketCurl,
    contactsCurl,
    ticketsCurl,
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
