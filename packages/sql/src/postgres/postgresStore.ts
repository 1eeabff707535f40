import type { ClaimRequest, DedupeStore, WebhookContext } from "@fineguide-webhooks/core";
import type { Pool, PoolClient } from "pg";
import { HeldClaims, RELEASED_AFTER_COMMIT, type SqlClaimResult, warn } from "../shared/claims.js";
import type { DeliveryRef, TransactionContext } from "../shared/context.js";
import { notCommitted } from "../shared/errors.js";
import { millis, resolveSqlOptions, type SqlStoreOptions } from "../shared/options.js";
import { PgTransaction } from "./PgTransaction.js";
import { schemaFor, statementsFor } from "./schema.js";

const WHO = "sql/postgres";

/**
 * What `postgresStore` needs of a pool: `query` and `connect`, as a `pg`
 * (node-postgres 8) `Pool` has them.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * const pool: PgPoolLike = new Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export type PgPoolLike = Pick<Pool, "query" | "connect">;

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { pool, table: "webhooks.dedupe" };
 * ```
 */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /**
   * Your `pg` pool. The store runs each claim, completion, release and
   * renewal as one statement on it, and takes one connection per delivery
   * that runs a transactional handler, for that handler's transaction. It
   * never ends the pool. Give it an `error` listener (`pool.on("error", ...)`):
   * without one, an idle connection the server drops crashes the process.
   */
  readonly pool: PgPoolLike;
}

/**
 * A transactional handler's context on Postgres: the receiver's context and
 * `tx`, a `pg` client inside the delivery's `BEGIN`.
 *
 * @example
 * ```ts
 * const onTicket = async (ticket: TicketEvent, ctx: PostgresContext) => {
 *   await ctx.tx.query("INSERT INTO tickets (event_id, email) VALUES ($1, $2)", [ctx.eventId, ticket.customerEmail]);
 * };
 * ```
 */
export type PostgresContext<Ctx = WebhookContext> = TransactionContext<Ctx, PoolClient>;

/**
 * The store {@link postgresStore} returns: a `DedupeStore` (pass it as the
 * receiver's `dedupe`) that also wraps handlers into one transaction per
 * delivery, and creates its table.
 *
 * @example
 * ```ts
 * const store: PostgresStore = postgresStore({ pool });
 * await store.migrate();
 * const webhooks = createWebhooks({ secret, dedupe: store, onTicket: store.transactional(saveTicket) });
 * ```
 */
export interface PostgresStore extends DedupeStore {
  claim(key: string, request: ClaimRequest): Promise<SqlClaimResult>;
  /**
   * Marks the key done; for a delivery with a transactional handler, checks
   * that its transaction committed (the done mark is part of it), and when
   * it did not, throws core's `NotProcessedError` (the receiver releases the claim).
   */
  complete(key: string, token: string, options: { readonly ttlMs: number }): Promise<boolean>;
  release(key: string, token: string): Promise<boolean>;
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Wraps a handler so that it runs inside the delivery's transaction, as
   * `ctx.tx` (a `pg` client inside `BEGIN`). Every transactional handler of
   * a delivery shares that transaction; the last to finish commits their
   * writes together with the event's done mark, only if all of them
   * succeeded. A handler that throws, a lost claim or `ctx.signal` (the
   * deadline, `close()`) rolls everything back, and FineGuide's retry runs
   * the event again. The receiver's `dedupe` must be this store.
   *
   * Wrap every handler of an event type that may fail (even those that do
   * not write to the database): a handler outside the transaction that fails
   * after the commit cannot undo it (the retry is then a duplicate).
   *
   * @example
   * ```ts
   * webhooks.onCreateLead(
   *   store.transactional(async (lead, ctx) => {
   *     await ctx.tx.query(
   *       "INSERT INTO contacts (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = $2",
   *       [lead.email, lead.name],
   *     );
   *   }),
   * );
   * ```
   */
  transactional<E, Ctx extends DeliveryRef = WebhookContext>(
    handler: (event: E, ctx: PostgresContext<Ctx>) => unknown,
  ): (event: E, ctx: Ctx) => Promise<void>;
  /**
   * Creates the table if missing (the SQL of `schema`), under an advisory
   * lock so that instances starting together do not race.
   */
  migrate(): Promise<void>;
  /**
   * Cleans up now: looks at the next `limit` keys (default `sweepBatch`), in
   * key order from where the last sweep stopped (after the last key it
   * starts over), and deletes the expired ones; resolves with how many it
   * deleted. The store does this by itself every `sweepEvery` claims;
   * `sweep(Number.MAX_SAFE_INTEGER)` goes through the whole table.
   */
  sweep(limit?: number): Promise<number>;
  /** The table, as configured. */
  readonly table: string;
  /** The SQL `migrate()` runs. */
  readonly schema: string;
}

const CLAIM_RESULTS: ReadonlySet<string> = new Set<SqlClaimResult>([
  "claimed",
  "duplicate",
  "in_progress",
]);

/**
 * A dedupe store in Postgres through `pg` (node-postgres): one table shared
 * by every receiver instance on the database, every time taken from the
 * server's clock, each operation one statement. With `transactional()`, a
 * handler's writes and the event's done mark commit in one transaction, so
 * an event's effects in your database happen exactly once, even when a
 * receiver dies between writing and answering.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 * import { postgresStore } from "@fineguide-webhooks/sql/postgres";
 * import { Pool } from "pg";
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on("error", (err) => logger.warn({ err }, "postgres"));
 * const store = postgresStore({ pool });
 * await store.migrate();
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   dedupe: store,
 *   onTicket: store.transactional(async (ticket, ctx) => {
 *     await ctx.tx.query("INSERT INTO tickets (event_id, email, message) VALUES ($1, $2, $3)", [
 *       ctx.eventId,
 *       ticket.customerEmail,
 *       ticket.customerMessage,
 *     ]);
 *   }),
 * });
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const { pool } = options;
  if (
    typeof pool !== "object" ||
    pool === null ||
    typeof pool.query !== "function" ||
    typeof pool.connect !== "function"
  ) {
    throw new TypeError(`fineguide-webhooks/${WHO}: \`pool\` must be a pg Pool.`);
  }
  const o = resolveSqlOptions(options, WHO);
  const statements = statementsFor(o.table);
  const schema = schemaFor(o.table);
  const held = new HeldClaims<PgTransaction>();
  const home = { pool, statements, ttlMs: o.ttlMs };

  const run = async <R extends object>(
    statement: { readonly name: string; readonly text: string },
    values: unknown[],
  ) => pool.query<R>({ name: statement.name, text: statement.text, values });

  let claims = 0;
  let sweeping = false;
  /** The last key the previous sweep looked at; "": start at the beginning. */
  let cursor = "";
  const sweep = async (limit = o.sweepBatch): Promise<number> => {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`fineguide-webhooks/${WHO}: sweep(limit) must be a whole number >= 1.`);
    }
    const result = await run<{ last: string | null; deleted: string }>(statements.sweep, [
      cursor,
      limit,
    ]);
    // Past the last key: the next sweep starts over.
    cursor = result.rows[0]?.last ?? "";
    return Number(result.rows[0]?.deleted ?? 0);
  };
  const sweepNow = () => {
    sweeping = true;
    sweep().then(
      () => {
        sweeping = false;
      },
      (err: unknown) => {
        sweeping = false;
        warn(o.logger, { err, table: o.table.name }, "fineguide-webhooks/sql: cleanup failed");
      },
    );
  };

  const release = async (key: string, token: string): Promise<boolean> => {
    const result = await run<{ n: string }>(statements.release, [key, token]);
    return Number(result.rows[0]?.n) === 1;
  };

  return {
    table: o.table.name,
    schema,

    async claim(key, request) {
      const leaseMs = millis(WHO, "leaseMs", request.leaseMs);
      const result = await run<{ result: string }>(statements.claim, [
        key,
        request.token,
        request.fingerprint ?? null,
        leaseMs,
        request.mode,
      ]);
      const answer = result.rows[0]?.result;
      if (answer === undefined || !CLAIM_RESULTS.has(answer)) {
        throw new Error(`fineguide-webhooks/${WHO}: unexpected answer to claim: ${String(answer)}`);
      }
      if (answer === "claimed") held.add(request.token, key, leaseMs);
      if (o.sweepEvery > 0 && ++claims % o.sweepEvery === 0 && !sweeping) sweepNow();
      return answer as SqlClaimResult;
    },

    async complete(key, token, { ttlMs }) {
      millis(WHO, "ttlMs", ttlMs);
      const tx = held.take(token, key)?.tx;
      if (tx !== undefined) {
        if (tx.state === "committed") {
          // The done mark committed with the handlers' writes; give it the receiver's TTL.
          if (ttlMs !== o.ttlMs) {
            await run(statements.retime, [key, tx.doneMicros, ttlMs - o.ttlMs]);
          }
          return true;
        }
        // Rolled back: the event is not done (a caught or un-awaited handler's error). Say so:
        // the receiver answers 500, not 200, and gives the claim back so the retry runs.
        tx.abort(new Error("completed without a commit"));
        throw notCommitted();
      }
      return (await run(statements.complete, [key, token, ttlMs])).rowCount === 1;
    },

    async release(key, token) {
      const tx = held.take(token, key)?.tx;
      if (tx?.state === "committed") {
        warn(o.logger, { key, deliveryId: token }, RELEASED_AFTER_COMMIT);
        return false;
      }
      // Handlers still running (the receiver closed): roll their transaction back now.
      tx?.abort(new Error("released"));
      return release(key, token);
    },

    async renew(key, token, leaseMs) {
      const lease = millis(WHO, "leaseMs", leaseMs);
      return (await run(statements.renew, [key, token, lease])).rowCount === 1;
    },

    transactional<E, Ctx extends DeliveryRef = WebhookContext>(
      handler: (event: E, ctx: PostgresContext<Ctx>) => unknown,
    ) {
      if (typeof handler !== "function") {
        throw new TypeError(`fineguide-webhooks/${WHO}: transactional() takes a function.`);
      }
      return async (event: E, ctx: Ctx): Promise<void> => {
        const claim = held.of(ctx);
        claim.tx ??= new PgTransaction(home, claim.key, ctx.deliveryId, claim.leaseMs, ctx);
        const tx = claim.tx;
        if (!tx.join()) {
          throw new Error(
            "fineguide-webhooks/sql: transactional(): this delivery's transaction already ended; " +
              "register transactional handlers directly (core calls them together) rather than " +
              "calling one later from another handler",
          );
        }
        let ok = false;
        let failure: unknown;
        try {
          await tx.ready;
          await handler(event, tx.contextFor(ctx));
          ok = true;
        } catch (error) {
          failure = error;
        }
        await tx.leave(ok);
        if (!ok) throw failure;
      };
    },

    async migrate() {
      const client = await pool.connect();
      const ignore = () => {};
      client.on("error", ignore);
      try {
        await client.query("BEGIN");
        // Instances migrating at once would race on CREATE ... IF NOT EXISTS.
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
          `fineguide-webhooks:${o.table.sql}`,
        ]);
        await client.query(schema);
        await client.query("COMMIT");
        client.release();
      } catch (error) {
        await client.query("ROLLBACK").catch(ignore);
        client.release(true);
        throw error;
      } finally {
        client.off("error", ignore);
      }
    },

    sweep,
  };
}
