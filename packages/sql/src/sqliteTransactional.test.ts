import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createWebhooks,
  type DedupeStore,
  type Logger,
  memoryStore,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { type SqliteStore, SqlStoreError, sqliteStore } from "./sqlite/index.js";
import { mapLimit, messageEvent, sleep, ticketEvent, variableUpdate } from "./test/events.js";

describe("sqliteStore.transactional through core", { timeout: 30_000 }, () => {
  let dir: string;
  let db: Database.Database;
  let store: SqliteStore;

  const receiver = (options: Omit<WebhooksOptions, "secret" | "dedupe"> = {}, dedupe = store) =>
    createWebhooks({ allowUnauthenticated: true, dedupe, ...options });
  const effects = (note: string) =>
    db.prepare("SELECT handler FROM effects WHERE note = ? ORDER BY handler").pluck().all(note);
  const insert = (tx: Database.Database, handler: string, note: string) =>
    tx.prepare("INSERT INTO effects (handler, note) VALUES (?, ?)").run(handler, note);
  const dedupeRow = (key: string) =>
    db
      .prepare(
        "SELECT token, done_until IS NOT NULL AS done FROM fineguide_webhooks_dedupe WHERE key = ?",
      )
      .get(key);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fgw-sqlite-tx-"));
    db = new Database(join(dir, "app.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    store = sqliteStore({ db });
    store.migrate();
    db.exec(
      "CREATE TABLE effects (id INTEGER PRIMARY KEY, handler TEXT NOT NULL, note TEXT NOT NULL)",
    );
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the handler's writes and the done mark commit together; the retry is a duplicate", async () => {
    const event = messageEvent();
    let key = "";
    const webhooks = receiver({
      onMessage: store.transactional((message, ctx) => {
        key = ctx.dedupeKey;
        expect(ctx.tx).toBe(db);
        expect(ctx.tx.inTransaction).toBe(true);
        insert(ctx.tx, "a", message.messageId);
      }),
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect(effects(event.messageId)).toEqual(["a"]);
    expect(dedupeRow(key)).toEqual({ token: null, done: 1 });
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(effects(event.messageId)).toEqual(["a"]);
    expect(db.inTransaction).toBe(false);
  });

  it("a handler failing after its write: rolled back, claim released; the retry writes once", async () => {
    const event = messageEvent();
    let attempts = 0;
    let key = "";
    const webhooks = receiver({
      onMessage: store.transactional((message, ctx) => {
        key = ctx.dedupeKey;
        insert(ctx.tx, "a", message.messageId);
        if (++attempts === 1) throw new Error("fails after its write");
      }),
    });
    const first = await webhooks.dispatch(event);
    expect(first.outcome).toBe("handler_failed");
    expect(effects(event.messageId)).toEqual([]);
    expect(dedupeRow(key)).toBeUndefined();
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(effects(event.messageId)).toEqual(["a"]);
  });

  it("the file locked by another writer: 503 before the claim, 500 inside the transaction; nothing written, and once it is free the retry writes once", async () => {
    // A connection of its own that waits 50 ms for a lock (the main one waits 5 s).
    const mine = new Database(join(dir, "app.sqlite"), { timeout: 50 });
    const other = new Database(join(dir, "app.sqlite"));
    onTestFinished(() => {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      mine.close();
      vi.useRealTimers();
    });
    const s = sqliteStore({ db: mine });
    let lockAfterClaim = false;
    const locking: DedupeStore = {
      claim: (key, request) => {
        const answer = s.claim(key, request);
        // Another process's write starts between the claim and the transaction.
        if (lockAfterClaim) other.exec("BEGIN IMMEDIATE");
        return answer;
      },
      complete: (key, token, options) => s.complete(key, token, options),
      release: (key, token) => s.release(key, token),
      renew: (key, token, leaseMs) => s.renew(key, token, leaseMs),
    };
    let ran = 0;
    const webhooks = createWebhooks({
      allowUnauthenticated: true,
      dedupe: locking,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onMessage: s.transactional((message, ctx) => {
        ran++;
        insert(ctx.tx, "a", message.messageId);
      }),
    });
    const event = messageEvent();

    // 1. Locked before the claim: the claim fails, 503, no handler runs.
    other.exec("BEGIN IMMEDIATE");
    const locked = await webhooks.dispatch(event);
    expect([locked.outcome, locked.status, ran]).toEqual(["store_unavailable", 503, 0]);
    other.exec("ROLLBACK");

    // 2. Locked between the claim and the transaction: the transaction cannot begin, 500.
    //    Its release cannot be written either: the claim stays until its lease lapses.
    lockAfterClaim = true;
    const inside = await webhooks.dispatch(event);
    expect([inside.outcome, inside.status, ran]).toEqual(["handler_failed", 500, 0]);
    other.exec("ROLLBACK");
    lockAfterClaim = false;
    expect(effects(event.messageId)).toEqual([]);
    expect((await webhooks.dispatch(event)).outcome).toBe("in_progress");

    // 3. FineGuide retries a minute later, after the lease (45 s) lapsed: once, and only once.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60_000);
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(effects(event.messageId)).toEqual(["a"]);
    expect(ran).toBe(1);
  });

  it("an async handler is refused: its synchronous writes are rolled back, answered 500", async () => {
    const event = messageEvent();
    const webhooks = receiver({
      onMessage: store.transactional(
        // @ts-expect-error: a SQLite transactional handler must be synchronous
        async (message: { messageId: string }, ctx: { tx: Database.Database }) => {
          insert(ctx.tx, "a", message.messageId);
        },
      ),
    });
    const answer = await webhooks.dispatch(event);
    expect(answer.outcome).toBe("handler_failed");
    expect(String(answer.error)).toMatch(/must be synchronous/);
    expect(effects(event.messageId)).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it("a second transactional handler for one delivery fails loudly (compose them in one)", async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_fields, message) => warnings.push(message ?? ""),
    };
    const logged = sqliteStore({ db, logger });
    const event = messageEvent();
    const webhooks = receiver(
      {
        onMessage: [
          logged.transactional((message, ctx) => {
            insert(ctx.tx, "a", message.messageId);
          }),
          logged.transactional(() => {}),
        ],
      },
      logged,
    );
    const answer = await webhooks.dispatch(event);
    expect(answer.outcome).toBe("handler_failed");
    expect(String(answer.error)).toMatch(/second transactional handler/);
    expect(warnings).toEqual([expect.stringMatching(/Wrap every handler/)]);
  });

  it("a transactional handler under a receiver using another store fails loudly (500)", async () => {
    const webhooks = receiver(
      { onMessage: store.transactional(() => {}) },
      memoryStore({ max: 10 }) as unknown as SqliteStore,
    );
    const answer = await webhooks.dispatch(messageEvent());
    expect(answer.outcome).toBe("handler_failed");
    expect(String(answer.error)).toMatch(/holds no claim of this store/);
  });

  it("a claim lost before the commit (lapsed lease, taken over by another process): rolled back", async () => {
    const event = messageEvent();
    const key = `${event.botId}:MESSAGE:${event.messageId}`;
    const webhooks = receiver({
      onMessage: store.transactional((message, ctx) => {
        insert(ctx.tx, "first", message.messageId);
        // As another process would, after the lease lapsed (forced here).
        ctx.tx
          .prepare("UPDATE fineguide_webhooks_dedupe SET token = 'taker' WHERE key = ?")
          .run(key);
      }),
    });
    const answer = await webhooks.dispatch(event);
    expect(answer.outcome).toBe("handler_failed");
    expect((answer.error as SqlStoreError).code).toBe("claim_lost");
    expect(answer.error).toBeInstanceOf(SqlStoreError);
    expect(effects(event.messageId)).toEqual([]);
  });

  it("the receiver's dedupeTtlMs is the committed done mark's TTL", async () => {
    const event = messageEvent();
    const webhooks = receiver({
      dedupeTtlMs: 40 * 60_000,
      onMessage: store.transactional((message, ctx) => {
        insert(ctx.tx, "a", message.messageId);
      }),
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    const doneUntil = db
      .prepare("SELECT done_until FROM fineguide_webhooks_dedupe WHERE key = ?")
      .pluck()
      .get(`${event.botId}:MESSAGE:${event.messageId}`) as number;
    expect(doneUntil - Date.now()).toBeGreaterThan(39 * 60_000);
    expect(doneUntil - Date.now()).toBeLessThanOrEqual(40 * 60_000);
  });

  it("300 events, each delivered 3 times concurrently, one in ten failing once: each written once", async () => {
    const events = Array.from({ length: 300 }, () => messageEvent());
    const failures = new Set<string>(events.filter((_, i) => i % 10 === 0).map((e) => e.messageId));
    const webhooks = receiver({
      onMessage: store.transactional((message, ctx) => {
        insert(ctx.tx, "a", message.messageId);
        if (failures.delete(message.messageId)) throw new Error("first attempt fails");
      }),
    });
    const deliveries = [...events, ...events, ...events];
    await mapLimit(deliveries, 50, async (event) => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const { status } = await webhooks.dispatch(event);
        if (status < 300) return;
        await sleep(1);
      }
      throw new Error("never processed");
    });
    const counts = db
      .prepare(
        `SELECT count(*) FROM effects WHERE note IN (${events.map(() => "?").join(",")}) GROUP BY note`,
      )
      .pluck()
      .all(...events.map((e) => e.messageId));
    expect(counts).toEqual(events.map(() => 1));
  });

  it("latest: A, B, C each commit once, in order; a retry of C is a duplicate", async () => {
    db.exec("CREATE TABLE IF NOT EXISTS session_vars (session TEXT PRIMARY KEY, vars TEXT, n INT)");
    const sessionId = randomUUID();
    const webhooks = receiver({
      onVariableUpdate: store.transactional((update, ctx) => {
        ctx.tx
          .prepare(
            `INSERT INTO session_vars VALUES (?, ?, 1)
             ON CONFLICT (session) DO UPDATE SET vars = excluded.vars, n = n + 1`,
          )
          .run(update.sessionId, JSON.stringify(update.variables));
      }),
    });
    const versions = ["A", "B", "C"].map((v) => variableUpdate(sessionId, { v }));
    for (const version of versions) {
      expect((await webhooks.dispatch(version)).outcome).toBe("processed");
    }
    const row = () =>
      db.prepare("SELECT vars, n FROM session_vars WHERE session = ?").get(sessionId);
    expect(row()).toEqual({ vars: '{"v":"C"}', n: 3 });
    expect((await webhooks.dispatch(versions[2]!)).outcome).toBe("duplicate");
    expect((await webhooks.dispatch(versions[1]!)).outcome).toBe("processed"); // a change back
    expect(row()).toEqual({ vars: '{"v":"B"}', n: 4 });
  });

  it("TICKET keys are built from content: an identical second ticket in the session is a duplicate", async () => {
    const sessionId = randomUUID();
    const webhooks = receiver({
      onTicket: store.transactional((ticket, ctx) => {
        insert(ctx.tx, ticket.customerMessage, sessionId);
      }),
    });
    expect((await webhooks.dispatch(ticketEvent(sessionId, "help"))).outcome).toBe("processed");
    expect((await webhooks.dispatch(ticketEvent(sessionId, "help"))).outcome).toBe("duplicate");
    expect((await webhooks.dispatch(ticketEvent(sessionId, "more"))).outcome).toBe("processed");
    expect(effects(sessionId)).toEqual(["help", "more"]);
  });
});
