import Database from "better-sqlite3";

/** One VARIABLE_UPDATE as the store writes it. */
export interface VariableUpdate {
  readonly botId: string;
  readonly sessionId: string;
  /** The event's `variables`: the session's variables as FineGuide sent them. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** What tells two versions apart (the kit's `ctx.fingerprint`). */
  readonly fingerprint: string;
  /** The kit's `ctx.dedupeKey`: `<botId>:VARIABLE_UPDATE:<sessionId>`. */
  readonly dedupeKey: string;
  /** When the delivery arrived (`ctx.receivedAt`). */
  readonly receivedAt: Date;
}

/** The row of one session: the latest variables and where they came from. */
export interface SessionVariables {
  readonly botId: string;
  readonly sessionId: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
  readonly dedupeKey: string;
  /** 1 when the row was inserted, +1 for every change of the variables since. */
  readonly version: number;
  /** When the delivery that made the last change arrived (ISO 8601). */
  readonly updatedAt: string;
}

/** What {@link VariableStore.save} did. */
export interface SaveResult {
  /** `false` when the row already held this fingerprint: nothing was written. */
  readonly changed: boolean;
  /** The row after the save. */
  readonly row: SessionVariables;
}

/** Where the receiver keeps the latest variables of each session. */
export interface VariableStore {
  /**
   * Upserts the session's row, replacing its variables. Saving the fingerprint
   * the row already holds changes nothing (a retry the kit no longer remembers,
   * e.g. after a restart). Throws when `signal` has fired or the write fails.
   */
  save(update: VariableUpdate, signal?: AbortSignal): SaveResult | Promise<SaveResult>;
  /** The row of a session, if any. */
  get(botId: string, sessionId: string): SessionVariables | undefined;
  /** Closes the database. */
  close(): void;
}

/** The SQLite store: it saves synchronously (better-sqlite3 is synchronous). */
export interface SqliteVariableStore extends VariableStore {
  save(update: VariableUpdate, signal?: AbortSignal): SaveResult;
}

/** Options of {@link openVariableStore}. */
export interface VariableStoreOptions {
  /**
   * How long a write waits for a lock held by another connection (a backup, the
   * `sqlite3` shell) before it fails. better-sqlite3 is synchronous: the wait
   * blocks the process. Default 5000 (better-sqlite3's default).
   */
  readonly busyTimeoutMs?: number;
}

/** A row as SQLite returns it. */
interface Row {
  bot_id: string;
  session_id: string;
  variables: string;
  fingerprint: string;
  dedupe_key: string;
  version: number;
  updated_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS session_variables (
  bot_id      TEXT    NOT NULL,
  session_id  TEXT    NOT NULL,
  variables   TEXT    NOT NULL CHECK (json_valid(variables)),
  fingerprint TEXT    NOT NULL,
  dedupe_key  TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  updated_at  TEXT    NOT NULL,
  PRIMARY KEY (bot_id, session_id)
) STRICT`;

// The WHERE makes a save of the fingerprint already stored a no-op: no row is
// updated, so RETURNING returns nothing.
const UPSERT = `
INSERT INTO session_variables
  (bot_id, session_id, variables, fingerprint, dedupe_key, version, updated_at)
VALUES (@botId, @sessionId, @variables, @fingerprint, @dedupeKey, 1, @updatedAt)
ON CONFLICT (bot_id, session_id) DO UPDATE SET
  variables   = excluded.variables,
  fingerprint = excluded.fingerprint,
  dedupe_key  = excluded.dedupe_key,
  version     = session_variables.version + 1,
  updated_at  = excluded.updated_at
WHERE session_variables.fingerprint IS NOT excluded.fingerprint
RETURNING *`;

const SELECT = "SELECT * FROM session_variables WHERE bot_id = ? AND session_id = ?";

const fromRow = (row: Row): SessionVariables => ({
  botId: row.bot_id,
  sessionId: row.session_id,
  variables: JSON.parse(row.variables) as Record<string, unknown>,
  fingerprint: row.fingerprint,
  dedupeKey: row.dedupe_key,
  version: row.version,
  updatedAt: row.updated_at,
});

/**
 * Opens (creating it if needed) the SQLite database at `path` with one row per
 * (botId, sessionId) in the table `session_variables`. `":memory:"` keeps it
 * in memory. File databases use WAL, so readers do not wait for the writer.
 *
 * @example
 * ```ts
 * const store = openVariableStore("/var/lib/variable-sync.sqlite");
 * store.save({ botId, sessionId, variables, fingerprint, dedupeKey, receivedAt: new Date() });
 * store.get(botId, sessionId)?.variables; // { user_name: "John", … }
 * store.close();
 * ```
 */
export function openVariableStore(
  path: string,
  options: VariableStoreOptions = {},
): SqliteVariableStore {
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    if (path !== ":memory:" && path !== "") db.pragma("journal_mode = WAL");
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  const upsert = db.prepare<Record<string, string>, Row>(UPSERT);
  const select = db.prepare<[string, string], Row>(SELECT);

  const save = db.transaction((update: VariableUpdate): SaveResult => {
    const written = upsert.get({
      botId: update.botId,
      sessionId: update.sessionId,
      variables: JSON.stringify(update.variables),
      fingerprint: update.fingerprint,
      dedupeKey: update.dedupeKey,
      updatedAt: update.receivedAt.toISOString(),
    });
    if (written) return { changed: true, row: fromRow(written) };
    const current = select.get(update.botId, update.sessionId);
    if (!current) throw new Error("session_variables: the upserted row is missing");
    return { changed: false, row: fromRow(current) };
  });

  return {
    save(update, signal) {
      // The kit has answered 503 at its deadline: leave the write to the retry.
      signal?.throwIfAborted();
      return save(update);
    },
    get(botId, sessionId) {
      const row = select.get(botId, sessionId);
      return row ? fromRow(row) : undefined;
    },
    close() {
      db.close();
    },
  };
}
