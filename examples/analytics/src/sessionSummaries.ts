import type Database from "better-sqlite3";
import type { MessagesByRole } from "./assistantSummaries.js";

/** One session of an assistant, from {@link sessionSummaries}. */
export interface SessionSummary {
  readonly sessionId: string;
  /** When SESSION_OPEN and SESSION_CLOSED arrived (epoch ms), if they did. */
  readonly openedAt: number | null;
  readonly closedAt: number | null;
  /** From SESSION_OPEN to SESSION_CLOSED; null without both (or closed before opened). */
  readonly durationMs: number | null;
  /** The session's first and latest event of any type. */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly messages: number;
  readonly messagesByRole: MessagesByRole;
  readonly thumbsUp: number;
  readonly thumbsDown: number;
  /** Every time one of its ratings was set to a new value. */
  readonly ratingChanges: number;
}

interface Row {
  session_id: string;
  opened_at: number | null;
  closed_at: number | null;
  duration_ms: number | null;
  first_seen_at: number;
  last_seen_at: number;
  messages: number | null;
  user_messages: number | null;
  assistant_messages: number | null;
  operator_messages: number | null;
  other_messages: number | null;
  up: number | null;
  down: number | null;
  rating_changes: number | null;
}

/** Sessions of one assistant with their messages by role and ratings, newest activity first. */
export const SESSIONS_QUERY = `
SELECT s.session_id, s.opened_at, s.closed_at,
       CASE WHEN s.opened_at IS NOT NULL AND s.closed_at >= s.opened_at
            THEN s.closed_at - s.opened_at END AS duration_ms,
       s.first_seen_at, s.last_seen_at,
       m.messages, m.user_messages, m.assistant_messages, m.operator_messages, m.other_messages,
       r.up, r.down, r.rating_changes
FROM analytics_sessions s
LEFT JOIN (
  SELECT session_id,
         count(*) AS messages,
         sum(role = 'USER') AS user_messages,
         sum(role = 'ASSISTANT') AS assistant_messages,
         sum(role = 'OPERATOR') AS operator_messages,
         sum(role NOT IN ('USER', 'ASSISTANT', 'OPERATOR')) AS other_messages
  FROM analytics_messages WHERE bot_id = @botId GROUP BY session_id
) m ON m.session_id = s.session_id
LEFT JOIN (
  SELECT session_id, sum(rating = 1) AS up, sum(rating = -1) AS down, sum(changes) AS rating_changes
  FROM analytics_ratings WHERE bot_id = @botId GROUP BY session_id
) r ON r.session_id = s.session_id
WHERE s.bot_id = @botId
ORDER BY s.last_seen_at DESC, s.session_id
LIMIT @limit`;

const fromRow = (row: Row): SessionSummary => ({
  sessionId: row.session_id,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
  durationMs: row.duration_ms,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  messages: row.messages ?? 0,
  messagesByRole: {
    USER: row.user_messages ?? 0,
    ASSISTANT: row.assistant_messages ?? 0,
    OPERATOR: row.operator_messages ?? 0,
    other: row.other_messages ?? 0,
  },
  thumbsUp: row.up ?? 0,
  thumbsDown: row.down ?? 0,
  ratingChanges: row.rating_changes ?? 0,
});

/**
 * The latest `limit` sessions of one assistant (default 50), newest activity
 * first: when each opened and closed, its duration, its messages by role and
 * its ratings.
 *
 * @example
 * ```ts
 * for (const session of sessionSummaries(db, botId, 10)) console.log(session.messages);
 * ```
 */
export function sessionSummaries(
  db: Database.Database,
  botId: string,
  limit = 50,
): SessionSummary[] {
  return db
    .prepare<{ botId: string; limit: number }, Row>(SESSIONS_QUERY)
    .all({ botId, limit })
    .map(fromRow);
}
