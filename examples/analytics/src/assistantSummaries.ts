import type Database from "better-sqlite3";

/** Messages of an assistant by who sent them. */
export interface MessagesByRole {
  readonly USER: number;
  readonly ASSISTANT: number;
  readonly OPERATOR: number;
  /** Roles FineGuide may add; the kit accepts them. */
  readonly other: number;
}

/** What one assistant (botId) did, from {@link assistantSummaries}. */
export interface AssistantSummary {
  readonly botId: string;
  /** Sessions with any event. */
  readonly sessions: number;
  /** Sessions whose SESSION_OPEN arrived and SESSION_CLOSED not (yet). */
  readonly openSessions: number;
  /** Sessions with both, closed after opened: the ones with a duration. */
  readonly timedSessions: number;
  readonly averageDurationMs: number | null;
  readonly medianDurationMs: number | null;
  readonly longestDurationMs: number | null;
  readonly messages: number;
  readonly messagesByRole: MessagesByRole;
  /** Messages with a rating; the current rating counts. */
  readonly ratedMessages: number;
  readonly thumbsUp: number;
  readonly thumbsDown: number;
  /** Every time a rating was set to a new value (up, down, up again: 3). */
  readonly ratingChanges: number;
  /** Rated messages whose rating was changed at least once after the first. */
  readonly changedRatings: number;
  /** The first and latest event of any of its sessions (epoch ms). */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

interface Row {
  bot_id: string;
  sessions: number;
  open_sessions: number;
  timed_sessions: number;
  average_ms: number | null;
  median_ms: number | null;
  longest_ms: number | null;
  messages: number | null;
  user_messages: number | null;
  assistant_messages: number | null;
  operator_messages: number | null;
  other_messages: number | null;
  rated: number | null;
  up: number | null;
  down: number | null;
  rating_changes: number | null;
  changed_ratings: number | null;
  first_seen_at: number;
  last_seen_at: number;
}

/**
 * The summary query: one statement, one row per assistant (all of them, or
 * the one `@botId` names), newest activity first. Every event writes its
 * session's row, so `analytics_sessions` lists every assistant.
 */
export const SUMMARY_QUERY = `
WITH
durations AS (
  SELECT bot_id,
         closed_at - opened_at AS ms,
         row_number() OVER (PARTITION BY bot_id ORDER BY closed_at - opened_at) AS n,
         count(*) OVER (PARTITION BY bot_id) AS total
  FROM analytics_sessions
  WHERE opened_at IS NOT NULL AND closed_at >= opened_at
),
duration AS (
  SELECT bot_id,
         count(*) AS timed,
         avg(ms) AS average_ms,
         avg(CASE WHEN n IN ((total + 1) / 2, (total + 2) / 2) THEN ms END) AS median_ms,
         max(ms) AS longest_ms
  FROM durations GROUP BY bot_id
),
sessions AS (
  SELECT bot_id,
         count(*) AS sessions,
         count(CASE WHEN opened_at IS NOT NULL AND closed_at IS NULL THEN 1 END) AS open_sessions,
         min(first_seen_at) AS first_seen_at,
         max(last_seen_at) AS last_seen_at
  FROM analytics_sessions GROUP BY bot_id
),
messages AS (
  SELECT bot_id,
         count(*) AS messages,
         sum(role = 'USER') AS user_messages,
         sum(role = 'ASSISTANT') AS assistant_messages,
         sum(role = 'OPERATOR') AS operator_messages,
         sum(role NOT IN ('USER', 'ASSISTANT', 'OPERATOR')) AS other_messages
  FROM analytics_messages GROUP BY bot_id
),
ratings AS (
  SELECT bot_id,
         count(*) AS rated,
         sum(rating = 1) AS up,
         sum(rating = -1) AS down,
         sum(changes) AS rating_changes,
         sum(changes > 1) AS changed_ratings
  FROM analytics_ratings GROUP BY bot_id
)
SELECT s.bot_id, s.sessions, s.open_sessions,
       coalesce(d.timed, 0) AS timed_sessions, d.average_ms, d.median_ms, d.longest_ms,
       m.messages, m.user_messages, m.assistant_messages, m.operator_messages, m.other_messages,
       r.rated, r.up, r.down, r.rating_changes, r.changed_ratings,
       s.first_seen_at, s.last_seen_at
FROM sessions s
LEFT JOIN duration d ON d.bot_id = s.bot_id
LEFT JOIN messages m ON m.bot_id = s.bot_id
LEFT JOIN ratings r ON r.bot_id = s.bot_id
WHERE @botId IS NULL OR s.bot_id = @botId
ORDER BY s.last_seen_at DESC, s.bot_id`;

const round = (ms: number | null) => (ms === null ? null : Math.round(ms));

const fromRow = (row: Row): AssistantSummary => ({
  botId: row.bot_id,
  sessions: row.sessions,
  openSessions: row.open_sessions,
  timedSessions: row.timed_sessions,
  averageDurationMs: round(row.average_ms),
  medianDurationMs: round(row.median_ms),
  longestDurationMs: row.longest_ms,
  messages: row.messages ?? 0,
  messagesByRole: {
    USER: row.user_messages ?? 0,
    ASSISTANT: row.assistant_messages ?? 0,
    OPERATOR: row.operator_messages ?? 0,
    other: row.other_messages ?? 0,
  },
  ratedMessages: row.rated ?? 0,
  thumbsUp: row.up ?? 0,
  thumbsDown: row.down ?? 0,
  ratingChanges: row.rating_changes ?? 0,
  changedRatings: row.changed_ratings ?? 0,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
});

/**
 * One summary per assistant (botId), newest activity first, from the one
 * {@link SUMMARY_QUERY}: sessions and their durations (SESSION_OPEN to
 * SESSION_CLOSED), messages by role, ratings and their changes. With
 * `botId`, only that assistant's (an empty array if it sent nothing).
 *
 * @example
 * ```ts
 * const [sales] = assistantSummaries(db, "6434515b-8541-4861-bb24-8acd6e77e8c4");
 * sales?.messagesByRole.USER; // 42
 * ```
 */
export function assistantSummaries(db: Database.Database, botId?: string): AssistantSummary[] {
  return db
    .prepare<{ botId: string | null }, Row>(SUMMARY_QUERY)
    .all({ botId: botId ?? null })
    .map(fromRow);
}
