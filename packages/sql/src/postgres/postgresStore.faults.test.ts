import { inspect } from "node:util";
import {
  createWebhooks,
  type DedupeStore,
  type MessageEvent,
  NotProcessedError,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEvent, until } from "../test/events.js";
import { pgRows } from "../test/pgRows.js";
import { type PostgresServer, postgresAvailable } from "../test/postgresServer.js";
import { recordingLogger } from "../test/recordingLogger.js";
import { type EffectsPostgres, startWithEffects } from "../test/startWithEffects.js";
import { type PostgresStore, postgresStore, SqlStoreError } from "./index.js";

/** The store, recording what each `complete()` answered: true, false, or the name of what it threw. */
function recordingCompletes(store: PostgresStore) {
  const completed: (boolean | string)[] = [];
  const dedupe: DedupeStore = {
    claim: (key, request) => store.claim(key, request),
    release: (key, token) => store.release(key, token),
    renew: (key, token, leaseMs) => store.renew(key, token, leaseMs),
    complete: async (key, token, options) => {
      try {
        const done = await store.complete(key, token, options);
        completed.push(done);
        return done;
      } catch (error) {
        completed.push((error as Error).name);
        throw error;
      }
    },
  };
  return { dedupe, completed };
}

describe("postgresStore faults without a server", () => {
  it("transactional() given something else than a function throws a TypeError at once", () => {
    const store = postgresStore({ pool: { query() {}, connect() {} } as unknown as pg.Pool });
    for (const notAFunction of [undefined, null, "handler", {}]) {
      expect(() => store.transactional(notAFunction as never)).toThrow(
        new TypeError("fineguide-webhooks/sql/postgres: transactional() takes a function."),
      );
    }
  });
});

const available = postgresAvailable("@fineguide-webhooks/sql postgresStore faults");

// Generous limits for a loaded machine: no assertion depends on speed.
describe.skipIf(!available)("postgresStore faults on a real Postgres", { timeout: 30_000 }, () => {
  const PASSWORD = "pw-must-not-leak-7f3a";
  let server: PostgresServer;
  let pool: pg.Pool;
  let store: PostgresStore;
  /** The server's URL as user `role`, with a password in it (trust auth ignores it). */
  const urlAs = (role: string) =>
    `postgres://${role}:${PASSWORD}@127.0.0.1:${server.port}/postgres`;

  const receiver = (options: Omit<WebhooksOptions, "secret" | "dedupe">, dedupe: DedupeStore) =>
    createWebhooks({ allowUnauthenticated: true, dedupe, ...options });
  const { effects, dedupeRow, insert } = pgRows(() => pool, "fault_effects");

  let started: EffectsPostgres | undefined;
  beforeAll(async () => {
    started = await startWithEffects("fault_effects");
    ({ server, pool, store } = started);
  }, 60_000);

  afterAll(() => started?.stop());

  it("a cleanup that fails is logged (error, table, no credentials); claims go on and cleanup is tried again", async () => {
    // The application's role may claim and complete, but not delete: every cleanup fails.
    await pool.query("CREATE TABLE sweep_refused (LIKE fineguide_webhooks_dedupe INCLUDING ALL)");
    await pool.query("CREATE ROLE fgw_app LOGIN");
    await pool.query("GRANT SELECT, INSERT, UPDATE ON sweep_refused TO fgw_app");
    const app = new pg.Pool({ connectionString: urlAs("fgw_app"), max: 2 });
    app.on("error", () => {});
    try {
      const { logger, warnings } = recordingLogger();
      const swept = postgresStore({ pool: app, table: "sweep_refused", sweepEvery: 1, logger });
      const request = { token: "t1", leaseMs: 60_000, mode: "once" as const };
      expect(await swept.claim("k1", request)).toBe("claimed");
      await until(() => warnings.length === 1);
      const [warning] = warnings;
      expect(warning?.message).toBe("fineguide-webhooks/sql: cleanup failed");
      expect(warning?.fields.table).toBe("sweep_refused");
      expect(String(warning?.fields.err)).toMatch(/permission denied for table sweep_refused/);
      const logged = inspect(warning?.fields, { depth: 10 });
      expect(logged).not.toContain(PASSWORD);
      expect(logged).not.toContain(urlAs("fgw_app"));
      // The store goes on answering, and the next claim tries the cleanup again.
      expect(await swept.claim("k1", { ...request, token: "t2" })).toBe("in_progress");
      await until(() => warnings.length === 2);
      expect(await swept.complete("k1", "t1", { ttlMs: 60_000 })).toBe(true);
      expect(await swept.claim("k1", { ...request, token: "t3" })).toBe("duplicate");
      await until(() => warnings.length === 3);
    } finally {
      await app.end();
    }
  });

  it("migrate() failing: rolled back, its connection destroyed, the error rethrown without credentials; the pool goes on", async () => {
    const one = new pg.Pool({ connectionString: urlAs("postgres"), max: 1 });
    one.on("error", () => {});
    try {
      const broken = postgresStore({ pool: one, table: "missing_schema.dedupe" });
      const failure = await broken.migrate().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(String(failure)).toMatch(/schema "missing_schema" does not exist/);
      expect(inspect(failure, { depth: 10 })).not.toContain(PASSWORD);
      // Not given back to the pool (its session held the advisory lock and a failed transaction).
      expect(one.totalCount).toBe(0);
      expect((await one.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      const fine = postgresStore({ pool: one, table: "migrated_after_failure" });
      await fine.migrate();
      expect(await fine.claim("k", { token: "t", leaseMs: 60_000, mode: "once" })).toBe("claimed");
    } finally {
      await one.end();
    }
  });

  it("a transactional handler not awaited by its caller: the claim is completed before any commit, so nothing is done, the answer is 500 and the claim is released; the retry runs it", async () => {
    const event = messageEvent();
    let ran = 0;
    const wrapped = store.transactional(async (message: MessageEvent, ctx) => {
      ran++;
      await insert(ctx.tx, "a", message.messageId);
    });
    let late: Promise<unknown> | undefined;
    const { dedupe, completed } = recordingCompletes(store);
    const careless = receiver(
      {
        onMessage: (message, ctx) => {
          // Not awaited (its failure is kept for the test, not left unhandled).
          late = wrapped(message, ctx).then(
            () => undefined,
            (e: unknown) => e,
          );
        },
      },
      dedupe,
    );
    const first = await careless.dispatch(event);
    // Not done, and said so: 500, so FineGuide retries (not a 200 for an event never written).
    expect(completed).toEqual(["NotProcessedError"]);
    expect(first).toMatchObject({ outcome: "handler_failed", status: 500 });
    expect(NotProcessedError.is(first.error)).toBe(true);
    const error = await late;
    expect(error).toBeInstanceOf(SqlStoreError);
    expect((error as SqlStoreError).code).toBe("transaction_aborted");
    expect(((error as SqlStoreError).cause as Error).message).toBe("completed without a commit");
    expect(ran).toBe(0);
    expect(await effects(event.messageId)).toEqual([]);
    const key = `${event.botId}:MESSAGE:${event.messageId}`;
    expect(await dedupeRow(key)).toBeUndefined(); // released: the retry runs
    const careful = receiver({ onMessage: wrapped }, dedupe);
    expect((await careful.dispatch(event)).outcome).toBe("processed");
    expect(completed).toEqual(["NotProcessedError", true]);
    expect((await careful.dispatch(event)).outcome).toBe("duplicate");
    expect(ran).toBe(1);
    expect(await effects(event.messageId)).toEqual(["a"]);
  });

  it("a transactional handler called from another handler after the delivery's transaction committed: a clear error; the event stays done", async () => {
    const event = messageEvent();
    const { logger, warnings } = recordingLogger();
    const logged = postgresStore({ pool, logger });
    let laterRan = false;
    const later = logged.transactional(async () => {
      laterRan = true;
    });
    let late: unknown;
    const webhooks = receiver(
      {
        onMessage: [
          logged.transactional(async (message, ctx) => {
            await insert(ctx.tx, "a", message.messageId);
          }),
          async (message, ctx) => {
            // Once the transaction committed (its row is visible to others), too late to join.
            await until(async () => (await effects(message.messageId)).length === 1);
            try {
              await later(message, ctx);
            } catch (error) {
              late = error;
              throw error;
            }
          },
        ],
      },
      logged,
    );
    expect((await webhooks.dispatch(event)).outcome).toBe("handler_failed");
    expect(late).toBeInstanceOf(Error);
    expect((late as Error).message).toBe(
      "fineguide-webhooks/sql: transactional(): this delivery's transaction already ended; " +
        "register transactional handlers directly (core calls them together) rather than " +
        "calling one later from another handler",
    );
    expect(laterRan).toBe(false);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/Wrap every handler/)]);
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(await effects(event.messageId)).toEqual(["a"]);
  });
});
