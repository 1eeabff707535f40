import { tmpdir } from "node:os";
import { join } from "node:path";

/** The environment variable naming the SQLite file. */
export const DATABASE_ENV = "ANALYTICS_DB";

/**
 * Where `npm start` keeps its SQLite database: ANALYTICS_DB when it is set
 * (`:memory:` for none at all), otherwise `fineguide-analytics.sqlite` in the
 * OS temp directory, so the numbers outlive a restart but not a reboot's cleanup.
 *
 * @example
 * ```ts
 * databasePath({}); // "/tmp/fineguide-analytics.sqlite"
 * databasePath({ ANALYTICS_DB: "./analytics.sqlite" }); // "./analytics.sqlite"
 * ```
 */
export function databasePath(env: NodeJS.ProcessEnv): string {
  const fromEnv = env[DATABASE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return join(tmpdir(), "fineguide-analytics.sqlite");
}
