import { tmpdir } from "node:os";
import { join } from "node:path";

/** The environment variable naming the SQLite file. */
export const DATABASE_ENV = "CRM_LEADS_DB";

/**
 * Where `npm start` keeps its SQLite database: CRM_LEADS_DB when it is set
 * (`:memory:` for none at all), otherwise `fineguide-crm-leads.sqlite` in the
 * OS temp directory, so the rows outlive a restart but not a reboot's cleanup.
 *
 * @example
 * ```ts
 * databasePath({}); // "/tmp/fineguide-crm-leads.sqlite"
 * databasePath({ CRM_LEADS_DB: "./crm.sqlite" }); // "./crm.sqlite"
 * ```
 */
export function databasePath(env: NodeJS.ProcessEnv): string {
  const fromEnv = env[DATABASE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return join(tmpdir(), "fineguide-crm-leads.sqlite");
}
