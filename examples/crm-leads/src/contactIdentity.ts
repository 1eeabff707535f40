import type { CreateLeadEvent } from "@fineguide-webhooks/core";

/** How a lead identifies its contact, strongest first. */
export interface ContactIdentity {
  /** The e-mail trimmed and lower-cased, when it looks like an address. */
  readonly emailKey: string | null;
  /** The phone's digits, with a leading `+` if it had one, when there are at least 6. */
  readonly phoneKey: string | null;
  /** The conversation: `<botId>/<sessionId>`. */
  readonly sessionKey: string;
  /** The contact's key: `email:…`, else `phone:…`, else `session:…`. */
  readonly key: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An e-mail address as a key: trimmed and lower-cased, or null when it does
 * not look like an address (the kit accepts what people typed: `"jane at
 * example"` is still a lead, but not an identity).
 *
 * @example
 * ```ts
 * emailKey("  Jane.Smith@Example.com "); // "jane.smith@example.com"
 * emailKey("[email protected]"); // null
 * ```
 */
export function emailKey(email: string | null | undefined): string | null {
  const key = (email ?? "").trim().toLowerCase();
  return EMAIL.test(key) ? key : null;
}

/**
 * A phone number as a key: its digits, with a leading `+` kept, or null with
 * fewer than 6 digits. No country is guessed: `+1 555 123 4567` and
 * `555-123-4567` are two keys.
 *
 * @example
 * ```ts
 * phoneKey("+1-555-123-4567"); // "+15551234567"
 * phoneKey("n/a"); // null
 * ```
 */
export function phoneKey(phone: string | null | undefined): string | null {
  const trimmed = (phone ?? "").trim();
  const digits = trimmed.replace(/\D/g, "");
  if (digits.length < 6) return null;
  return trimmed.startsWith("+") ? `+${digits}` : digits;
}

/**
 * What identifies the contact of a lead: its e-mail, else its phone, else
 * its conversation (a lead without either is still someone to follow up in
 * that session).
 *
 * @example
 * ```ts
 * contactIdentity(lead).key; // "email:jane.smith@example.com"
 * ```
 */
export function contactIdentity(
  lead: Pick<CreateLeadEvent, "botId" | "sessionId" | "email" | "phone">,
): ContactIdentity {
  const email = emailKey(lead.email);
  const phone = phoneKey(lead.phone);
  const sessionKey = `${lead.botId}/${lead.sessionId}`;
  const key = email ? `email:${email}` : phone ? `phone:${phone}` : `session:${sessionKey}`;
  return { emailKey: email, phoneKey: phone, sessionKey, key };
}
