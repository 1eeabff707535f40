import type { ClaimRequest, DedupeStore, WebhookContext } from "@fineguide-webhooks/core";
import type { Database, Statement } from "better-sqlite3";
import { HeldClaims, RELEASED_AFTER_COMMIT, type SqlClaimResult, warn } from "../shared/claims.js";
import {
  type DeliveryRef,
  isThenable,
  type SyncResult,
  type TransactionContext,
  withTx,
} from "../shared/context.js";
import { claimLost, notCommitted } from "../shared/errors.js";
import { millis, resolveSqlOptions, type SqlStoreOptions } from "../shared/options.js";
import { sqliteSchemaFor, sqliteStatementsFor } from "./schema.js";

const WHO = "sql/sqlite";

/**
 * Options of {@link sqliteStore}.
 *
 * @example
 * ```ts
 * const options: SqliteStoreOptions = { db: new Database("webhooks.sqlite"), table: "dedupe" };
 * ```
 */
export interface SqliteStoreOptions extends SqlStoreOptions {
  /**
   * Your `better-sqlite3` database (11 or later). The store prepares its
   * statements on it when first used and never closes it. For a file that
   * several processes open, set WAL mode and a `busy_timeout`.
   */
  readonly db: Database;
}

/**
 * A transactional handler's context on SQLite: the receiver's context and
 * `tx`, the `Database` inside the delivery's transaction.
 *
 * @example
 * ```ts
 * const onLead = (lead: CreateLeadEvent, ctx: SqliteContext) => {
 *   ctx.tx.prepare("INSERT INTO leads (event_id, email) VALUES (?, ?)").run(ctx.eventId, lead.email);
 * };
 * ```
 */
export type SqliteContext<Ctx = WebhookContext> = TransactionContext<Ctx, Database>;

/**
 * The store {@link sqliteStore} returns: a `DedupeStore` that answers
 * synchronously (pass it as the receiver's `dedupe`), wraps a handler into
 * one transaction with the done mark, and creates its table.
 *
 * @example
 * ```ts
 * const store: SqliteStore = sqliteStore({ db });
 * store.migrate();
 * const webhooks = createWebhooks({ secret, dedupe: store, onTicket: store.transactional(saveTicket) });
 * ```
 */
export interface SqliteStore extends DedupeStore {
  claim(key: string, request: ClaimRequest): SqlClaimResult;
  /**
   * Marks the key done; for a delivery with a transactional handler, checks
   * that its transaction committed (the done mark is part of it), and when
   * it did not, throws core's `NotProcessedError` (the receiver releases the claim).
   */
  complete(key: string, token: string, options: { readonly ttlMs: number }): boolean;
  release(key: string, token: string): boolean;
  renew(key: string, token: string, leaseMs: number): boolean;
  /**
   * Wraps a synchronous handler so that its writes through `ctx.tx` (the
   * database) and the event's done mark commit in one transaction when it
   * returns, or roll back together when it throws; the receiver then answers
   * 500 and FineGuide's retry runs the event again. The receiver's `dedupe`
   * must be this store.
   *
   * The handler must be synchronous (better-sqlite3 is): a transaction
   * cannot stay open across an `await` on the one connection the process
   * shares. Returning a promise is a type error, and throws (rolled back).
   * One transactional handler per delivery: compose several steps inside one
   * function, and keep other handlers of that event type from failing after
   * it (their failure cannot undo the commit).
   *
   * @example
   * ```ts
   * webhooks.onTicket(
   *   store.transactional((ticket, ctx) => {
   *     ctx.tx
   *       .prepare("INSERT INTO tickets (event_id, email, message) VALUES (?, ?, ?)")
   *       .run(ctx.eventId, ticket.customerEmail, ticket.customerMessage);
   *   }),
   * );
   * ```
   */
  transactional<E, Ctx extends DeliveryRef = WebhookContext>(
    handler: (event: E, ctx: SqliteContext<Ctx>) => SyncResult,
  ): (event: E, ctx: Ctx) => void;
  /** Creates the table if missing (the SQL of `schema`). */
  migrate(): void;
  /**
   * Cleans up now: looks at the next `limit` keys (default `sweepBatch`), in
   * key order from where the last sweep stopped (after the last key it
   * starts over), deletes the expired ones and returns how many. The store
   * does this by itself every `sweepEvery` claims;
   * `sweep(Number.MAX_SAFE_INTEGER)` goes through the whole table.
   */
  sweep(limit?: number): number;
  /** The table, as configured. */
  readonly table: string;
  /** The SQL `migrate()` runs. */
  readonly schema: string;
}

/** A delivery's transaction: committed with its done mark, or rolled back. */
interface SqliteTx {
  state: "running" | "committed" | "failed";
  /** The done time the commit wrote (ms), for a TTL correction. */
  doneUntil: number;
}

interface Peeked {
  readonly lease_until: number | null;
  readonly done_until: number | null;
  readonly done_fingerprint: string | null;
}

type Statements = { readonly [K in keyof ReturnType<typeof sqliteStatementsFor>]: Statement };

/**
 * A dedupe store in SQLite through `better-sqlite3`: the embedded default for
 * a receiver on one machine, in the same file as your data. Every operation
 * is one statement (two for a release), answered synchronously; times are
 * this machine's clock. With `transactional()`, a handler's writes and the
 * event's done mark commit in one transaction, so an event's effects happen
 * exactly once even when the process dies between writing and answering.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 * import { sqliteStore } from "@fineguide-webhooks/sql/sqlite";
 * import Database from "better-sqlite3";
 *
 * const db = new Database("webhooks.sqlite");
 * db.pragma("journal_mode = WAL");
 * const store = sqliteStore({ db });
 * store.migrate();
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   dedupe: store,
 *   onCreateLead: store.transactional((lead, ctx) => {
 *     ctx.tx
 *       .prepare("INSERT INTO leads (event_id, email, name) VALUES (?, ?, ?)")
 *       .run(ctx.eventId, lead.email ?? null, lead.name ?? null);
 *   }),
 * });
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { db } = options;
  if (
    typeof db !== "object" ||
    db === null ||
    typeof db.prepare !== "function" ||
    typeof db.transaction !== "function"
  ) {
    throw new TypeError(`fineguide-webhooks/${WHO}: \`db\` must be a better-sqlite3 Database.`);
  }
  const o = resolveSqlOptions(options, WHO);
  const schema = sqliteSchemaFor(o.table);
  const held = new HeldClaims<SqliteTx>();

  let prepared: Statements | undefined;
  const statements = (): Statements => {
    if (prepared) return prepared;
    try {
      prepared = Object.fromEntries(
        Object.entries(sqliteStatementsFor(o.table)).map(([name, sql]) => [name, db.prepare(sql)]),
      ) as unknown as Statements;
    } catch (error) {
      throw new Error(
        `fineguide-webhooks/${WHO}: cannot prepare the statements on ${o.table.name} ` +
          "(call store.migrate() once before use, or apply store.schema)",
        { cause: error },
      );
    }
    return prepared;
  };
  let inTransaction: ((work: () => void) => void) | undefined;
  const transaction = (work: () => void) => {
    inTransaction ??= db.transaction((w: () => void) => w()).immediate;
    inTransaction(work);
  };

  const releaseRow = (key: string, token: string): boolean => {
    const s = statements();
    const params = { key, token, now: Date.now() };
    return s.releaseAbsent.run(params).changes + s.releaseDone.run(params).changes === 1;
  };

  /** The last key the previous sweep looked at; "": start at the beginning. */
  let cursor = "";
  const sweep = (limit = o.sweepBatch): number => {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`fineguide-webhooks/${WHO}: sweep(limit) must be a whole number >= 1.`);
    }
    const s = statements();
    const after = cursor;
    const looked = s.sweepLook.get({ after, limit }) as { last: string | null; n: number };
    // Past the last key: the next sweep starts over.
    cursor = looked.n === limit && looked.last !== null ? looked.last : "";
    if (looked.last === null) return 0;
    return s.sweep.run({ after, last: looked.last, now: Date.now() }).changes;
  };
  let claims = 0;

  return {
    table: o.table.name,
    schema,

    claim(key, request) {
      const leaseMs = millis(WHO, "leaseMs", request.leaseMs);
      const s = statements();
      const now = Date.now();
      const fp = request.fingerprint ?? null;
      const claimed = s.claim.get({
        key,
        token: request.token,
        lease: now + leaseMs,
        fp,
        now,
        mode: request.mode,
      });
      let answer: SqlClaimResult = "claimed";
      if (claimed === undefined) {
        const row = s.peek.get(key) as Peeked | undefined;
        const duplicate =
          row !== undefined &&
          (row.lease_until === null || row.lease_until <= now) &&
          row.done_until !== null &&
          row.done_until > now &&
          (request.mode === "once" || row.done_fingerprint === fp);
        // Not a duplicate: a live claim holds the key (or another process changed it just now).
        answer = duplicate ? "duplicate" : "in_progress";
      } else {
        held.add(request.token, key, leaseMs);
      }
      if (o.sweepEvery > 0 && ++claims % o.sweepEvery === 0) {
        try {
          sweep();
        } catch (err) {
          warn(o.logger, { err, table: o.table.name }, "fineguide-webhooks/sql: cleanup failed");
        }
      }
      return answer;
    },

    complete(key, token, { ttlMs }) {
      millis(WHO, "ttlMs", ttlMs);
      const tx = held.take(token, key)?.tx;
      if (tx !== undefined) {
        if (tx.state === "committed") {
          if (ttlMs !== o.ttlMs) {
            statements().retime.run({
              key,
              from: tx.doneUntil,
              to: tx.doneUntil - o.ttlMs + ttlMs,
            });
          }
          return true;
        }
        // Rolled back: the event is not done (a caught or un-awaited handler's error). Say so:
        // the receiver answers 500, not 200, and gives the claim back so the retry runs.
        throw notCommitted();
      }
      const now = Date.now();
      return statements().complete.run({ key, token, now, until: now + ttlMs }).changes === 1;
    },

    release(key, token) {
      const tx = held.take(token, key)?.tx;
      if (tx?.state === "committed") {
        warn(o.logger, { key, deliveryId: token }, RELEASED_AFTER_COMMIT);
        return false;
      }
      return releaseRow(key, token);
    },

    renew(key, token, leaseMs) {
      const lease = millis(WHO, "leaseMs", leaseMs);
      const now = Date.now();
      return statements().renew.run({ key, token, now, lease: now + lease }).changes === 1;
    },

    transactional<E, Ctx extends DeliveryRef = WebhookContext>(
      handler: (event: E, ctx: SqliteContext<Ctx>) => SyncResult,
    ) {
      if (typeof handler !== "function") {
        throw new TypeError(`fineguide-webhooks/${WHO}: transactional() takes a function.`);
      }
      return (event: E, ctx: Ctx): void => {
        const claim = held.of(ctx);
        if (claim.tx !== undefined) {
          throw new Error(
            "fineguide-webhooks/sql: a second transactional handler ran for one delivery; on SQLite " +
              "give each event type one transactional handler and compose the steps inside it",
          );
        }
        const tx: SqliteTx = { state: "running", doneUntil: 0 };
        claim.tx = tx;
        const { key } = claim;
        const token = ctx.deliveryId;
        try {
          transaction(() => {
            const result: unknown = handler(event, withTx(ctx, db));
            if (isThenable(result)) {
              result.then(undefined, () => {}); // its rejection is reported below, not unhandled
              throw new TypeError(
                "fineguide-webhooks/sql: a SQLite transactional handler must be synchronous " +
                  "(it returned a promise); the transaction was rolled back",
              );
            }
            const now = Date.now();
            const until = now + o.ttlMs;
            if (statements().complete.run({ key, token, now, until }).changes !== 1) {
              throw claimLost(key);
            }
            tx.doneUntil = until;
          });
          tx.state = "committed";
        } catch (error) {
          tx.state = "failed";
          throw error;
        }
      };
    },

    migrate() {
      db.exec(schema);
    },

    sweep,
  };
}
