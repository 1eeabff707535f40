import type {
  MessageEvent,
  RateMessageEvent,
  SessionClosedEvent,
  SessionOpenEvent,
} from "@fineguide-webhooks/core";
import type Database from "better-sqlite3";

/** The events the dashboard counts. */
export type AnalyticsEvent =
  | MessageEvent
  | RateMessageEvent
  | SessionOpenEvent
  | SessionClosedEvent;

/** What {@link recordEvent} did. */
export interface Recorded {
  /** False when the database already held exactly this (a retry the kit no longer remembers). */
  readonly changed: boolean;
}

interface Params {
  botId: string;
  sessionId: string;
  at: number;
}

// Every event marks its session as seen, so a session shows up even when its
// SESSION_OPEN was never received (it started before the receiver did).
const TOUCH_SESSION = `
INSERT INTO analytics_sessions (bot_id, session_id, first_seen_at, last_seen_at)
VALUES (@botId, @sessionId, @at, @at)
ON CONFLICT (bot_id, session_id) DO UPDATE SET
  first_seen_at = min(first_seen_at, excluded.first_seen_at),
  last_seen_at  = max(last_seen_at, excluded.last_seen_at)`;

// The earliest arrival counts: a retry arrives a minute or more after the fact.
const OPEN_SESSION = `
UPDATE analytics_sessions SET opened_at = @at
WHERE bot_id = @botId AND session_id = @sessionId AND (opened_at IS NULL OR opened_at > @at)`;

const CLOSE_SESSION = `
UPDATE analytics_sessions SET closed_at = @at
WHERE bot_id = @botId AND session_id = @sessionId AND (closed_at IS NULL OR closed_at > @at)`;

const INSERT_MESSAGE = `
INSERT INTO analytics_messages (bot_id, message_id, session_id, role, received_at)
VALUES (@botId, @messageId, @sessionId, @role, @at)
ON CONFLICT (bot_id, message_id) DO NOTHING`;

// A new value counts as a change; the value already stored does not, so a
// retry processed twice (after a restart) is not counted twice.
const UPSERT_RATING = `
INSERT INTO analytics_ratings
  (bot_id, message_id, session_id, rating, changes, first_rated_at, rated_at)
VALUES (@botId, @messageId, @sessionId, @rating, 1, @at, @at)
ON CONFLICT (bot_id, message_id) DO UPDATE SET
  rating   = excluded.rating,
  changes  = analytics_ratings.changes + 1,
  rated_at = excluded.rated_at
WHERE analytics_ratings.rating <> excluded.rating`;

interface Statements {
  readonly touch: Database.Statement<Params>;
  readonly open: Database.Statement<Params>;
  readonly close: Database.Statement<Params>;
  readonly message: Database.Statement<Params & { messageId: string; role: string }>;
  readonly rating: Database.Statement<Params & { messageId: string; rating: number }>;
}

// Prepared once per connection.
const prepared = new WeakMap<Database.Database, Statements>();

function statements(db: Database.Database): Statements {
  let found = prepared.get(db);
  if (!found) {
    found = {
      touch: db.prepare(TOUCH_SESSION),
      open: db.prepare(OPEN_SESSION),
      close: db.prepare(CLOSE_SESSION),
      message: db.prepare(INSERT_MESSAGE),
      rating: db.prepare(UPSERT_RATING),
    };
    prepared.set(db, found);
  }
  return found;
}

/**
 * Writes one event into the analytics tables, synchronously: call it inside a
 * transaction (the SQLite store's, or `db.transaction()`), so that the
 * session's row and the event's row are written together or not at all.
 * `at` is when the event arrived (epoch ms): FineGuide sends no time.
 *
 * - MESSAGE: one row per message (its role, not its text);
 * - RATE_MESSAGE: the message's current rating, and how many times it was set
 *   to a new value (up, down, up again: 3);
 * - SESSION_OPEN, SESSION_CLOSED: when the session opened and closed.
 *
 * @example
 * ```ts
 * db.transaction(() => recordEvent(db, event, ctx.receivedAt.getTime()))();
 * ```
 */
export function recordEvent(db: Database.Database, event: AnalyticsEvent, at: number): Recorded {
  const sql = statements(db);
  const params: Params = { botId: event.botId, sessionId: event.sessionId, at: Math.round(at) };
  sql.touch.run(params);
  switch (event.type) {
    case "MESSAGE":
      return {
        changed:
          sql.message.run({ ...params, messageId: event.messageId, role: event.role }).changes > 0,
      };
    case "RATE_MESSAGE":
      return {
        changed:
          sql.rating.run({ ...params, messageId: event.messageId, rating: event.rating }).changes >
          0,
      };
    case "SESSION_OPEN":
      return { changed: sql.open.run(params).changes > 0 };
    case "SESSION_CLOSED":
      return { changed: sql.close.run(params).changes > 0 };
  }
}
