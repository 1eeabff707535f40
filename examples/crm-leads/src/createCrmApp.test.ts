import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TicketEvent } from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { createEvent, postEvent, simulateDelivery, uuid } from "@fineguide-webhooks/testing";
import Database from "better-sqlite3";
import express from "express";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CrmAppOptions, createCrmApp } from "./createCrmApp.js";
import { openCrmDatabase } from "./openCrmDatabase.js";
import { openTicket } from "./openTicket.js";
import { listContacts, listTickets } from "./readCrm.js";

const secret = "test-secret-c9d2";
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CRASHING = fileURLToPath(new URL("./test/crashingReceiver.ts", import.meta.url));

/** An answer as FineGuide sees it. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const OK: Answer = { status: 200, body: { ok: true } };
const DUPLICATE: Answer = { status: 200, body: { ok: true, duplicate: true } };

/** Delivers a payload over a real socket, as FineGuide would (one attempt). */
async function deliver(url: string, payload: object | string, key = secret): Promise<Answer> {
  const res = await postEvent(url, payload, { secret: key });
  return { status: res.status, body: await res.json() };
}

/** Rows of each CRM table, read through a connection of its own: what is in the file. */
function rows(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      contacts: count("crm_contacts"),
      leads: count("crm_leads"),
      tickets: count("crm_tickets"),
      messages: count("crm_ticket_messages"),
    };
  } finally {
    db.close();
  }
}

/** Makes every write to `table` fail from another connection, until the returned fix runs. */
function failWritesTo(file: string, table: string): () => void {
  const other = new Database(file);
  other.exec(`CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table}
    BEGIN SELECT RAISE(ABORT, 'the helpdesk is down (simulated)'); END`);
  return () => {
    other.exec(`DROP TRIGGER fail_${table}`);
    other.close();
  };
}

// Real HTTP, real files, a real child process: generous limits for a loaded machine (no
// assertion depends on speed).
describe("the CRM receiver", { timeout: 30_000 }, () => {
  let dir: string;
  let file: string;
  const cleanup: (() => unknown)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "crm-leads-"));
    file = join(dir, "crm.sqlite");
  });

  afterEach(async () => {
    vi.useRealTimers();
    for (const step of cleanup.splice(0).reverse()) await step();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the test's database, closed after the test. */
  const open = () => {
    const db = openCrmDatabase(file, { busyTimeoutMs: 20 });
    cleanup.push(() => db.close());
    return db;
  };

  /** Listens on a free port; closed after the test. */
  const serve = async (app: express.Express) => {
    const server: Server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    return { origin: `http://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/webhook` };
  };

  /** The receiver on a new connection to the test's database. */
  const start = (options: Partial<CrmAppOptions> = {}) =>
    serve(createCrmApp({ secret, db: open(), ...options }).app);

  it("a lead creates a contact, its retry is a duplicate, a later lead of the same person merges into it", async () => {
    const { url } = await start();
    const lead = createEvent("CREATE_LEAD", { email: "jane.smith@example.com" });
    expect(await deliver(url, lead)).toEqual(OK);
    expect(await deliver(url, lead)).toEqual(DUPLICATE);

    const later = createEvent("CREATE_LEAD", {
      organizationId: lead.organizationId,
      email: "Jane.Smith@example.com",
      phone: undefined,
      intent: "Wants a demo next week",
    });
    expect(await deliver(url, later)).toEqual(OK);

    const db = open();
    expect(listContacts(db)).toEqual([
      expect.objectContaining({
        key: "email:jane.smith@example.com",
        name: "Jane Smith",
        phone: "+1-555-123-4567",
        intent: "Wants a demo next week",
        leads: 2,
      }),
    ]);
    expect(rows(file)).toEqual({ contacts: 1, leads: 2, tickets: 0, messages: 0 });
  });

  it("keys TICKET and CREATE_LEAD by content: an identical second ticket in the same session within the TTL is a duplicate", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start0 = Date.UTC(2026, 10, 30, 9, 0, 0);
    vi.setSystemTime(start0);
    const { url } = await start();
    const ticket = createEvent("TICKET");
    const minutes = (m: number) => vi.setSystemTime(start0 + m * 60_000);

    expect(await deliver(url, ticket)).toEqual(OK);
    minutes(29); // the customer asks again, word for word, in the same session
    expect(await deliver(url, ticket)).toEqual(DUPLICATE);
    expect(rows(file).tickets).toBe(1);

    // Anything different is another ticket: other words, another session.
    expect(await deliver(url, { ...ticket, customerMessage: "Still waiting for a human" })).toEqual(
      OK,
    );
    expect(await deliver(url, { ...ticket, sessionId: uuid() })).toEqual(OK);
    // After the TTL (30 minutes) the same words in the same session are a new ticket.
    minutes(31);
    expect(await deliver(url, ticket)).toEqual(OK);
    expect(rows(file)).toMatchObject({ tickets: 4, messages: 4 });

    // The same holds for leads.
    const lead = createEvent("CREATE_LEAD");
    expect(await deliver(url, lead)).toEqual(OK);
    minutes(40);
    expect(await deliver(url, lead)).toEqual(DUPLICATE);
    minutes(62);
    expect(await deliver(url, lead)).toEqual(OK);
    expect(rows(file)).toMatchObject({ contacts: 1, leads: 2 });
  });

  it("a ticket failing after its row was written answers 500 and leaves nothing; FineGuide's retry opens it once", async () => {
    const { url } = await start();
    const ticket = createEvent("TICKET");
    // The ticket's row is written, then its first message fails.
    const fix = failWritesTo(file, "crm_ticket_messages");
    let fixed = false;
    cleanup.push(() => (fixed ? undefined : fix()));

    const result = await simulateDelivery({
      url,
      event: ticket,
      secret,
      timeScale: 0.001, // retries after 60, 300 and 900 ms
      timeoutMs: 5_000,
      onAttempt: (attempt) => {
        if (attempt.attempt !== 1) return;
        expect(rows(file)).toEqual({ contacts: 0, leads: 0, tickets: 0, messages: 0 });
        fix();
        fixed = true;
      },
    });

    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    const first = result.attempts[0];
    expect(JSON.parse(first?.status === undefined ? "null" : first.body)).toMatchObject({
      ok: false,
      error: { code: "handler_failed" },
    });
    expect(rows(file)).toEqual({ contacts: 0, leads: 0, tickets: 1, messages: 1 });
    expect(listTickets(open())[0]).toMatchObject({
      sessionId: ticket.sessionId,
      customerEmail: ticket.customerEmail,
      status: "open",
      messages: [{ author: "customer", body: ticket.customerMessage }],
    });
    expect(await deliver(url, ticket)).toEqual(DUPLICATE);
    expect(rows(file).tickets).toBe(1);
  });

  it("a lead failing after its contact was written answers 500 and leaves nothing; the retry writes one contact and one lead", async () => {
    const { url } = await start();
    const lead = createEvent("CREATE_LEAD");
    const fix = failWritesTo(file, "crm_leads");
    let fixed = false;
    cleanup.push(() => (fixed ? undefined : fix()));

    const result = await simulateDelivery({
      url,
      event: lead,
      secret,
      timeScale: 0.001,
      timeoutMs: 5_000,
      onAttempt: (attempt) => {
        if (attempt.attempt !== 1) return;
        expect(rows(file)).toMatchObject({ contacts: 0, leads: 0 });
        fix();
        fixed = true;
      },
    });

    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(rows(file)).toMatchObject({ contacts: 1, leads: 1 });
    expect(listContacts(open())).toEqual([expect.objectContaining({ leads: 1 })]);
  });

  it("without the transactional store, the same failure leaves a ticket behind and the retry opens a second", async () => {
    // What the example avoids: core's memory store, the ticket written as it goes.
    const db = open();
    const { url } = await serve(
      express().post(
        "/webhook",
        fineguideWebhook({
          secret,
          onTicket: (ticket: TicketEvent, ctx) => {
            openTicket(db, ticket, ctx);
          },
        }),
      ),
    );
    const fix = failWritesTo(file, "crm_ticket_messages");
    let fixed = false;
    cleanup.push(() => (fixed ? undefined : fix()));
    const result = await simulateDelivery({
      url,
      event: createEvent("TICKET"),
      secret,
      timeScale: 0.001,
      timeoutMs: 5_000,
      onAttempt: (attempt) => {
        if (attempt.attempt !== 1) return;
        fix();
        fixed = true;
      },
    });
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(rows(file)).toMatchObject({ tickets: 2, messages: 1 });
  });

  it("a receiver killed after writing a ticket, before committing, leaves nothing; the retry after its lease lapsed opens it once", async () => {
    const timing = { deadlineMs: 800, leaseMs: 1_200 };
    open(); // creates the tables
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", CRASHING, file, String(timing.deadlineMs), String(timing.leaseMs)],
      { cwd: ROOT, env: { ...process.env, SECRET: secret }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ?? code)),
    );
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(child.pid, "SIGKILL");
      }
      await exited;
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [line] = (await once(child.stdout ?? child, "data")) as [Buffer];
    const { port } = JSON.parse(line.toString()) as { port: number };

    const ticket = createEvent("TICKET");
    await expect(
      postEvent(`http://127.0.0.1:${port}/webhook`, ticket, { secret }),
    ).rejects.toThrow();
    expect(await exited, stderr).toBe("SIGKILL");
    expect(rows(file)).toEqual({ contacts: 0, leads: 0, tickets: 0, messages: 0 });

    // FineGuide retries (here sooner, with a shorter lease): a new process on the same file.
    const { url } = await start({ timing });
    const result = await simulateDelivery({
      url,
      event: ticket,
      secret,
      timeScale: 0.002, // retries after 120, 600 and 1800 ms
      timeoutMs: 5_000,
    });
    expect(result.delivered).toBe(true);
    // The dead process's claim holds until its lease lapses: 503 in_progress until then.
    const statuses = result.attempts.map((attempt) => attempt.status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((status) => status === 503)).toBe(true);
    expect(rows(file)).toEqual({ contacts: 0, leads: 0, tickets: 1, messages: 1 });
  }, 60_000);

  it("remembers processed events in the database: after a restart a retry is still a duplicate", async () => {
    const lead = createEvent("CREATE_LEAD");
    const ticket = createEvent("TICKET");
    {
      const db = openCrmDatabase(file);
      try {
        const { url } = await serve(createCrmApp({ secret, db }).app);
        expect(await deliver(url, lead)).toEqual(OK);
        expect(await deliver(url, ticket)).toEqual(OK);
      } finally {
        db.close();
      }
    }
    const { url } = await start();
    expect(await deliver(url, lead)).toEqual(DUPLICATE);
    expect(await deliver(url, ticket)).toEqual(DUPLICATE);
    expect(rows(file)).toEqual({ contacts: 1, leads: 1, tickets: 1, messages: 1 });
  });

  it("a wrong secret is 401 and an invalid payload 400; neither writes", async () => {
    const { url } = await start();
    const ticket = createEvent("TICKET");
    expect((await deliver(url, ticket, "wrong")).status).toBe(401);
    expect((await postEvent(url, ticket)).status).toBe(401);
    const invalid: [payload: object | string, code: string][] = [
      [{ ...ticket, customerMessage: undefined }, "invalid_payload"],
      [{ ...ticket, sessionId: "not-a-uuid" }, "invalid_payload"],
      [createEvent("CREATE_LEAD", { props: ["not", "an", "object"] as never }), "invalid_payload"],
      [{ ...ticket, type: undefined }, "missing_type"],
      ['{"type": "TICKET", ', "invalid_json"],
    ];
    for (const [payload, code] of invalid) {
      const answer = await deliver(url, payload);
      expect(answer.status, code).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: { code } });
    }
    expect(rows(file)).toEqual({ contacts: 0, leads: 0, tickets: 0, messages: 0 });
  });

  it("serves contacts and tickets on GET, behind the secret header", async () => {
    const { origin, url } = await start();
    await deliver(url, createEvent("CREATE_LEAD"));
    await deliver(url, createEvent("TICKET"));
    for (const path of ["/contacts", "/tickets"]) {
      const res = await fetch(`${origin}${path}`, { headers: { "x-webhook-secret": secret } });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toHaveLength(1);
      for (const headers of [{}, { "x-webhook-secret": "wrong" }] as Record<string, string>[]) {
        const denied = await fetch(`${origin}${path}`, { headers });
        expect(denied.status).toBe(401);
        expect(await denied.json()).toMatchObject({ error: { code: "unauthorized" } });
      }
    }
  });

  it("logs one line per write and per answer, with ids and no one's details", async () => {
    const lines: string[] = [];
    const { url } = await start({ log: (line) => lines.push(line) });
    const lead = createEvent("CREATE_LEAD");
    const ticket = createEvent("TICKET", { botId: lead.botId, sessionId: lead.sessionId });
    await deliver(url, lead);
    await deliver(url, ticket);
    await deliver(url, ticket);

    const s = lead.sessionId.slice(0, 8);
    const b = lead.botId.slice(0, 8);
    expect(lines.map((line) => line.slice(14))).toEqual([
      `created  contact 1 (key email), lead 1 from session ${s} (bot ${b})`,
      "200 processed",
      `opened   ticket 1 from session ${s} (bot ${b})`,
      "200 processed",
      "200 duplicate",
    ]);
    const text = lines.join("\n");
    for (const personal of [lead.email, lead.name, lead.phone, ticket.customerEmail]) {
      expect(text).not.toContain(personal ?? "?");
    }
  });
});
