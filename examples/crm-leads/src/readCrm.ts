import type Database from "better-sqlite3";
import type { Contact } from "./upsertContact.js";

/** A contact with how many leads were merged into it. */
export interface ContactWithLeads extends Contact {
  readonly leads: number;
}

/** A helpdesk ticket with its messages. */
export interface Ticket {
  readonly id: number;
  readonly botId: string;
  readonly sessionId: string;
  readonly customerName: string;
  readonly customerEmail: string;
  readonly status: "open" | "closed";
  readonly openedAt: string;
  readonly messages: readonly {
    readonly author: "customer" | "agent";
    readonly body: string;
    readonly createdAt: string;
  }[];
}

interface ContactRow {
  id: number;
  organization_id: string;
  contact_key: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  location: string | null;
  intent: string;
  source: string;
  created_at: string;
  updated_at: string;
  leads: number;
}

interface TicketRow {
  id: number;
  bot_id: string;
  session_id: string;
  customer_name: string;
  customer_email: string;
  status: "open" | "closed";
  opened_at: string;
  messages: string;
}

const CONTACTS = `SELECT c.*, (SELECT count(*) FROM crm_leads l WHERE l.contact_id = c.id) AS leads
FROM crm_contacts c ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`;

const TICKETS = `SELECT t.*,
  (SELECT json_group_array(json_object('author', m.author, 'body', m.body, 'createdAt', m.created_at))
   FROM (SELECT * FROM crm_ticket_messages WHERE ticket_id = t.id ORDER BY id) m) AS messages
FROM crm_tickets t ORDER BY t.id DESC LIMIT ?`;

/**
 * The latest contacts (default 100), most recently updated first, each with
 * its number of leads.
 *
 * @example
 * ```ts
 * listContacts(db)[0]?.leads; // 2
 * ```
 */
export function listContacts(db: Database.Database, limit = 100): ContactWithLeads[] {
  return db
    .prepare<[number], ContactRow>(CONTACTS)
    .all(limit)
    .map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      key: row.contact_key,
      name: row.name,
      email: row.email,
      phone: row.phone,
      location: row.location,
      intent: row.intent,
      source: row.source,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      leads: row.leads,
    }));
}

/**
 * The latest tickets (default 100), newest first, each with its messages.
 *
 * @example
 * ```ts
 * listTickets(db)[0]?.messages[0]?.body; // "I need to speak with a human please"
 * ```
 */
export function listTickets(db: Database.Database, limit = 100): Ticket[] {
  return db
    .prepare<[number], TicketRow>(TICKETS)
    .all(limit)
    .map((row) => ({
      id: row.id,
      botId: row.bot_id,
      sessionId: row.session_id,
      customerName: row.customer_name,
      customerEmail: row.customer_email,
      status: row.status,
      openedAt: row.opened_at,
      messages: JSON.parse(row.messages) as Ticket["messages"],
    }));
}
