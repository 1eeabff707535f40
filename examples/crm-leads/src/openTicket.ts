import type { TicketEvent } from "@fineguide-webhooks/core";
import type Database from "better-sqlite3";

/** Where the ticket came from. */
export interface TicketDelivery {
  /** The kit's `ctx.eventId`, kept on the ticket's row. */
  readonly eventId: string;
  readonly receivedAt: Date;
}

const INSERT_TICKET = `INSERT INTO crm_tickets
  (bot_id, session_id, customer_name, customer_email, event_id, opened_at)
VALUES (@botId, @sessionId, @customerName, @customerEmail, @eventId, @openedAt)`;
const INSERT_MESSAGE = `INSERT INTO crm_ticket_messages (ticket_id, author, body, created_at)
VALUES (@ticketId, 'customer', @body, @createdAt)`;

/**
 * Opens a helpdesk ticket for a TICKET event: a row in `crm_tickets` and the
 * customer's message as its first row in `crm_ticket_messages`,
 * synchronously: call it inside a transaction (the SQLite store's, or
 * `db.transaction()`), so that a ticket never lands without its message.
 * Answers the ticket's id.
 *
 * @example
 * ```ts
 * const ticketId = openTicket(ctx.tx, ticket, ctx);
 * ```
 */
export function openTicket(
  db: Database.Database,
  ticket: TicketEvent,
  delivery: TicketDelivery,
): number {
  const at = delivery.receivedAt.toISOString();
  const ticketId = Number(
    db.prepare(INSERT_TICKET).run({
      botId: ticket.botId,
      sessionId: ticket.sessionId,
      customerName: ticket.customerName,
      customerEmail: ticket.customerEmail,
      eventId: delivery.eventId,
      openedAt: at,
    }).lastInsertRowid,
  );
  db.prepare(INSERT_MESSAGE).run({ ticketId, body: ticket.customerMessage, createdAt: at });
  return ticketId;
}
