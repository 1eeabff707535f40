import {
  type CreateLeadEvent,
  createSecretVerifier,
  type TicketEvent,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { type SqliteContext, sqliteStore } from "@fineguide-webhooks/sql/sqlite";
import type Database from "better-sqlite3";
import express from "express";
import { localTime } from "../../shared/src/localTime.js";
import { openTicket } from "./openTicket.js";
import { listContacts, listTickets } from "./readCrm.js";
import { upsertContact } from "./upsertContact.js";

/** Options of {@link createCrmApp}. */
export interface CrmAppOptions {
  /** The value the secret header must carry (FineGuide's Header Value). */
  readonly secret: string;
  /**
   * The CRM database (`openCrmDatabase()`). The kit's dedupe table is
   * created in it too: each event's rows commit together with its done mark.
   */
  readonly db: Database.Database;
  /** One line per delivery and per write (ids only, no one's details); default none. */
  readonly log?: (line: string) => void;
  /**
   * The kit's deadline and lease (default 25 s and 45 s). Tests shorten them
   * to see a claim left by a crashed process lapse without waiting 45 s.
   */
  readonly timing?: Pick<WebhooksOptions, "deadlineMs" | "leaseMs">;
}

const short = (id: string) => id.slice(0, 8);

/**
 * The receiver: Express, the kit's middleware on `POST /webhook` with the
 * dedupe store and the CRM's tables in one SQLite database. CREATE_LEAD
 * upserts a contact (by e-mail, else phone, else session) and records the
 * lead; TICKET opens a helpdesk ticket with the customer's message. Each runs
 * in the store's transaction, so its writes and the event's done mark commit
 * together: a failure after a write rolls it back and FineGuide's retry
 * writes once. `GET /contacts` and `GET /tickets` read them back, behind the
 * same secret header (they are personal data).
 *
 * @example
 * ```ts
 * const db = openCrmDatabase("crm.sqlite");
 * const { app } = createCrmApp({ secret: "s3cret", db, log: console.log });
 * app.listen(3000);
 * ```
 */
export function createCrmApp(options: CrmAppOptions): { app: express.Express; webhooks: Webhooks } {
  const { db } = options;
  const log = options.log ?? (() => {});
  const store = sqliteStore({ db });
  store.migrate();

  // Both run inside the store's transaction: everything they write, and the
  // mark that the event is done, commit when they return or roll back if
  // anything in them throws. They must stay synchronous (better-sqlite3 is).
  const onCreateLead = store.transactional((lead: CreateLeadEvent, ctx: SqliteContext) => {
    const { contact, created, matchedBy, leadId } = upsertContact(ctx.tx, lead, ctx);
    log(
      `${localTime(new Date())}  ${created ? "created" : "updated"}  contact ${contact.id} ` +
        `(${matchedBy ? `found by ${matchedBy}, ` : ""}key ${contact.key.split(":")[0]}), lead ${leadId} ` +
        `from session ${short(lead.sessionId)} (bot ${short(lead.botId)})`,
    );
  });
  const onTicket = store.transactional((ticket: TicketEvent, ctx: SqliteContext) => {
    const ticketId = openTicket(ctx.tx, ticket, ctx);
    log(
      `${localTime(new Date())}  opened   ticket ${ticketId} from session ${short(ticket.sessionId)} (bot ${short(ticket.botId)})`,
    );
  });

  const webhook = fineguideWebhook(
    {
      ...options.timing,
      secret: options.secret,
      dedupe: store,
      onCreateLead,
      onTicket,
      onError: (error, event) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`${localTime(new Date())}  failed   ${event.type}: ${message}`);
      },
    },
    {
      onResponse: (answer) => log(`${localTime(new Date())}  ${answer.status} ${answer.outcome}`),
    },
  );
  const { webhooks } = webhook;
  const verify = createSecretVerifier([options.secret]);

  const app = express();
  app.disable("x-powered-by");
  app.post("/webhook", webhook);
  // Personal data: behind the webhook's secret here; behind your own
  // authentication in your app.
  const guarded =
    (read: () => unknown): express.RequestHandler =>
    (req, res) => {
      res.set("cache-control", "no-store");
      if (!verify(req.get(webhooks.secretHeader))) {
        res.status(401).json({
          ok: false,
          error: { code: "unauthorized", message: "The secret header is missing or wrong." },
        });
        return;
      }
      res.json(read());
    };
  app.get(
    "/contacts",
    guarded(() => listContacts(db)),
  );
  app.get(
    "/tickets",
    guarded(() => listTickets(db)),
  );
  return { app, webhooks };
}
