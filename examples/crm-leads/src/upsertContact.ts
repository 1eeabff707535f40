import type { CreateLeadEvent } from "@fineguide-webhooks/core";
import type Database from "better-sqlite3";
import { type ContactIdentity, contactIdentity } from "./contactIdentity.js";

/** A contact as the CRM keeps it. */
export interface Contact {
  readonly id: number;
  readonly organizationId: string;
  /** `email:…`, `phone:…` or `session:<botId>/<sessionId>`: unique per organization. */
  readonly key: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly location: string | null;
  /** The latest lead's. */
  readonly intent: string;
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What {@link upsertContact} did. */
export interface UpsertedContact {
  readonly contact: Contact;
  /** A new contact, rather than one found and updated. */
  readonly created: boolean;
  /** How an existing contact was found. */
  readonly matchedBy: "email" | "phone" | "session" | null;
  /** The row in `crm_leads` this lead became. */
  readonly leadId: number;
}

/** Where the lead came from. */
export interface LeadDelivery {
  /** The kit's `ctx.eventId`, kept on the lead's row. */
  readonly eventId: string;
  readonly receivedAt: Date;
}

interface ContactRow {
  id: number;
  organization_id: string;
  contact_key: string;
  email_key: string | null;
  phone_key: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  location: string | null;
  intent: string;
  source: string;
  created_at: string;
  updated_at: string;
}

type ContactValues = Omit<ContactRow, "id">;

const BY_EMAIL = "SELECT * FROM crm_contacts WHERE organization_id = ? AND email_key = ?";
// A lead with an e-mail takes over a contact found by phone only if that
// contact has no e-mail of its own (else they are two people sharing a phone).
const BY_PHONE = `SELECT * FROM crm_contacts
WHERE organization_id = @org AND phone_key = @phone AND (@email IS NULL OR email_key IS NULL)
ORDER BY updated_at DESC, id DESC LIMIT 1`;
const BY_KEY = "SELECT * FROM crm_contacts WHERE organization_id = ? AND contact_key = ?";
const INSERT = `INSERT INTO crm_contacts
  (organization_id, contact_key, email_key, phone_key, name, email, phone, location, intent, source, created_at, updated_at)
VALUES (@organization_id, @contact_key, @email_key, @phone_key, @name, @email, @phone, @location, @intent, @source, @created_at, @updated_at)
RETURNING *`;
const UPDATE = `UPDATE crm_contacts SET
  contact_key = @contact_key, email_key = @email_key, phone_key = @phone_key, name = @name,
  email = @email, phone = @phone, location = @location, intent = @intent, source = @source,
  updated_at = @updated_at
WHERE id = @id
RETURNING *`;
const INSERT_LEAD = `INSERT INTO crm_leads
  (contact_id, bot_id, session_id, intent, source, location, props, event_id, received_at)
VALUES (@contactId, @botId, @sessionId, @intent, @source, @location, @props, @eventId, @receivedAt)`;

/** A field as typed, trimmed; empty means not given. */
const given = (value: string | null | undefined): string | null => {
  const trimmed = (value ?? "").trim();
  return trimmed === "" ? null : trimmed;
};

/**
 * The contact after a lead: what the lead gives replaces, what it lacks is
 * kept; an e-mail or phone that is not a usable key does not replace one that
 * is. The key is recomputed: a contact known by its session becomes known by
 * phone, then by e-mail, as the conversation reveals them.
 */
export function mergeContact(
  existing: ContactValues | undefined,
  lead: CreateLeadEvent,
  identity: ContactIdentity,
  at: string,
): ContactValues {
  const emailKey = identity.emailKey ?? existing?.email_key ?? null;
  const phoneKey = identity.phoneKey ?? existing?.phone_key ?? null;
  const email = identity.emailKey
    ? given(lead.email)
    : (existing?.email ?? given(lead.email) ?? null);
  const phone = identity.phoneKey
    ? given(lead.phone)
    : (existing?.phone ?? given(lead.phone) ?? null);
  return {
    organization_id: lead.organizationId,
    contact_key: emailKey
      ? `email:${emailKey}`
      : phoneKey
        ? `phone:${phoneKey}`
        : (existing?.contact_key ?? identity.key),
    email_key: emailKey,
    phone_key: phoneKey,
    name: given(lead.name) ?? existing?.name ?? null,
    email,
    phone,
    location: given(lead.location) ?? existing?.location ?? null,
    intent: lead.intent,
    source: lead.source,
    created_at: existing?.created_at ?? at,
    updated_at: at,
  };
}

const fromRow = (row: ContactRow): Contact => ({
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
});

/**
 * Upserts the contact of a CREATE_LEAD and records the lead against it, in
 * `crm_contacts` and `crm_leads`, synchronously: call it inside a
 * transaction (the SQLite store's, or `db.transaction()`), so that both
 * writes land or neither does.
 *
 * Contacts are per `organizationId`, found by e-mail, else by phone, else by
 * the lead's session (see the README for the exact rules).
 *
 * @example
 * ```ts
 * const { contact, created } = upsertContact(ctx.tx, lead, ctx);
 * ```
 */
export function upsertContact(
  db: Database.Database,
  lead: CreateLeadEvent,
  delivery: LeadDelivery,
): UpsertedContact {
  const identity = contactIdentity(lead);
  const org = lead.organizationId;
  const at = delivery.receivedAt.toISOString();

  let existing: ContactRow | undefined;
  let matchedBy: UpsertedContact["matchedBy"] = null;
  if (identity.emailKey) {
    existing = db.prepare<[string, string], ContactRow>(BY_EMAIL).get(org, identity.emailKey);
    if (existing) matchedBy = "email";
  }
  if (!existing && identity.phoneKey) {
    existing = db
      .prepare<{ org: string; phone: string; email: string | null }, ContactRow>(BY_PHONE)
      .get({ org, phone: identity.phoneKey, email: identity.emailKey });
    if (existing) matchedBy = "phone";
  }
  if (!existing) {
    existing = db
      .prepare<[string, string], ContactRow>(BY_KEY)
      .get(org, `session:${identity.sessionKey}`);
    if (existing) matchedBy = "session";
  }

  const values = mergeContact(existing, lead, identity, at);
  const row = existing
    ? db
        .prepare<ContactValues & { id: number }, ContactRow>(UPDATE)
        .get({ ...values, id: existing.id })
    : db.prepare<ContactValues, ContactRow>(INSERT).get(values);
  if (!row) throw new Error("crm_contacts: the upserted row is missing");

  const leadId = db.prepare(INSERT_LEAD).run({
    contactId: row.id,
    botId: lead.botId,
    sessionId: lead.sessionId,
    intent: lead.intent,
    source: lead.source,
    location: given(lead.location),
    props: lead.props ? JSON.stringify(lead.props) : null,
    eventId: delivery.eventId,
    receivedAt: at,
  }).lastInsertRowid;

  return { contact: fromRow(row), created: !existing, matchedBy, leadId: Number(leadId) };
}
