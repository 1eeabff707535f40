import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createWebhooks,
  type DedupeStore,
  NotProcessedError,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEvent } from "../test/events.js";
import { recordingLogger } from "../test/recordingLogger.js";
import { type SqliteContext, type SqliteStore, sqliteStore } from "./index.js";

describe("sqliteStore faults", { timeout: 30_000 }, () => {
  let dir: string;
  let db: Database.Database;
  let store: SqliteStore;

  const receiver = (
    options: Omit<WebhooksOptions, "secret" | "dedupe"> = {},
    dedupe: DedupeStore = store,
  ) => createWebhooks({ allowUnauthenticated: true, dedupe, ...options });
  const effects = (note: string) =>
    db.prepare("SELECT handler FROM effects WHERE note = ? ORDER BY handler").pluck().all(note);
  const dedupeRow = (table: string, key: string) =>
    db.prepare(`SELECT token, done_until IS NOT NULL AS done FROM ${table} WHERE key = ?`).get(key);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fgw-sqlite-faults-"));
    db = new Database(join(dir, "app.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
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

  it("transactional() given something else than a function throws a TypeError at once", () => {
    for (const notAFunction of [undefined, null, "handler", {}]) {
      expect(() => store.transactional(notAFunction as never)).toThrow(
        new TypeError("fineguide-webhooks/sql/sqlite: transactional() takes a function."),
      );
    }
  });

  it("a cleanup that fails is logged (error, table) and the claims go on being answered", () => {
    const { logger, warnings } = recordingLogger();
    const table = "sweep_refused";
    const swept = sqliteStore({ db, table, sweepEvery: 1, logger });
    swept.migrate();
    // An expired key for the cleanup to delete, and a trigger that refuses every delete.
    db.prepare(`INSERT INTO ${table} (key, lease_until, done_until) VALUES ('a-old', 1, 1)`).run();
    db.exec(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, 'deletes are refused here'); END`);
    const request = { token: "t1", leaseMs: 60_000, mode: "once" as const };
    expect(swept.claim("k1", request)).toBe("claimed");
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning?.message).toBe("fineguide-webhooks/sql: cleanup failed");
    expect(warning?.fields.table).toBe(table);
    expect(String(warning?.fields.err)).toMatch(/deletes are refused here/);
    // The claim it answered stands, the next claim is answered, and cleanup is tried again.
    expect(dedupeRow(table, "k1")).toEqual({ token: "t1", done: 0 });
    expect(swept.claim("k1", { ...request, token: "t2" })).toBe("in_progress");
    expect(swept.complete("k1", "t1", { ttlMs: 60_000 })).toBe(true);
    expect(swept.claim("k1", { ...request, token: "t3" })).toBe("duplicate");
    expect(warnings).toHaveLength(3);
    expect(db.prepare(`SELECT count(*) FROM ${table} WHERE key = 'a-old'`).pluck().get()).toBe(1);
    // Without the trigger the next cleanup deletes the expired key.
    db.exec(`DROP TRIGGER ${table}_no_delete`);
    expect(swept.claim("k2", { ...request, token: "t4" })).toBe("claimed");
    expect(warnings).toHaveLength(3);
    expect(db.prepare(`SELECT count(*) FROM ${table} WHERE key = 'a-old'`).pluck().get()).toBe(0);
  });

  it("a transactional handler's error swallowed by another handler: not done, answered 500, claim released, the retry runs", async () => {
    const event = messageEvent();
    let attempts = 0;
    const wrapped = store.transactional((message: typeof event, ctx) => {
      ctx.tx
        .prepare("INSERT INTO effects (handler, note) VALUES (?, ?)")
        .run("a", message.messageId);
      if (attempts === 1) throw new Error("fails after its write");
    });
    let swallowed: unknown;
    let key = "";
    const webhooks = receiver(
      {
        // The wrapped handler called inside a try/catch that swallows its error: the
        // receiver sees a success and completes the claim, but nothing was committed.
        onMessage: (message, ctx) => {
          attempts++;
          key = ctx.dedupeKey;
          try {
            wrapped(message as typeof event, ctx);
          } catch (error) {
            swallowed = error;
          }
        },
      },
      store,
    );
    const first = await webhooks.dispatch(event);
    expect(String(swallowed)).toMatch(/fails after its write/);
    // Not done, and said so: 500, so FineGuide retries (not a 200 for an event never written).
    expect(first).toMatchObject({ outcome: "handler_failed", status: 500 });
    expect(NotProcessedError.is(first.error)).toBe(true);
    expect(effects(event.messageId)).toEqual([]); // rolled back
    expect(dedupeRow("fineguide_webhooks_dedupe", key)).toBeUndefined(); // released: absent again
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect(attempts).toBe(2);
    expect(effects(event.messageId)).toEqual(["a"]);
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
  });

  it('inside a transactional handler, "tx" in ctx is true and ctx answers `in` as the receiver\'s', async () => {
    const seen: Record<string, boolean> = {};
    let outside: Record<string, boolean> = {};
    const webhooks = receiver({
      onMessage: [
        store.transactional((_message, ctx: SqliteContext) => {
          seen.tx = "tx" in ctx;
          seen.deliveryId = "deliveryId" in ctx;
          seen.signal = "signal" in ctx;
          seen.nope = "nope" in ctx;
        }),
      ],
      onAny: (_event, ctx) => {
        outside = { tx: "tx" in ctx, deliveryId: "deliveryId" in ctx };
      },
    });
    expect((await webhooks.dispatch(messageEvent())).outcome).toBe("processed");
    expect(seen).toEqual({ tx: true, deliveryId: true, signal: true, nope: false });
    expect(outside).toEqual({ tx: false, deliveryId: true });
  });
});
