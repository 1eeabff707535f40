import type pg from "pg";
import type { PostgresServer } from "../postgresServer.js";

/** The Postgres a test file started once, for its suites (filled in by its beforeAll). */
export interface SharedPostgres {
  server: PostgresServer;
  pool: pg.Pool;
}
