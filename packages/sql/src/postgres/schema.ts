import { createHash } from "node:crypto";
import { DEFAULT_TABLE, type QuotedTable, quoteTable } from "../shared/options.js";

/**
 * The SQL that creates the Postgres dedupe table and its index (what
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
  return `CREATE TABLE IF NOT EXISTS ${t.sql} (
  key               text PRIMARY KEY,
  token             text,         -- the claim's owner (a delivery id); NULL when not claimed
  lease_until       timestamptz,  -- the claim holds until then
  claim_fingerprint text,         -- the claiming delivery's fingerprint (latest mode)
  done_until        timestamptz,  -- processed: remembered until then
  done_fingerprint  text,         -- the fingerprint processed (latest mode)
  expires_at        timestamptz NOT NULL -- the later of lease_until and done_until
);
CREATE INDEX IF NOT EXISTS ${t.index} ON ${t.sql} (expires_at);
`;
}

/** The store's statements for one table; `name`s make them prepared once per connection. */
export interface PgStatements {
  readonly claim: { readonly name: string; readonly text: string };
  readonly complete: { readonly name: string; readonly text: string };
  readonly release: { readonly name: string; readonly text: string };
  readonly renew: { readonly name: string; readonly text: string };
  readonly sweep: { readonly name: string; readonly text: string };
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
  INSERT INTO ${t.sql} AS d (key, token, lease_until, claim_fingerprint, expires_at)
  VALUES ($1, $2, ${NOW} + ${ms("$4")}, $3::text, ${NOW} + ${ms("$4")})
  ON CONFLICT (key) DO UPDATE SET
    token = excluded.token,
    lease_until = excluded.lease_until,
    claim_fingerprint = excluded.claim_fingerprint,
    done_until = CASE WHEN ${doneLive} THEN d.done_until END,
    done_fingerprint = CASE WHEN ${doneLive} THEN d.done_fingerprint END,
    expires_at = greatest(excluded.lease_until, CASE WHEN ${doneLive} THEN d.done_until END)
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
    // $1 key, $2 token, $3 ttl ms. Returns the done time (µs since the epoch) for retime.
    complete: named(
      "complete",
      `UPDATE ${t.sql} SET
  token = NULL, lease_until = NULL, claim_fingerprint = NULL,
  done_until = ${NOW} + ${ms("$3")},
  done_fingerprint = claim_fingerprint,
  expires_at = ${NOW} + ${ms("$3")}
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
  UPDATE ${t.sql} SET token = NULL, lease_until = NULL, claim_fingerprint = NULL, expires_at = done_until
  WHERE key = $1 AND token = $2 AND lease_until > ${NOW} AND done_until > ${NOW}
  RETURNING 1
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM back) AS n`,
    ),
    // $1 key, $2 token, $3 lease ms.
    renew: named(
      "renew",
      `UPDATE ${t.sql} SET
  lease_until = ${NOW} + ${ms("$3")},
  expires_at = greatest(${NOW} + ${ms("$3")}, done_until)
WHERE key = $1 AND token = $2 AND lease_until > ${NOW}`,
    ),
    // $1 batch. Rows whose lease and done time both passed are as good as absent.
    // The outer condition is checked again on the row's latest version, so a row
    // claimed again meanwhile stays; SKIP LOCKED passes rows another statement holds.
    sweep: named(
      "sweep",
      `DELETE FROM ${t.sql}
WHERE key IN (
  SELECT key FROM ${t.sql} WHERE expires_at <= ${NOW}
  ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
) AND expires_at <= ${NOW}`,
    ),
    // $1 key, $2 done µs as committed, $3 ms to add: a committed done mark gets
    // the receiver's TTL when it differs from the store's `ttlMs`.
    retime: named(
      "retime",
      `UPDATE ${t.sql} SET
  done_until = done_until + ${ms("$3")},
  expires_at = greatest(lease_until, done_until + ${ms("$3")})
WHERE key = $1 AND done_until = 'epoch'::timestamptz + $2::int8 * interval '1 microsecond'`,
    ),
  };
}
