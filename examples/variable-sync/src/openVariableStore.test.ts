import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint } from "@fineguide-webhooks/core";
import { uuid } from "@fineguide-webhooks/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  openVariableStore,
  type SqliteVariableStore,
  type VariableUpdate,
} from "./openVariableStore.js";

/** An update of one session; the fingerprint follows the variables. */
const update = (
  base: { botId: string; sessionId: string },
  variables: Record<string, unknown>,
  receivedAt = new Date(),
): VariableUpdate => ({
  ...base,
  variables,
  fingerprint: fingerprint(variables),
  dedupeKey: `${base.botId}:VARIABLE_UPDATE:${base.sessionId}`,
  receivedAt,
});

describe("openVariableStore", () => {
  let dir: string;
  let file: string;
  const opened: SqliteVariableStore[] = [];
  const open = (path = file) => {
    const store = openVariableStore(path);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "variable-store-"));
    file = join(dir, "variables.sqlite");
  });

  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("inserts version 1, then replaces the variables (a variable no longer sent is gone)", () => {
    const store = open();
    const session = { botId: uuid(), sessionId: uuid() };
    const first = new Date("2025-01-02T03:04:05.000Z");
    const second = new Date("2025-01-02T03:04:06.000Z");

    const inserted = store.save(update(session, { user_name: "John", step: "intro" }, first));
    expect(inserted).toEqual({
      changed: true,
      row: {
        ...session,
        variables: { user_name: "John", step: "intro" },
        fingerprint: fingerprint({ user_name: "John", step: "intro" }),
        dedupeKey: `${session.botId}:VARIABLE_UPDATE:${session.sessionId}`,
        version: 1,
        updatedAt: "2025-01-02T03:04:05.000Z",
      },
    });

    const replaced = store.save(update(session, { user_name: "John", company_size: 50 }, second));
    expect(replaced).toMatchObject({
      changed: true,
      row: {
        variables: { user_name: "John", company_size: 50 },
        version: 2,
        updatedAt: "2025-01-02T03:04:06.000Z",
      },
    });
    expect(store.get(session.botId, session.sessionId)).toEqual(replaced.row);
  });

  it("changes nothing when the row already holds the fingerprint", () => {
    const store = open();
    const session = { botId: uuid(), sessionId: uuid() };
    const saved = store.save(update(session, { a: 1 }, new Date(1_000)));
    const again = store.save(update(session, { a: 1 }, new Date(2_000)));
    expect(again).toEqual({ changed: false, row: saved.row });
  });

  it("keeps one row per (botId, sessionId)", () => {
    const store = open();
    const sessionId = uuid();
    const one = { botId: uuid(), sessionId };
    const other = { botId: uuid(), sessionId };
    store.save(update(one, { bot: "one" }));
    store.save(update(other, { bot: "other" }));
    expect(store.get(one.botId, sessionId)?.variables).toEqual({ bot: "one" });
    expect(store.get(other.botId, sessionId)?.variables).toEqual({ bot: "other" });
    expect(store.get(uuid(), sessionId)).toBeUndefined();
  });

  it("keeps nested values and key order as received", () => {
    const store = open();
    const session = { botId: uuid(), sessionId: uuid() };
    const variables = { z: [1, { b: null }], a: { nested: true }, text: 'it\'s "quoted" ✓' };
    store.save(update(session, variables));
    const row = store.get(session.botId, session.sessionId);
    expect(row?.variables).toEqual(variables);
    expect(Object.keys(row?.variables ?? {})).toEqual(["z", "a", "text"]);
  });

  it("keeps the rows in the file across a reopen", () => {
    const session = { botId: uuid(), sessionId: uuid() };
    const store = openVariableStore(file);
    store.save(update(session, { kept: true }));
    store.close();
    expect(open().get(session.botId, session.sessionId)).toMatchObject({
      variables: { kept: true },
      version: 1,
    });
  });

  it("works in memory with :memory:", () => {
    const store = open(":memory:");
    const session = { botId: uuid(), sessionId: uuid() };
    store.save(update(session, { a: 1 }));
    expect(store.get(session.botId, session.sessionId)?.variables).toEqual({ a: 1 });
  });

  it("writes nothing once the signal has fired (the kit answered 503 at its deadline)", () => {
    const store = open();
    const session = { botId: uuid(), sessionId: uuid() };
    const signal = AbortSignal.abort(new DOMException("deadline", "TimeoutError"));
    expect(() => store.save(update(session, { a: 1 }), signal)).toThrow("deadline");
    expect(store.get(session.botId, session.sessionId)).toBeUndefined();
  });
});
