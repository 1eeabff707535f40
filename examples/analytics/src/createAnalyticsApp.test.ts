import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEvent, postEvent, simulateDelivery, uuid } from "@fineguide-webhooks/testing";
import Database from "better-sqlite3";
import type express from "express";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assistantSummaries } from "./assistantSummaries.js";
import { type AnalyticsAppOptions, createAnalyticsApp } from "./createAnalyticsApp.js";
import { openAnalyticsDatabase } from "./openAnalyticsDatabase.js";
import { sessionSummaries } from "./sessionSummaries.js";

const secret = "test-secret-a7c3";
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

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

describe("the analytics receiver", () => {
  let dir: string;
  let file: string;
  const cleanup: (() => unknown)[] = [];
  /** The test's clock: when the next event "happens". */
  let now = T0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "analytics-"));
    file = join(dir, "analytics.sqlite");
    now = T0;
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the test's database, closed after the test. */
  const open = () => {
    const db = openAnalyticsDatabase(file, { busyTimeoutMs: 20 });
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

  /** The receiver on the test's database and clock. */
  const start = (db: Database.Database, options: Partial<AnalyticsAppOptions> = {}) =>
    serve(createAnalyticsApp({ secret, db, clock: () => now, timeZone: "UTC", ...options }).app);

  it("records a conversation: messages by role, a rating up, down, up (three changes), its duration", async () => {
    const db = open();
    const { url } = await start(db);
    const botId = uuid();
    const sessionId = uuid();
    const at = (minutes: number) => {
      now = T0 + minutes * MIN;
    };

    expect(await deliver(url, createEvent("SESSION_OPEN", { botId, sessionId }))).toEqual(OK);
    const roles = ["USER", "ASSISTANT", "USER", "ASSISTANT", "OPERATOR"] as const;
    const messages = roles.map((role) => createEvent("MESSAGE", { botId, sessionId, role }));
    for (const [i, message] of messages.entries()) {
      at(i + 1);
      expect(await deliver(url, message)).toEqual(OK);
    }
    const rated = messages[1]?.messageId ?? "";
    const up = createEvent("RATE_MESSAGE", { botId, sessionId, messageId: rated, rating: 1 });
    const down = { ...up, rating: -1 as const };
    for (const rating of [up, down, up]) {
      at(now / MIN - T0 / MIN + 0.5);
      expect(await deliver(url, rating)).toEqual(OK);
    }
    // A retry of the latest version is a duplicate, not a fourth change.
    expect(await deliver(url, up)).toEqual(DUPLICATE);
    at(8);
    expect(await deliver(url, createEvent("SESSION_CLOSED", { botId, sessionId }))).toEqual(OK);
    // Other types are answered 200 and counted nowhere.
    expect(await deliver(url, createEvent("TICKET", { botId, sessionId }))).toEqual(OK);

    expect(assistantSummaries(db, botId)).toEqual([
      expect.objectContaining({
        sessions: 1,
        openSessions: 0,
        timedSessions: 1,
        medianDurationMs: 8 * MIN,
        messages: 5,
        messagesByRole: { USER: 2, ASSISTANT: 2, OPERATOR: 1, other: 0 },
        ratedMessages: 1,
        thumbsUp: 1,
        thumbsDown: 0,
        ratingChanges: 3,
        changedRatings: 1,
      }),
    ]);
    expect(sessionSummaries(db, botId)).toEqual([
      expect.objectContaining({ sessionId, durationMs: 8 * MIN, messages: 5, ratingChanges: 3 }),
    ]);
  });

  it("remembers processed events in the database: after a restart a retry is still a duplicate", async () => {
    const message = createEvent("MESSAGE");
    const rating = createEvent("RATE_MESSAGE", { botId: message.botId, rating: -1 });
    {
      const db = openAnalyticsDatabase(file);
      try {
        const { url } = await start(db);
        expect(await deliver(url, message)).toEqual(OK);
        expect(await deliver(url, rating)).toEqual(OK);
      } finally {
        db.close();
      }
    }
    // A new process: the same file, the kit's dedupe table in it.
    const db = open();
    const { url } = await start(db);
    expect(await deliver(url, message)).toEqual(DUPLICATE);
    expect(await deliver(url, rating)).toEqual(DUPLICATE);
    expect(await deliver(url, { ...rating, rating: 1 })).toEqual(OK);
    expect(assistantSummaries(db)[0]).toMatchObject({ messages: 1, ratingChanges: 2 });
  });

  it("a failure after the write rolls the event back; FineGuide's retry counts it once", async () => {
    const db = open();
    const { url } = await start(db);
    const up = createEvent("RATE_MESSAGE", { rating: 1 });
    const down = { ...up, rating: -1 as const };
    expect(await deliver(url, up)).toEqual(OK);

    // The session's row is written first; then the rating's write fails.
    const other = new Database(file);
    other.exec(`CREATE TRIGGER fail_rating BEFORE UPDATE ON analytics_ratings
      BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    const seen = () => sessionSummaries(db, up.botId)[0]?.lastSeenAt;
    const before = seen();
    now = T0 + 5 * MIN;

    const result = await simulateDelivery({
      url,
      event: down,
      secret,
      timeScale: 0.001, // retries after 60, 300 and 900 ms
      timeoutMs: 5_000,
      onAttempt: (attempt) => {
        if (attempt.attempt !== 1) return;
        expect(seen()).toBe(before); // the session's write was rolled back too
        other.exec("DROP TRIGGER fail_rating");
      },
    });
    other.close();

    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(assistantSummaries(db)[0]).toMatchObject({ thumbsDown: 1, ratingChanges: 2 });
    expect(seen()).toBe(T0 + 5 * MIN);
    expect(await deliver(url, down)).toEqual(DUPLICATE);
  });

  it("a wrong secret is 401 and an invalid payload 400; neither writes", async () => {
    const db = open();
    const { url } = await start(db);
    const message = createEvent("MESSAGE");

    expect((await deliver(url, message, "wrong")).status).toBe(401);
    expect((await postEvent(url, message)).status).toBe(401);
    const invalid: [payload: object | string, code: string][] = [
      [{ ...message, messageId: "not-a-uuid" }, "invalid_payload"],
      [createEvent("RATE_MESSAGE", { rating: 5 as 1 }), "invalid_payload"],
      [{ ...message, type: undefined }, "missing_type"],
      ['{"type": "MESSAGE", ', "invalid_json"],
    ];
    for (const [payload, code] of invalid) {
      const answer = await deliver(url, payload);
      expect(answer.status, code).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: { code } });
    }
    expect(assistantSummaries(db)).toEqual([]);
  });

  it("serves the page with a strict content security policy, and 404 for an unknown assistant", async () => {
    const db = open();
    const { origin, url } = await start(db);
    const empty = await fetch(`${origin}/`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get("content-type")).toMatch(/^text\/html/);
    expect(empty.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/,
    );
    expect(empty.headers.get("cache-control")).toBe("no-store");
    expect(await empty.text()).toContain(`<code>${url}</code>`);

    const event = createEvent("SESSION_OPEN");
    await deliver(url, event);
    const page = await fetch(`${origin}/assistants/${event.botId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(event.sessionId.slice(0, 8));
    const unknown = await fetch(`${origin}/assistants/${uuid()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No events from this assistant");
  });

  it("logs one line per write and per answer, never what people wrote", async () => {
    const db = open();
    const lines: string[] = [];
    const { url } = await start(db, { log: (line) => lines.push(line) });
    const message = createEvent("MESSAGE", { message: "my card number is 4111" });
    await deliver(url, message);
    await deliver(url, message);

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} {2}recorded {3}MESSAGE {8}session ${message.sessionId.slice(0, 8)} \\(bot ${message.botId.slice(0, 8)}\\)$`,
      ),
    );
    expect(lines[1]).toMatch(/ 200 processed$/);
    expect(lines[2]).toMatch(/ 200 duplicate$/);
    expect(lines.join("\n")).not.toContain("4111");
  });
});
