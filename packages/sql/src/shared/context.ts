import type { WebhookContext } from "@fineguide-webhooks/core";

/**
 * What a transactional handler needs from its context: core's
 * `WebhookContext` (whatever its `Req` and `State`) has all of it.
 *
 * @example
 * ```ts
 * // A receiver with its own context type: transactional() keeps it, and adds tx.
 * const onTicket = store.transactional<TicketEvent, WebhookContext<{ ip: string }>>(
 *   async (ticket, ctx) => {
 *     await ctx.tx.query("INSERT INTO tickets (ip) VALUES ($1)", [ctx.request.ip]);
 *   },
 * );
 * ```
 */
export interface DeliveryRef {
  /** Unique per delivery: core uses it as the claim's owner token. */
  readonly deliveryId: string;
  /** The key the delivery claimed. */
  readonly dedupeKey: string;
  /** Fires at the deadline or on `close()`: the transaction is rolled back then. */
  readonly signal: AbortSignal;
  /** When the deadline passes (epoch ms). */
  readonly deadlineAt: number;
}

/**
 * A transactional handler's context: the receiver's context `Ctx` and the
 * open transaction as `tx` (a `pg` client inside `BEGIN`, or the SQLite
 * `Database` inside its transaction).
 *
 * @example
 * ```ts
 * type LeadContext = TransactionContext<WebhookContext, PoolClient>;
 * const onLead = async (lead: CreateLeadEvent, ctx: LeadContext) =>
 *   ctx.tx.query("INSERT INTO leads (email) VALUES ($1)", [lead.email]);
 * ```
 */
export type TransactionContext<Ctx = WebhookContext, Tx = unknown> = Ctx & {
  /** The open transaction: write through it, never commit, roll back or release it yourself. */
  readonly tx: Tx;
};

/**
 * What a SQLite transactional handler may return: anything but a promise or
 * another thenable (better-sqlite3 is synchronous, and a transaction cannot
 * stay open across an `await` on a connection the whole process shares).
 *
 * @example
 * ```ts
 * const result: SyncResult = db.prepare("INSERT INTO t (x) VALUES (?)").run(1);
 * ```
 */
export type SyncResult =
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler with a block body returns void
  void | undefined | null | string | number | boolean | bigint | symbol | { readonly then?: never };

/**
 * The context a transactional handler gets: `ctx` with `tx` added, without
 * copying or changing core's object (its getters read private fields, so
 * they run on the original; methods are bound to it).
 */
export function withTx<Ctx extends object, Tx>(ctx: Ctx, tx: Tx): TransactionContext<Ctx, Tx> {
  return new Proxy(ctx, {
    get(target, property) {
      if (property === "tx") return tx;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (target, property) => property === "tx" || Reflect.has(target, property),
  }) as TransactionContext<Ctx, Tx>;
}

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") &&
  value !== null &&
  typeof (value as { then?: unknown }).then === "function";
