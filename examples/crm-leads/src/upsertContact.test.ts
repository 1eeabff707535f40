import type { CreateLeadEvent } from "@fineguide-webhooks/core";
import { createEvent, uuid } from "@fineguide-webhooks/testing";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openCrmDatabase } from "./openCrmDatabase.js";
import { listContacts } from "./readCrm.js";
import { upsertContact } from "./upsertContact.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

describe("upsertContact", () => {
  let db: Database.Database;
  let n = 0;
  beforeEach(() => {
    db = openCrmDatabase(":memory:");
    n = 0;
  });
  afterEach(() => db.close());

  const organizationId = "org-abc123";
  /** A lead of the organization, nothing about the person unless given. */
  const lead = (fields: Partial<CreateLeadEvent> = {}) =>
    createEvent("CREATE_LEAD", {
      organizationId,
      name: undefined,
      email: undefined,
      phone: undefined,
      location: undefined,
      props: undefined,
      ...fields,
    });
  /** Upserts in a transaction, each a minute after the previous one. */
  const upsert = (event: CreateLeadEvent) =>
    db.transaction(() =>
      upsertContact(db, event, { eventId: `event-${++n}`, receivedAt: new Date(T0 + n * 60_000) }),
    )();
  const leadsOf = (contactId: number) =>
    db
      .prepare<[number], { intent: string; event_id: string; props: string | null }>(
        "SELECT intent, event_id, props FROM crm_leads WHERE contact_id = ? ORDER BY id",
      )
      .all(contactId);

  it("creates a contact keyed by e-mail, and a lead with the event's id and props", () => {
    const event = createEvent("CREATE_LEAD", { organizationId, email: " Jane.Smith@Example.com" });
    const result = upsert(event);
    expect(result).toMatchObject({ created: true, matchedBy: null, leadId: 1 });
    expect(result.contact).toEqual({
      id: 1,
      organizationId,
      key: "email:jane.smith@example.com",
      name: "Jane Smith",
      email: "Jane.Smith@Example.com",
      phone: "+1-555-123-4567",
      location: "New York, USA",
      intent: "Interested in enterprise pricing",
      source: "website",
      createdAt: "2026-11-30T09:01:00.000Z",
      updatedAt: "2026-11-30T09:01:00.000Z",
    });
    expect(leadsOf(1)).toEqual([
      { intent: event.intent, event_id: "event-1", props: JSON.stringify(event.props) },
    ]);
  });

  it("merges a later lead with the same e-mail (any case): what it gives replaces, what it lacks is kept", () => {
    upsert(lead({ email: "jane@example.com", name: "Jane", location: "New York, USA" }));
    const second = upsert(
      lead({ email: "JANE@example.com ", phone: "+44 20 7946 0000", intent: "Wants a demo" }),
    );
    expect(second).toMatchObject({ created: false, matchedBy: "email" });
    expect(second.contact).toMatchObject({
      id: 1,
      key: "email:jane@example.com",
      name: "Jane",
      email: "JANE@example.com",
      phone: "+44 20 7946 0000",
      location: "New York, USA",
      intent: "Wants a demo",
      createdAt: "2026-11-30T09:01:00.000Z",
      updatedAt: "2026-11-30T09:02:00.000Z",
    });
    expect(leadsOf(1).map((row) => row.intent)).toEqual([
      "Interested in enterprise pricing",
      "Wants a demo",
    ]);
    expect(listContacts(db)).toEqual([expect.objectContaining({ id: 1, leads: 2 })]);
  });

  it("finds a contact known by phone and re-keys it by the e-mail a later lead brings", () => {
    const first = upsert(lead({ phone: "+1-555-123-4567" }));
    expect(first.contact.key).toBe("phone:+15551234567");
    const second = upsert(lead({ phone: "+1 555 123 4567", email: "jane@example.com" }));
    expect(second).toMatchObject({ created: false, matchedBy: "phone" });
    expect(second.contact).toMatchObject({ id: first.contact.id, key: "email:jane@example.com" });
    // A lead with the phone and no e-mail finds the same contact.
    expect(upsert(lead({ phone: "15551234567" }))).toMatchObject({
      created: true, // no leading +: another key (no country is guessed)
    });
    expect(upsert(lead({ phone: "+1 (555) 123-4567" }))).toMatchObject({
      created: false,
      matchedBy: "phone",
      contact: { id: first.contact.id, key: "email:jane@example.com" },
    });
  });

  it("keeps a contact of an anonymous lead by its session, and upgrades it when the session reveals more", () => {
    const botId = uuid();
    const sessionId = uuid();
    const anonymous = upsert(lead({ botId, sessionId, name: "Jane" }));
    expect(anonymous.contact.key).toBe(`session:${botId}/${sessionId}`);
    expect(upsert(lead({ botId, sessionId: uuid() })).created).toBe(true);

    const revealed = upsert(lead({ botId, sessionId, email: "jane@example.com" }));
    expect(revealed).toMatchObject({ created: false, matchedBy: "session" });
    expect(revealed.contact).toMatchObject({
      id: anonymous.contact.id,
      key: "email:jane@example.com",
      name: "Jane",
    });
  });

  it("does not take over a contact with another e-mail that shares the phone", () => {
    const jane = upsert(lead({ email: "jane@example.com", phone: "+1 555 000 1111" }));
    const john = upsert(lead({ email: "john@example.com", phone: "+1 555 000 1111" }));
    expect(john.created).toBe(true);
    expect(john.contact.id).not.toBe(jane.contact.id);
    // Without an e-mail, the phone finds the most recently updated of them.
    expect(upsert(lead({ phone: "+1 555 000 1111" })).contact.id).toBe(john.contact.id);
  });

  it("keeps contacts apart per organization", () => {
    const a = upsert(lead({ email: "jane@example.com" }));
    const b = upsert(lead({ email: "jane@example.com", organizationId: "org-other" }));
    expect(b.created).toBe(true);
    expect(b.contact.id).not.toBe(a.contact.id);
  });

  it("keys the vendor's example (its e-mail obfuscated by the page) by phone; a malformed e-mail never replaces a good one", () => {
    const vendor = upsert(lead({ email: "[email protected]", phone: "+1-555-123-4567" }));
    expect(vendor.contact).toMatchObject({
      key: "phone:+15551234567",
      email: "[email protected]",
    });
    const fixed = upsert(lead({ email: "jane@example.com", phone: "+1-555-123-4567" }));
    expect(fixed.contact).toMatchObject({
      key: "email:jane@example.com",
      email: "jane@example.com",
    });
    const typo = upsert(lead({ email: "jane at example", phone: "+1-555-123-4567" }));
    expect(typo.contact).toMatchObject({
      id: fixed.contact.id,
      key: "email:jane@example.com",
      email: "jane@example.com",
    });
  });
});
