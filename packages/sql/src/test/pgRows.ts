import type pg from "pg";

/**
 * What a test reads back from its Postgres: the handlers' committed rows of a
 * `note` in `table` (columns `handler`, `note`), and the dedupe table's row of a key.
 * `pool` is a getter: the tests make their pool in `beforeAll`.
 */
export function pgRows(pool: () => pg.Pool, table: string) {
  return {
    /** Handlers whose rows for `note` committed (as other connections see them), sorted. */
    effects: async (note: string) =>
      (
        await pool().query<{ handler: string }>(
          `SELECT handler FROM ${table} WHERE note = $1 ORDER BY handler`,
          [note],
        )
      ).rows.map((r) => r.handler),
    /** The dedupe row of `key`: its owner token and whether it is done; undefined when absent. */
    dedupeRow: async (key: string) =>
      (
        await pool().query<{ token: string | null; done: boolean }>(
          "SELECT token, done_until IS NOT NULL AS done FROM fineguide_webhooks_dedupe WHERE key = $1",
          [key],
        )
      ).rows[0],
    /** Writes a row for `handler` and `note` inside a handler's transaction. */
    insert: (tx: pg.PoolClient, handler: string, note: string) =>
      tx.query(`INSERT INTO ${table} (handler, note) VALUES ($1, $2)`, [handler, note]),
  };
}
