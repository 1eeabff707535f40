import { DEFAULT_TABLE, type QuotedTable, quoteTable } from "../shared/options.js";

/**
 * The SQL that creates the SQLite dedupe table and its index (what
 * `migrate()` runs), for teams that apply migrations with their own tool.
 * Idempotent (`IF NOT EXISTS`). Times are milliseconds since the epoch.
 *
 * @example
 * ```ts
 * db.exec(sqliteSchema()); // the same as sqliteStore({ db }).migrate()
 * ```
 */
export function sqliteSchema(table: string = DEFAULT_TABLE): string {
  return sqliteSchemaFor(quoteTable(table, "sql/sqlite"));
}

export function sqliteSchemaFor(t: QuotedTable): string {
  // SQLite names the schema on the index, and the table alone after ON.
  const index = t.schema === undefined ? t.index : `${t.schema}.${t.index}`;
  return `CREATE TABLE IF NOT EXISTS ${t.sql} (
  key               TEXT PRIMARY KEY NOT NULL,
  token             TEXT,     -- the claim's owner (a delivery id); NULL when not claimed
  lease_until       INTEGER,  -- the claim holds until then (ms since the epoch)
  claim_fingerprint TEXT,     -- the claiming delivery's fingerprint (latest mode)
  done_until        INTEGER,  -- processed: remembered until then
  done_fingerprint  TEXT,     -- the fingerprint processed (latest mode)
  expires_at        INTEGER NOT NULL -- the later of lease_until and done_until
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${index} ON ${t.bare} (expires_at);
`;
}

/** The store's statements' SQL for one table (named parameters, times in ms). */
export function sqliteStatementsFor(t: QuotedTable) {
  return {
    // The upsert claims an absent, lapsed, expired or (latest mode) other-fingerprint
    // key and returns a row; otherwise `peek` tells a duplicate from a claim in progress.
    claim: `INSERT INTO ${t.sql} AS d (key, token, lease_until, claim_fingerprint, expires_at)
VALUES (@key, @token, @lease, @fp, @lease)
ON CONFLICT (key) DO UPDATE SET
  token = excluded.token,
  lease_until = excluded.lease_until,
  claim_fingerprint = excluded.claim_fingerprint,
  done_until = CASE WHEN d.done_until > @now THEN d.done_until END,
  done_fingerprint = CASE WHEN d.done_until > @now THEN d.done_fingerprint END,
  expires_at = CASE WHEN d.done_until > max(@now, excluded.lease_until) THEN d.done_until
    ELSE excluded.lease_until END
WHERE (d.lease_until IS NULL OR d.lease_until <= @now)
  AND (d.done_until IS NULL OR d.done_until <= @now
    OR (@mode = 'latest' AND d.done_fingerprint IS NOT excluded.claim_fingerprint))
RETURNING 1 AS claimed`,
    peek: `SELECT lease_until, done_until, done_fingerprint FROM ${t.sql} WHERE key = ?`,
    complete: `UPDATE ${t.sql} SET
  token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  done_until = @until, done_fingerprint = claim_fingerprint, expires_at = @until
WHERE key = @key AND token = @token AND lease_until > @now`,
    // release: back to what the key was before the claim (absent, or done).
    releaseAbsent: `DELETE FROM ${t.sql}
WHERE key = @key AND token = @token AND lease_until > @now
  AND (done_until IS NULL OR done_until <= @now)`,
    releaseDone: `UPDATE ${t.sql} SET token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  expires_at = done_until
WHERE key = @key AND token = @token AND lease_until > @now AND done_until > @now`,
    renew: `UPDATE ${t.sql} SET lease_until = @lease,
  expires_at = CASE WHEN done_until > @lease THEN done_until ELSE @lease END
WHERE key = @key AND token = @token AND lease_until > @now`,
    sweep: `DELETE FROM ${t.sql} WHERE key IN (
  SELECT key FROM ${t.sql} WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit
)`,
    // A committed done mark gets the receiver's TTL when it differs from the store's.
    retime: `UPDATE ${t.sql} SET done_until = @to,
  expires_at = CASE WHEN lease_until > @to THEN lease_until ELSE @to END
WHERE key = @key AND done_until = @from`,
  } as const;
}
