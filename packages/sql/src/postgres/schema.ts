import { createHash } from "node:crypto";
import { DEFAULT_TABLE, type QuotedTable, quoteTable } from "../shared/options.js";

/**
 * The SQL that creates the Postgres dedupe table (what
 * `migrate()` runs), for teams that apply migrations with their own tool.
 * Idempotent (`IF NOT EXISTS`).
 *
 * @example
 * ```ts
 * writeFileSync("migrations/0042_fineguide_webhooks.sql", postgresSchema());
 * ```
 */
export function postgresSchema(table: string = DEFAULT_TABLE): string {
  return schemaFor(quoteTable(table, "sql/postgres"));
}

export function schemaFor(t: QuotedTable): string {
  // No index besides the key: every write touches one index, as a bare dedupe table's
  // would, and a completion changes no indexed column (it can be a HOT update). Cleanup
  // walks the key.
  return `CREATE TABLE IF NOT EXISTS ${t.sql} (
  key               text PRIMARY KEY,
  token             text,         -- the claim's owner (a delivery id); NULL when not claimed
  lease_until       timestamptz,  -- the claim holds until then
  claim_fingerprint text,         -- the claiming delivery's fingerprint (latest mode)
  done_until        timestamptz,  -- processed: remembered until then
  done_fingerprint  text          -- the fingerprint processed (latest mode)
);
`;
}

/** The store's statements for one table; `name`s make them prepared once per connection. */
export interface PgStatements {
  readonly claim: { readonly name: string; readonly text: string };
  readonly complete: { readonly name: string; readonly text: string };
  readonly release: { readonly name: string; readonly text: string };
  readonly renew: { readonly name: string; readonly text: string };
  readonly sweep: { readonly name: string; readonly text: string };
  readonly completeForRetime: { readonly name: string; readonly text: string };
  readonly retime: { readonly name: string; readonly text: string };
}

// All times are the server's: statement_timestamp() is fixed for the length of one
// statement (unlike now(), the start of the transaction, which matters inside the
// transaction of a transactional handler), so every comparison within a statement
// agrees. A lease or done time equal to "now" has passed.
const NOW = "statement_timestamp()";
const ms = (param: string) => `(${param}::float8 * interval '1 millisecond')`;

export function statementsFor(t: QuotedTable): PgStatements {
  const tag = createHash("sha256").update(t.sql).digest("hex").slice(0, 12);
  const named = (name: string, text: string) => ({ name: `fgw_${name}_${tag}`, text });
  const doneLive = `d.done_until > ${NOW}`;
  return {
    // $1 key, $2 token, $3 fingerprint (NULL: none), $4 lease ms, $5 mode.
    // One statement: the upsert claims an absent, lapsed, expired or (latest mode)
    // other-fingerprint key; the outer SELECT, on the statement's snapshot, tells a
    // duplicate from a claim in progress when it did not. A row inserted by a
    // concurrent claim after the snapshot is not in it: in_progress, which it is.
    claim: named(
      "claim",
      `WITH claimed AS (
  INSERT INTO ${t.sql} AS d (key, token, lease_until, claim_fingerprint)
  VALUES ($1, $2, ${NOW} + ${ms("$4")}, $3::text)
  ON CONFLICT (key) DO UPDATE SET
    token = excluded.token,
    lease_until = excluded.lease_until,
    claim_fingerprint = excluded.claim_fingerprint,
    done_until = CASE WHEN ${doneLive} THEN d.done_until END,
    done_fingerprint = CASE WHEN ${doneLive} THEN d.done_fingerprint END
  WHERE (d.lease_until IS NULL OR d.lease_until <= ${NOW})
    AND (d.done_until IS NULL OR d.done_until <= ${NOW}
      OR ($5::text = 'latest' AND d.done_fingerprint IS DISTINCT FROM excluded.claim_fingerprint))
  RETURNING 1
)
SELECT CASE
  WHEN EXISTS (SELECT 1 FROM claimed) THEN 'claimed'
  WHEN EXISTS (
    SELECT 1 FROM ${t.sql} AS d
    WHERE d.key = $1 AND (d.lease_until IS NULL OR d.lease_until <= ${NOW}) AND ${doneLive}
      AND ($5::text = 'once' OR d.done_fingerprint IS NOT DISTINCT FROM $3::text)
  ) THEN 'duplicate'
  ELSE 'in_progress'
END AS result`,
    ),
    // $1 key, $2 token, $3 ttl ms.
    complete: named(
      "complete",
      `UPDATE ${t.sql} SET
  token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  done_until = ${NOW} + ${ms("$3")},
  done_fingerprint = claim_fingerprint
WHERE key = $1 AND token = $2 AND lease_until > ${NOW}`,
    ),
    // The same, in a transactional delivery's transaction: returns the done time (µs
    // since the epoch), so that `retime` can find it again.
    completeForRetime: named(
      "complete_tx",
      `UPDATE ${t.sql} SET
  token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  done_until = ${NOW} + ${ms("$3")},
  done_fingerprint = claim_fingerprint
WHERE key = $1 AND token = $2 AND lease_until > ${NOW}
RETURNING (extract(epoch FROM done_until) * 1000000)::int8 AS done_us`,
    ),
    // $1 key, $2 token. Back to what the key was before the claim: absent, or done.
    release: named(
      "release",
      `WITH gone AS (
  DELETE FROM ${t.sql}
  WHERE key = $1 AND token = $2 AND lease_until > ${NOW}
    AND (done_until IS NULL OR done_until <= ${NOW})
  RETURNING 1
), back AS (
  UPDATE ${t.sql} SET token = NULL, lease_until = NULL, claim_fingerprint = NULL
  WHERE key = $1 AND token = $2 AND lease_until > ${NOW} AND done_until > ${NOW}
  RETURNING 1
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM back) AS n`,
    ),
    // $1 key, $2 token, $3 lease ms.
    renew: named(
      "renew",
      `UPDATE ${t.sql} SET lease_until = ${NOW} + ${ms("$3")}
WHERE key = $1 AND token = $2 AND lease_until > ${NOW}`,
    ),
    // $1 the last key the previous sweep looked at ('' from the start), $2 how many
    // keys to look at. Deletes the expired ones among them (lease and done time both
    // passed: as good as absent); returns the last key looked at (NULL past the end).
    // (An empty key, which core never makes, would never be looked at.)
    // The delete checks its condition again on the row's latest version, so a row
    // claimed again meanwhile stays. Bounded work, on the primary key alone.
    sweep: named(
      "sweep",
      `WITH looked AS (
  SELECT key FROM ${t.sql} WHERE key > $1 ORDER BY key LIMIT $2::int8
), gone AS (
  DELETE FROM ${t.sql} AS d USING looked
  WHERE d.key = looked.key
    AND (d.lease_until IS NULL OR d.lease_until <= ${NOW})
    AND (d.done_until IS NULL OR d.done_until <= ${NOW})
  RETURNING 1
)
SELECT CASE WHEN (SELECT count(*) FROM looked) = $2::int8 THEN (SELECT max(key) FROM looked) END AS last,
  (SELECT count(*) FROM gone) AS deleted`,
    ),
    // $1 key, $2 done µs as committed, $3 ms to add: a committed done mark gets
    // the receiver's TTL when it differs from the store's `ttlMs`.
    retime: named(
      "retime",
      `UPDATE ${t.sql} SET done_until = done_until + ${ms("$3")}
WHERE key = $1 AND done_until = 'epoch'::timestamptz + $2::int8 * interval '1 microsecond'`,
    ),
  };
}
