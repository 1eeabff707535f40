import Database from "better-sqlite3";

/** Options of {@link openAnalyticsDatabase}. */
export interface AnalyticsDatabaseOptions {
  /**
   * How long a write waits for a lock held by another connection before it
   * fails (better-sqlite3 blocks the process meanwhile). Default 5000.
   */
  readonly busyTimeoutMs?: number;
}

/**
 * The analytics tables. Times are epoch milliseconds of a delivery's arrival
 * (FineGuide sends no timestamps). No table keeps what people wrote: a
 * message is its ids and role, nothing else.
 */
export const ANALYTICS_SCHEMA = `
CREATE TABLE IF NOT EXISTS analytics_sessions (
  bot_id        TEXT    NOT NULL,
  session_id    TEXT    NOT NULL,
  opened_at     INTEGER,          -- SESSION_OPEN arrived
  closed_at     INTEGER,          -- SESSION_CLOSED arrived
  first_seen_at INTEGER NOT NULL, -- the session's first event of any type
  last_seen_at  INTEGER NOT NULL, -- and its latest
  PRIMARY KEY (bot_id, session_id)
) STRICT;

CREATE TABLE IF NOT EXISTS analytics_messages (
  bot_id      TEXT    NOT NULL,
  message_id  TEXT    NOT NULL,
  session_id  TEXT    NOT NULL,
  role        TEXT    NOT NULL,   -- USER, ASSISTANT, OPERATOR, or a role FineGuide adds
  received_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, message_id)
) STRICT;
CREATE INDEX IF NOT EXISTS analytics_messages_by_session
  ON analytics_messages (bot_id, session_id);

CREATE TABLE IF NOT EXISTS analytics_ratings (
  bot_id         TEXT    NOT NULL,
  message_id     TEXT    NOT NULL,
  session_id     TEXT    NOT NULL,
  rating         INTEGER NOT NULL CHECK (rating IN (1, -1)),
  changes        INTEGER NOT NULL, -- times set to a new value: up, down, up = 3
  first_rated_at INTEGER NOT NULL,
  rated_at       INTEGER NOT NULL,
  PRIMARY KEY (bot_id, message_id)
) STRICT;
CREATE INDEX IF NOT EXISTS analytics_ratings_by_session
  ON analytics_ratings (bot_id, session_id);
`;

/**
 * Opens (creating it if needed) the SQLite database at `path` with the
 * analytics tables; `":memory:"` keeps it in memory. File databases use WAL,
 * so the dashboard's reads do not wait for the webhook's writes.
 *
 * @example
 * ```ts
 * const db = openAnalyticsDatabase("/var/lib/analytics.sqlite");
 * recordEvent(db, event, Date.now());
 * assistantSummaries(db); // one row per assistant
 * db.close();
 * ```
 */
export function openAnalyticsDatabase(
  path: string,
  options: AnalyticsDatabaseOptions = {},
): Database.Database {
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    if (path !== ":memory:" && path !== "") db.pragma("journal_mode = WAL");
    db.exec(ANALYTICS_SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
