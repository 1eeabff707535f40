import { DEFAULT_TABLE, type QuotedTable, quoteTable } from "../shared/options.js";

/**
 * The SQL that creates the SQLite dedupe table (what
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
  // No index besides the key: every write touches one b-tree, as a bare dedupe
  // table's would. Cleanup walks the key.
  return `CREATE TABLE IF NOT EXISTS ${t.sql} (
  key               TEXT PRIMARY KEY NOT NULL,
  token             TEXT,     -- the claim's owner (a delivery id); NULL when not claimed
  lease_until       INTEGER,  -- the claim holds until then (ms since the epoch)
  claim_fingerprint TEXT,     -- the claiming delivery's fingerprint (latest mode)
  done_until        INTEGER,  -- processed: remembered until then
  done_fingerprint  TEXT      -- the fingerprint processed (latest mode)
) WITHOUT ROWID;
`;
}

/** The store's statements' SQL for one table (named parameters, times in ms). */
export function sqliteStatementsFor(t: QuotedTable) {
  return {
    // The upsert claims an absent, lapsed, expired or (latest mode) other-fingerprint
    // key and returns a row; otherwise `peek` tells a duplicate from a claim in progress.
    claim: `INSERT INTO ${t.sql} AS d (key, token, lease_until, claim_fingerprint)
VALUES (@key, @token, @lease, @fp)
ON CONFLICT (key) DO UPDATE SET
  token = excluded.token,
  lease_until = excluded.lease_until,
  claim_fingerprint = excluded.claim_fingerprint,
  done_until = CASE WHEN d.done_until > @now THEN d.done_until END,
  done_fingerprint = CASE WHEN d.done_until > @now THEN d.done_fingerprint END
WHERE (d.lease_until IS NULL OR d.lease_until <= @now)
  AND (d.done_until IS NULL OR d.done_until <= @now
    OR (@mode = 'latest' AND d.done_fingerprint IS NOT excluded.claim_fingerprint))
RETURNING 1 AS claimed`,
    peek: `SELECT lease_until, done_until, done_fingerprint FROM ${t.sql} WHERE key = ?`,
    complete: `UPDATE ${t.sql} SET
  token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  done_until = @until, done_fingerprint = claim_fingerprint
WHERE key = @key AND token = @token AND lease_until > @now`,
    // release: back to what the key was before the claim (absent, or done).
    releaseAbsent: `DELETE FROM ${t.sql}
WHERE key = @key AND token = @token AND lease_until > @now
  AND (done_until IS NULL OR done_until <= @now)`,
    releaseDone: `UPDATE ${t.sql} SET token = NULL, lease_until = NULL, claim_fingerprint = NULL
WHERE key = @key AND token = @token AND lease_until > @now AND done_until > @now`,
    renew: `UPDATE ${t.sql} SET lease_until = @lease
WHERE key = @key AND token = @token AND lease_until > @now`,
    // The last of the next @limit keys after @after ('' from the start) and how many
    // there were, for the sweep to look at.
    sweepLook: `SELECT max(key) AS last, count(*) AS n FROM (
  SELECT key FROM ${t.sql} WHERE key > @after ORDER BY key LIMIT @limit
)`,
    // Deletes the expired keys (lease and done time both passed) among those.
    sweep: `DELETE FROM ${t.sql}
WHERE key > @after AND key <= @last
  AND (lease_until IS NULL OR lease_until <= @now)
  AND (done_until IS NULL OR done_until <= @now)`,
    // A committed done mark gets the receiver's TTL when it differs from the store's.
    retime: `UPDATE ${t.sql} SET done_until = @to
WHERE key = @key AND done_until = @from`,
  } as const;
}
