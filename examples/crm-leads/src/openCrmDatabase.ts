import Database from "better-sqlite3";

/** Options of {@link openCrmDatabase}. */
export interface CrmDatabaseOptions {
  /**
   * How long a write waits for a lock held by another connection before it
   * fails (better-sqlite3 blocks the process meanwhile). Default 5000.
   */
  readonly busyTimeoutMs?: number;
}

/**
 * The CRM's tables: contacts and the leads merged into them, helpdesk
 * tickets and their messages. Times are ISO 8601 (UTC) of a delivery's
 * arrival; `event_id` is the kit's `ctx.eventId` of the event that wrote the
 * row, to find it in the logs.
 */
export const CRM_SCHEMA = `
CREATE TABLE IF NOT EXISTS crm_contacts (
  id              INTEGER PRIMARY KEY,
  organization_id TEXT    NOT NULL,
  contact_key     TEXT    NOT NULL, -- email:<address>, else phone:<digits>, else session:<botId>/<sessionId>
  email_key       TEXT,             -- the address trimmed and lower-cased, if it looks like one
  phone_key       TEXT,             -- the phone's digits (and a leading +), if 6 or more
  name            TEXT,
  email           TEXT,             -- as typed
  phone           TEXT,             -- as typed
  location        TEXT,
  intent          TEXT    NOT NULL, -- of the latest lead
  source          TEXT    NOT NULL, -- of the latest lead
  created_at      TEXT    NOT NULL,
  updated_at      TEXT    NOT NULL,
  UNIQUE (organization_id, contact_key)
) STRICT;
CREATE INDEX IF NOT EXISTS crm_contacts_by_email ON crm_contacts (organization_id, email_key);
CREATE INDEX IF NOT EXISTS crm_contacts_by_phone ON crm_contacts (organization_id, phone_key);

CREATE TABLE IF NOT EXISTS crm_leads (
  id          INTEGER PRIMARY KEY,
  contact_id  INTEGER NOT NULL REFERENCES crm_contacts (id),
  bot_id      TEXT    NOT NULL,
  session_id  TEXT    NOT NULL,
  intent      TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  location    TEXT,
  props       TEXT CHECK (props IS NULL OR json_valid(props)),
  event_id    TEXT    NOT NULL,
  received_at TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS crm_leads_by_contact ON crm_leads (contact_id);

CREATE TABLE IF NOT EXISTS crm_tickets (
  id             INTEGER PRIMARY KEY,
  bot_id         TEXT NOT NULL,
  session_id     TEXT NOT NULL,
  customer_name  TEXT NOT NULL,
  customer_email TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  event_id       TEXT NOT NULL,
  opened_at      TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS crm_ticket_messages (
  id         INTEGER PRIMARY KEY,
  ticket_id  INTEGER NOT NULL REFERENCES crm_tickets (id),
  author     TEXT    NOT NULL CHECK (author IN ('customer', 'agent')),
  body       TEXT    NOT NULL,
  created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS crm_ticket_messages_by_ticket ON crm_ticket_messages (ticket_id);
`;

/**
 * Opens (creating it if needed) the SQLite database at `path` with the CRM's
 * tables; `":memory:"` keeps it in memory. File databases use WAL, so reads
 * do not wait for the webhook's writes; foreign keys are enforced.
 *
 * @example
 * ```ts
 * const db = openCrmDatabase("/var/lib/crm.sqlite");
 * db.transaction(() => upsertContact(db, lead, { eventId, receivedAt: new Date() }))();
 * db.close();
 * ```
 */
export function openCrmDatabase(path: string, options: CrmDatabaseOptions = {}): Database.Database {
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    if (path !== ":memory:" && path !== "") db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.exec(CRM_SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
