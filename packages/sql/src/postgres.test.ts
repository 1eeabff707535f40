import {
  createWebhooks,
  type DedupeStore,
  type TicketEvent,
  type WebhookContext,
} from "@fineguide-webhooks/core";
import type Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { postgresStore } from "./postgres/index.js";
import { sqliteStore } from "./sqlite/index.js";
import { freePort, postgresAvailable, startPostgres } from "./test/postgresServer.js";
import { LEASE, TTL } from "./test/scenarios.js";
import {
  bootReceivers,
  postgresReceiverTests,
  type ReceiverProcesses,
} from "./test/suites/postgresReceiversSuite.js";
import { postgresRestartTests } from "./test/suites/postgresRestartSuite.js";
import { postgresStoreTests } from "./test/suites/postgresStoreSuite.js";
import { postgresTransactionalTests } from "./test/suites/postgresTransactionalSuite.js";
import type { SharedPostgres } from "./test/suites/shared.js";

// Every Postgres test of the package, on one server started once for this file
// (a server per file would cost seconds each on a loaded machine).
const available = postgresAvailable("@fineguide-webhooks/sql Postgres tests");

describe("postgresStore without a server", () => {
  it("gives a Postgres handler a pg client and a SQLite handler a Database, whatever the receiver's context", () => {
    const pool = { query() {}, connect() {} } as unknown as pg.Pool;
    const store = postgresStore({ pool });
    const lite = sqliteStore({
      db: { prepare() {}, transaction() {} } as unknown as Database.Database,
    });
    type Ctx = WebhookContext<{ ip: string }, { tenant: string }>;
    createWebhooks<Ctx>({
      secret: "s",
      dedupe: store,
      onTicket: store.transactional(async (ticket, ctx) => {
        expectTypeOf(ticket).toEqualTypeOf<TicketEvent>();
        expectTypeOf(ctx.tx).toEqualTypeOf<pg.PoolClient>();
        expectTypeOf(ctx.state.tenant).toEqualTypeOf<string>();
        expectTypeOf(ctx.request.ip).toEqualTypeOf<string>();
      }),
      onCreateLead: lite.transactional((_lead, ctx) => {
        expectTypeOf(ctx.tx).toEqualTypeOf<Database.Database>();
        expectTypeOf(ctx.dedupeKey).toEqualTypeOf<string>();
      }),
    });
    // A SQLite transactional handler must be synchronous.
    // @ts-expect-error: an async function returns a promise
    lite.transactional(async () => {});
    expectTypeOf(store).toExtend<DedupeStore>();
    expectTypeOf(store.claim).returns.resolves.toEqualTypeOf<
      "claimed" | "duplicate" | "in_progress"
    >();
  });

  it("rejects what is not a pool and bad options when created", () => {
    expect(() => postgresStore({ pool: {} as pg.Pool })).toThrow(TypeError);
    const pool = { query() {}, connect() {} } as unknown as pg.Pool;
    for (const table of ["", "a.b.c", "1x", 'x"; DROP TABLE y; --', "a-b", "a b"]) {
      expect(() => postgresStore({ pool, table })).toThrow(TypeError);
    }
    expect(() => postgresStore({ pool, ttlMs: -1 })).toThrow(RangeError);
    expect(() => postgresStore({ pool, sweepEvery: 1.5 })).toThrow(RangeError);
    expect(postgresStore({ pool, table: "hooks.dedupe" }).schema).toContain(
      'CREATE TABLE IF NOT EXISTS "hooks"."dedupe"',
    );
  });

  it("an unreachable server makes every operation reject (the receiver answers 503)", async () => {
    const pool = new pg.Pool({
      host: "127.0.0.1",
      port: await freePort(),
      connectionTimeoutMillis: 500,
    });
    pool.on("error", () => {});
    const store = postgresStore({ pool });
    const request = { token: "a", leaseMs: LEASE, mode: "once" as const };
    await expect(store.claim("k", request)).rejects.toThrow();
    await expect(store.complete("k", "a", TTL)).rejects.toThrow();
    await expect(store.release("k", "a")).rejects.toThrow();
    await expect(store.renew("k", "a", LEASE)).rejects.toThrow();
    await expect(store.migrate()).rejects.toThrow();
    await pool.end();
  });
});

// Generous limits for a loaded machine: no assertion depends on speed.
describe.skipIf(!available)("on a real Postgres", { timeout: 30_000 }, () => {
  const shared = {} as SharedPostgres;
  let processes: ReceiverProcesses;

  beforeAll(async () => {
    shared.server = await startPostgres();
    shared.pool = new pg.Pool({ connectionString: shared.server.url, max: 30 });
    shared.pool.on("error", () => {}); // idle connections die when the server restarts
    processes = bootReceivers(shared.server.url); // they start while the first suites run
  }, 60_000);

  afterAll(async () => {
    await shared.pool?.end();
    await shared.server?.stop();
  });

  describe("postgresStore", () => postgresStoreTests(shared));
  describe("transactional() through core", () => postgresTransactionalTests(shared));
  describe("receiver processes on one Postgres", () =>
    postgresReceiverTests(shared, () => processes));
  // Last: it restarts the server.
  describe("Postgres restarted in the middle of a run", () => postgresRestartTests(shared));
});
