import type { PoolClient } from "pg";
import { type DeliveryRef, withTx } from "../shared/context.js";
import { claimLost, transactionAborted } from "../shared/errors.js";
import type { PgPoolLike } from "./postgresStore.js";
import type { PgStatements } from "./schema.js";

type State = "opening" | "open" | "committing" | "committed" | "rolledBack" | "aborted";

/** What a transaction needs of its store. */
export interface TransactionHome {
  readonly pool: PgPoolLike;
  readonly statements: PgStatements;
  readonly ttlMs: number;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * The transaction of one delivery: a connection of its own from the pool,
 * opened (`BEGIN`) by the first transactional handler of the delivery and
 * committed, with the done mark, by the last one to finish, if none failed.
 *
 * Every transactional handler of a delivery is called by core in the same
 * synchronous loop, so each has joined before any can finish: `pending`
 * reaches 0 only once all of them settled.
 *
 * When the delivery's signal fires first (deadline, shutdown) the connection
 * is destroyed instead of given back: the server rolls the transaction back,
 * and a handler still running finds its client closed, so nothing it does
 * afterwards can commit, nor run on a connection another delivery now uses.
 */
export class PgTransaction {
  state: State = "opening";
  /** The done time the commit wrote, in µs since the epoch (for a TTL correction). */
  doneMicros: string | undefined;
  readonly ready: Promise<void>;
  private pending = 0;
  private failed = false;
  private finalized = false;
  private client: PoolClient | undefined;
  private released = false;
  private reason: unknown;
  private shared: PoolClient | undefined;
  private context: { readonly of: object; readonly value: object } | undefined;
  private readonly signal: AbortSignal;
  private readonly onAbort = () => this.abort(this.signal.reason);
  // A connection lost while we hold it emits "error"; unheard, that would crash the
  // process. Its queries reject anyway, and the handler sees that.
  private readonly onClientError = () => {};

  constructor(
    private readonly home: TransactionHome,
    private readonly key: string,
    private readonly token: string,
    private readonly leaseMs: number,
    ctx: DeliveryRef,
  ) {
    this.signal = ctx.signal;
    this.ready = this.open(ctx.deadlineAt);
    this.ready.catch(() => {}); // every participant awaits it; none may be left unhandled
    if (this.signal.aborted) this.abort(this.signal.reason);
    else this.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  private async open(deadlineAt: number): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.home.pool.connect();
    } catch (error) {
      if (this.state === "opening") this.state = "rolledBack";
      // The signal fired first: that is why the delivery failed (the pool's timeout follows).
      throw this.aborted() ? transactionAborted(this.reason) : error;
    }
    client.on("error", this.onClientError);
    this.client = client;
    if (this.aborted()) {
      this.destroy();
      throw transactionAborted(this.reason);
    }
    // Should this process stall past the deadline, the server ends the transaction
    // itself once it idles a lease longer (a safety net: at the deadline the signal
    // has destroyed the connection already).
    const idleMs = Math.min(
      INT32_MAX,
      Math.ceil(Math.max(0, deadlineAt - Date.now()) + Math.max(1000, this.leaseMs)),
    );
    try {
      await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${idleMs}`);
    } catch (error) {
      if (this.state === "opening") this.state = "rolledBack";
      this.destroy();
      // The signal fired first and destroyed the connection under BEGIN.
      throw this.aborted() ? transactionAborted(this.reason) : error;
    }
    if (this.aborted()) throw transactionAborted(this.reason);
    this.state = "open";
  }

  /** Whether the signal fired before the commit (a method: the state changes across awaits). */
  private aborted(): boolean {
    return this.state === "aborted";
  }

  /** A handler joins; false once the transaction was finalized (too late to join). */
  join(): boolean {
    if (this.finalized) return false;
    this.pending++;
    return true;
  }

  /** The handler's context: `ctx` with `tx`, made once per delivery. */
  contextFor<Ctx extends object>(ctx: Ctx): Ctx & { readonly tx: PoolClient } {
    if (this.context?.of !== ctx) this.context = { of: ctx, value: withTx(ctx, this.txClient()) };
    return this.context.value as Ctx & { readonly tx: PoolClient };
  }

  /**
   * The client as handlers see it: `release()` throws (the store gives it
   * back), and once the transaction ended every use throws, so a late
   * handler cannot write outside its transaction.
   */
  private txClient(): PoolClient {
    this.shared ??= new Proxy(this.client!, {
      get: (target, property) => {
        if (this.state !== "open") throw this.endedError();
        if (property === "release") {
          return () => {
            throw new Error(
              "fineguide-webhooks/sql: ctx.tx belongs to the store, which commits or rolls it back and releases it",
            );
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return this.shared;
  }

  private endedError(): Error {
    if (this.state === "aborted") return transactionAborted(this.reason);
    return new Error(
      `fineguide-webhooks/sql: ctx.tx was used after its transaction ended (${this.state}); ` +
        "await every query inside the handler",
    );
  }

  /**
   * A handler settled. The last one finalizes: commit with the done mark
   * when all succeeded (rejecting if the commit fails, so the receiver
   * answers 500 and the event is retried), else roll back.
   */
  async leave(ok: boolean): Promise<void> {
    if (!ok) this.failed = true;
    if (--this.pending > 0) return;
    this.finalized = true;
    this.signal.removeEventListener("abort", this.onAbort);
    if (this.state === "aborted") {
      if (!this.failed) throw transactionAborted(this.reason);
      return;
    }
    if (this.failed || this.state !== "open") {
      await this.rollback();
      return;
    }
    await this.commit();
  }

  private async commit(): Promise<void> {
    const client = this.client!;
    this.state = "committing";
    const complete = this.home.statements.completeForRetime;
    try {
      const done = await client.query<{ done_us: string }>({
        name: complete.name,
        text: complete.text,
        values: [this.key, this.token, this.home.ttlMs],
      });
      if (done.rowCount !== 1) {
        await this.rollback();
        throw claimLost(this.key);
      }
      await client.query("COMMIT");
      this.doneMicros = done.rows[0]!.done_us;
      this.state = "committed";
      this.giveBack();
    } catch (error) {
      // A COMMIT without an answer may or may not have happened: the retry finds out
      // (done: a duplicate; not done: it runs). The connection is not reused.
      if (this.state === "committing") this.state = "rolledBack";
      this.destroy();
      throw error;
    }
  }

  private async rollback(): Promise<void> {
    if (this.state !== "aborted") this.state = "rolledBack";
    if (this.client === undefined || this.released) return;
    try {
      await this.client.query("ROLLBACK");
      this.giveBack();
    } catch {
      this.destroy();
    }
  }

  /**
   * Rolls back now, whatever the handlers are doing, by destroying the
   * connection (the server aborts its transaction). Not once the commit
   * started: its outcome stands and the retry sees it.
   */
  abort(reason: unknown): void {
    if (this.state !== "opening" && this.state !== "open") return;
    this.state = "aborted";
    this.reason = reason;
    this.destroy();
  }

  private giveBack(): void {
    if (this.client === undefined || this.released) return;
    this.released = true;
    this.client.release();
    this.client.off("error", this.onClientError);
  }

  private destroy(): void {
    if (this.client === undefined || this.released) return;
    this.released = true;
    // An error (or true) makes the pool close the connection instead of reusing it.
    this.client.release(true);
    this.client.off("error", this.onClientError);
  }
}
