import pg from "pg";
import { type PostgresStore, postgresStore } from "../postgres/index.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";

/** A test file's own Postgres, its pool and migrated store, and the effects table of `pgRows`. */
export interface EffectsPostgres {
  readonly server: PostgresServer;
  readonly pool: pg.Pool;
  readonly store: PostgresStore;
  /** Ends the pool, then stops the server. */
  stop(): Promise<void>;
}

/**
 * Starts a Postgres (see `startPostgres`), a pool of 10 on it, a migrated
 * `postgresStore`, and `table` with the columns `pgRows` reads (`handler`, `note`).
 */
export async function startWithEffects(table: string): Promise<EffectsPostgres> {
  const server = await startPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: 10 });
  pool.on("error", () => {});
  const store = postgresStore({ pool });
  await store.migrate();
  await pool.query(
    `CREATE TABLE ${table} (id serial PRIMARY KEY, handler text NOT NULL, note text NOT NULL)`,
  );
  return {
    server,
    pool,
    store,
    async stop() {
      await pool.end();
      await server.stop();
    },
  };
}
