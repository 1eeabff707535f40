import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { VariableUpdateEvent } from "@fineguide-webhooks/core";
import { createEvent, postEvent, simulateDelivery } from "@fineguide-webhooks/testing";
import Database from "better-sqlite3";
import express from "express";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVariableSyncApp } from "./createVariableSyncApp.js";
import { openVariableStore, type VariableStore } from "./openVariableStore.js";

const secret = "test-secret-5b1e";

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

/**
 * Rows in the table (0 without a table), read through a connection of its own:
 * what is in the file, not what the store's connection sees.
 */
function rowCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'session_variables'")
      .get();
    if (!table) return 0;
    return (db.prepare("SELECT count(*) AS n FROM session_variables").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * The store behind a downstream that takes `ms` before each write (as a call to
 * a CRM would), recording the variables of every completed write in order.
 */
function slowStore(store: VariableStore, ms: number, writes: unknown[]): VariableStore {
  return {
    async save(update, signal) {
      await sleep(ms, undefined, { signal });
      const saved = await store.save(update, signal);
      writes.push(update.variables);
      return saved;
    },
    get: (botId, sessionId) => store.get(botId, sessionId),
    close: () => store.close(),
  };
}

describe("the variable-sync receiver", () => {
  let dir: string;
  let file: string;
  const cleanup: (() => unknown)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "variable-sync-"));
    file = join(dir, "variables.sqlite");
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a store on the test's file, closed after the test. */
  const open = (options?: { busyTimeoutMs: number }) => {
    const store = openVariableStore(file, options);
    cleanup.push(() => store.close());
    return store;
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

  /** Three versions of one session's variables, each the whole set so far. */
  const versions = (): [VariableUpdateEvent, VariableUpdateEvent, VariableUpdateEvent] => {
    const a = createEvent("VARIABLE_UPDATE", { variables: { user_name: "John" } });
    const b = { ...a, variables: { ...a.variables, product_interest: "Enterprise Plan" } };
    const c = { ...b, variables: { ...b.variables, company_size: "50-100" } };
    return [a, b, c];
  };

  it("quick successive updates A, B, C (10 ms apart, slow handler) end with C's variables, and none is answered 503", async () => {
    const store = open();
    const writes: unknown[] = [];
    const receiver = createVariableSyncApp({ secret, store: slowStore(store, 100, writes) });
    // Counts requests as they reach the server, so each update leaves only after
    // the previous one arrived: they reach the receiver in order, 10 ms apart.
    let arrived = 0;
    const waiting = new Set<() => void>();
    const outer = express();
    outer.use((_req, _res, next) => {
      arrived++;
      for (const check of waiting) check();
      next();
    });
    outer.use(receiver.app);
    const untilArrived = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (arrived < n) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    const { url } = await serve(outer);

    const [a, b, c] = versions();
    const answers: Promise<Answer>[] = [];
    for (const [index, event] of [a, b, c].entries()) {
      if (index > 0) {
        await untilArrived(index);
        await sleep(10);
      }
      answers.push(deliver(url, event));
    }

    const settled = await Promise.all(answers);
    expect(settled.map((answer) => answer.status)).not.toContain(503);
    expect(settled).toEqual([OK, OK, OK]);
    expect(writes.at(-1)).toEqual(c.variables);
    expect(store.get(c.botId, c.sessionId)?.variables).toEqual(c.variables);
    expect(rowCount(file)).toBe(1);
  });

  it("answers a retry of the stored version as a duplicate; a late retry of an older version sets the row back to it", async () => {
    const store = open();
    const { url } = await serve(createVariableSyncApp({ secret, store }).app);
    const [a, b] = versions();
    const row = () => store.get(a.botId, a.sessionId);

    expect(await deliver(url, a)).toEqual(OK);
    expect(row()).toMatchObject({ variables: a.variables, version: 1 });
    expect(await deliver(url, a)).toEqual(DUPLICATE);
    expect(row()).toMatchObject({ variables: a.variables, version: 1 });

    expect(await deliver(url, b)).toEqual(OK);
    expect(row()).toMatchObject({ variables: b.variables, version: 2 });
    expect(await deliver(url, b)).toEqual(DUPLICATE);

    // FineGuide sends no sequence number: a retry of A arriving after B is, to any
    // receiver, the same as the session's variables changing back to A's. The
    // example applies it (see the README) and counts it as a new version.
    expect(await deliver(url, a)).toEqual(OK);
    expect(row()).toMatchObject({ variables: a.variables, version: 3 });
    expect(await deliver(url, a)).toEqual(DUPLICATE);
    expect(row()).toMatchObject({ variables: a.variables, version: 3 });
    expect(rowCount(file)).toBe(1);
  });

  it("a retry the kit no longer remembers (after a restart) is answered 200 and writes nothing", async () => {
    const [a] = versions();
    const first = openVariableStore(file);
    const before = await (async () => {
      try {
        const { url } = await serve(createVariableSyncApp({ secret, store: first }).app);
        expect(await deliver(url, a)).toEqual(OK);
        return first.get(a.botId, a.sessionId);
      } finally {
        first.close();
      }
    })();

    // A new process: a new in-memory dedupe store, the same database file.
    const store = open();
    const { url } = await serve(createVariableSyncApp({ secret, store }).app);
    expect(await deliver(url, a)).toEqual(OK);
    expect(store.get(a.botId, a.sessionId)).toEqual(before);
    expect(before).toMatchObject({ version: 1, variables: a.variables });
  });

  it("a wrong or missing secret is 401 and writes nothing", async () => {
    const store = open();
    const { url } = await serve(createVariableSyncApp({ secret, store }).app);
    const event = createEvent("VARIABLE_UPDATE");

    const wrong = await deliver(url, event, "not-the-secret");
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ ok: false, error: { code: "unauthorized" } });
    const missing = await postEvent(url, event);
    expect(missing.status).toBe(401);
    expect(rowCount(file)).toBe(0);
  });

  it("an invalid payload is 400 and writes nothing", async () => {
    const store = open();
    const { url } = await serve(createVariableSyncApp({ secret, store }).app);
    const event = createEvent("VARIABLE_UPDATE");

    const cases: [payload: object | string, code: string][] = [
      [{ ...event, variables: ["not", "an", "object"] }, "invalid_payload"],
      [{ ...event, variables: undefined }, "invalid_payload"],
      [{ ...event, sessionId: "not-a-uuid" }, "invalid_payload"],
      [{ ...event, type: undefined }, "missing_type"],
      ['{"type": "VARIABLE_UPDATE", ', "invalid_json"],
    ];
    for (const [payload, code] of cases) {
      const answer = await deliver(url, payload);
      expect(answer.status, code).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: { code } });
    }
    expect(rowCount(file)).toBe(0);
  });

  /** Ways a write fails, each with its fix. */
  const faults = [
    {
      name: "another connection holds the write lock",
      break: (path: string) => {
        const other = new Database(path);
        other.exec("BEGIN EXCLUSIVE");
        return () => {
          other.exec("ROLLBACK");
          other.close();
        };
      },
    },
    {
      name: "the table was dropped",
      break: (path: string) => {
        const other = new Database(path);
        other.exec("DROP TABLE session_variables");
        other.close();
        // Opening the store again creates the table.
        return () => openVariableStore(path).close();
      },
    },
  ];

  it.each(faults)(
    "a failed write ($name) answers 500; the retry after the fix writes the row once",
    async (fault) => {
      const store = open({ busyTimeoutMs: 20 });
      const writes: unknown[] = [];
      const { url } = await serve(
        createVariableSyncApp({ secret, store: slowStore(store, 0, writes) }).app,
      );
      const event = createEvent("VARIABLE_UPDATE");
      const fix = fault.break(file);
      let fixed = false;
      cleanup.push(() => (fixed ? undefined : fix()));

      const result = await simulateDelivery({
        url,
        event,
        secret,
        timeScale: 0.001, // retries after 60, 300 and 900 ms
        timeoutMs: 5_000,
        onAttempt: (attempt) => {
          if (attempt.attempt !== 1) return;
          expect(rowCount(file)).toBe(0);
          fix();
          fixed = true;
        },
      });

      expect(result.delivered).toBe(true);
      expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
      const first = result.attempts[0];
      expect(JSON.parse(first?.status === undefined ? "null" : first.body)).toMatchObject({
        ok: false,
        error: { code: "handler_failed" },
      });
      expect(writes).toEqual([event.variables]);
      expect(store.get(event.botId, event.sessionId)).toMatchObject({
        variables: event.variables,
        version: 1,
      });
      expect(await deliver(url, event)).toEqual(DUPLICATE);
      expect(rowCount(file)).toBe(1);
      expect(writes).toHaveLength(1);
    },
  );

  it("serves a session's row on GET, behind the secret header", async () => {
    const store = open();
    const { origin, url } = await serve(createVariableSyncApp({ secret, store }).app);
    const event = createEvent("VARIABLE_UPDATE");
    const path = `${origin}/bots/${event.botId}/sessions/${event.sessionId}/variables`;
    const get = (key?: string) =>
      fetch(path, { headers: key === undefined ? {} : { "x-webhook-secret": key } });

    expect((await get(secret)).status).toBe(404);
    expect(await deliver(url, event)).toEqual(OK);

    const res = await get(secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      botId: event.botId,
      sessionId: event.sessionId,
      variables: event.variables,
      fingerprint: expect.any(String),
      dedupeKey: `${event.botId}:VARIABLE_UPDATE:${event.sessionId}`,
      version: 1,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    for (const key of [undefined, "wrong"]) {
      const denied = await get(key);
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
  });

  it("logs one line per write and per answer, without the variables' values", async () => {
    const store = open();
    const lines: string[] = [];
    const { url } = await serve(
      createVariableSyncApp({ secret, store, log: (line) => lines.push(line) }).app,
    );
    const event = createEvent("VARIABLE_UPDATE");
    await deliver(url, event);
    await deliver(url, event);

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} {2}saved {6}session ${event.sessionId.slice(0, 8)} \\(bot ${event.botId.slice(0, 8)}\\) version 1: user_name, product_interest, company_size$`,
      ),
    );
    expect(lines[1]).toMatch(/ 200 processed$/);
    expect(lines[2]).toMatch(/ 200 duplicate$/);
    expect(lines.join("\n")).not.toContain("John");
  });
});
