import type { Logger } from "@fineguide-webhooks/core";

/**
 * Options both stores share.
 *
 * @example
 * ```ts
 * const shared: SqlStoreOptions = { table: "webhooks.dedupe", ttlMs: 60 * 60_000, logger };
 * const store = postgresStore({ pool, ...shared });
 * ```
 */
export interface SqlStoreOptions {
  /**
   * The dedupe table, optionally schema-qualified (`"webhooks.dedupe"`):
   * letters, digits and `_`, not starting with a digit. Default
   * `"fineguide_webhooks_dedupe"`.
   */
  readonly table?: string;
  /**
   * How long a processed event is remembered when a transactional handler
   * commits its done mark (the receiver's `dedupeTtlMs`; default 30 min, as
   * core's). A receiver configured otherwise still gets its own TTL: the
   * store corrects the row when core completes the delivery.
   */
  readonly ttlMs?: number;
  /**
   * Expired rows (done, and claims whose lease passed) are deleted without a
   * cron: once every `sweepEvery` claims this store makes, it looks at the
   * next `sweepBatch` keys of the table (in key order, going on where it
   * stopped, round and round) and deletes the expired ones among them. The
   * defaults, every 500 claims 2000 keys, walk the table four times faster
   * than claims add rows, so it holds at most about a third more rows than
   * the TTL keeps alive. Each cleanup is bounded work on the primary key (no
   * other index to keep up on every write). `0` turns it off (call `sweep()`
   * yourself).
   */
  readonly sweepEvery?: number;
  /** How many keys one cleanup looks at. Default 2000. */
  readonly sweepBatch?: number;
  /**
   * Told about what the store cannot report through a call: a failed
   * background cleanup, a handler without `transactional` failing after the
   * transaction committed. Default silent.
   */
  readonly logger?: Logger;
}

export interface ResolvedSqlOptions {
  readonly table: QuotedTable;
  readonly ttlMs: number;
  readonly sweepEvery: number;
  readonly sweepBatch: number;
  readonly logger: Logger | undefined;
}

/** A table name checked and quoted for SQL. */
export interface QuotedTable {
  /** As given, e.g. `webhooks.dedupe`. */
  readonly name: string;
  /** Quoted for SQL, e.g. `"webhooks"."dedupe"`. */
  readonly sql: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_TABLE = "fineguide_webhooks_dedupe";

/** Checks a table name (`name` or `schema.name`) and quotes it. */
export function quoteTable(name: string = DEFAULT_TABLE, who = "sql"): QuotedTable {
  const parts = typeof name === "string" ? name.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(
      `fineguide-webhooks/${who}: \`table\` must be a name or schema.name of letters, digits and _ ` +
        `(not starting with a digit); got ${JSON.stringify(name)}.`,
    );
  }
  return { name, sql: parts.map((part) => `"${part}"`).join(".") };
}

const count = (who: string, name: string, value: number | undefined, fallback: number) => {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 0) {
    throw new RangeError(
      `fineguide-webhooks/${who}: \`${name}\` must be a whole number, 0 or more.`,
    );
  }
  return resolved;
};

export function resolveSqlOptions(options: SqlStoreOptions, who: string): ResolvedSqlOptions {
  const ttlMs = options.ttlMs ?? 30 * 60_000;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`fineguide-webhooks/${who}: \`ttlMs\` must be a positive number.`);
  }
  const sweepBatch = count(who, "sweepBatch", options.sweepBatch, 2000);
  if (sweepBatch === 0) {
    throw new RangeError(`fineguide-webhooks/${who}: \`sweepBatch\` must be at least 1.`);
  }
  return {
    table: quoteTable(options.table, who),
    ttlMs,
    sweepEvery: count(who, "sweepEvery", options.sweepEvery, 500),
    sweepBatch,
    logger: options.logger,
  };
}

/** A finite number of milliseconds for SQL, or a TypeError (as core's stores reject). */
export function millis(who: string, name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`fineguide-webhooks/${who}: \`${name}\` must be a finite number of ms.`);
  }
  return value;
}
