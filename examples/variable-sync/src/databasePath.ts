import { tmpdir } from "node:os";
import { join } from "node:path";

/** The environment variable naming the SQLite file. */
export const DATABASE_ENV = "VARIABLE_SYNC_DB";

/**
 * Where `npm start` keeps its SQLite database: VARIABLE_SYNC_DB when it is set
 * (`:memory:` for none at all), otherwise `fineguide-variable-sync.sqlite` in
 * the OS temp directory, so the rows outlive a restart but not a reboot's cleanup.
 *
 * @example
 * ```ts
 * databasePath({}); // "/tmp/fineguide-variable-sync.sqlite"
 * databasePath({ VARIABLE_SYNC_DB: "./variables.sqlite" }); // "./variables.sqlite"
 * ```
 */
export function databasePath(env: NodeJS.ProcessEnv): string {
  const fromEnv = env[DATABASE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return join(tmpdir(), "fineguide-variable-sync.sqlite");
}
