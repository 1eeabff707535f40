import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createWebhooks } from "@fineguide-webhooks/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqliteStore, sqliteStore } from "./sqlite/index.js";
import { messageEvent, until } from "./test/events.js";
import { kill, post, type Receiver, SECRET, startReceiver } from "./test/receivers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLAIMER = fileURLToPath(new URL("./test/sqliteClaimer.ts", import.meta.url));

/** The answers of a claimer process, once it sent them. */
type Answers = Promise<Record<string, string[]>>;

describe("SQLite from several processes", () => {
  let dir: string;
  let file: string;
  let db: Database.Database;
  let store: SqliteStore;
  const keys = Array.from({ length: 5 }, () => randomUUID());
  const claimers: { child: ChildProcess; answers: Answers }[] = [];
  let receiver: Receiver | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fgw-sqlite-processes-"));
    file = join(dir, "app.sqlite");
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    store = sqliteStore({ db });
    store.migrate();
    db.exec(
      "CREATE TABLE proc_effects (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, pid INT)",
    );
    // Every child starts at once: each costs a Node start and a TypeScript compile.
    const ready: Promise<unknown>[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ["--import", "tsx", CLAIMER], {
        cwd: ROOT,
        env: {
          ...process.env,
          DB_FILE: file,
          KEYS: keys.join(","),
          CLAIMS: "100",
          TOKEN_PREFIX: `p${i}-`,
        },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      ready.push(new Promise((resolve) => child.once("message", resolve)));
      const answers: Answers = new Promise((resolve, reject) => {
        child.once("error", reject);
        child.on("message", (message) => {
          if (typeof message === "object") resolve(message as Record<string, string[]>);
        });
        child.once("exit", (code) => reject(new Error(`claimer exited ${code}`)));
      });
      answers.catch(() => {});
      claimers.push({ child, answers });
    }
    // A synchronous handler blocks the event loop: no deadline can fire inside it.
    const started = startReceiver({ KIND: "sqlite", DB_FILE: file, MARK_DIR: dir });
    [receiver] = await Promise.all([started, ...ready]);
  }, 60_000);

  afterAll(async () => {
    for (const { child } of claimers) if (child.exitCode === null) child.kill("SIGKILL");
    if (receiver && receiver.child.exitCode === null && receiver.child.signalCode === null) {
      await kill(receiver);
    }
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("200 claims from 2 processes on one file at the same instant: one winner per key", async () => {
    // Both are ready (statements prepared); both start at the same instant.
    const startAt = Date.now() + 50;
    for (const { child } of claimers) child.send({ startAt });
    const answers = await Promise.all(claimers.map((c) => c.answers));
    for (const key of keys) {
      const all = answers.flatMap((byKey) => byKey[key] ?? []);
      expect(all).toHaveLength(200);
      expect(all.filter((a) => a === "claimed")).toHaveLength(1);
      expect(all.filter((a) => a === "in_progress")).toHaveLength(199);
    }
  }, 60_000);

  it("a receiver SIGKILLed inside its transaction: nothing of that run remains in the file; the retry writes exactly one row", async () => {
    const event = messageEvent("hang");
    const answer = post(receiver!.url, event).catch((error: unknown) => error);
    await until(() => existsSync(join(dir, event.messageId)), 30_000);
    await kill(receiver!);
    expect(await answer).toBeInstanceOf(Error); // it died before it answered
    const effects = () =>
      db
        .prepare("SELECT count(*) FROM proc_effects WHERE message_id = ?")
        .pluck()
        .get(event.messageId);
    expect(effects()).toBe(0);
    // The retry: first while the crashed claim's lease (30 s) holds, then after it lapsed.
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: store,
      onMessage: store.transactional((message, ctx) => {
        ctx.tx
          .prepare("INSERT INTO proc_effects (message_id, pid) VALUES (?, ?)")
          .run(message.messageId, process.pid);
      }),
    });
    const retry = { ...event, message: "hello" }; // the same event: its key is the messageId
    expect((await webhooks.dispatch(retry)).outcome).toBe("in_progress");
    // FineGuide retries a minute later, when the lease has lapsed: stand in for that wait
    // by moving the dead claim's lease into the past.
    const key = `${event.botId}:MESSAGE:${event.messageId}`;
    expect(
      db
        .prepare(
          "UPDATE fineguide_webhooks_dedupe SET lease_until = ? WHERE key = ? AND token IS NOT NULL",
        )
        .run(Date.now(), key).changes,
    ).toBe(1);
    expect((await webhooks.dispatch(retry)).outcome).toBe("processed");
    expect(effects()).toBe(1);
    expect((await webhooks.dispatch(retry)).outcome).toBe("duplicate");
  }, 60_000);
});
