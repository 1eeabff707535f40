// Driver-free: the stores are in `@fineguide-webhooks/sql/postgres` and
// `@fineguide-webhooks/sql/sqlite`, so a user of one never loads the other's types.

export { postgresSchema } from "./postgres/schema.js";
export type { SqlClaimResult } from "./shared/claims.js";
export type { DeliveryRef, SyncResult, TransactionContext } from "./shared/context.js";
export { SqlStoreError, type SqlStoreErrorCode } from "./shared/errors.js";
export type { SqlStoreOptions } from "./shared/options.js";
export { sqliteSchema } from "./sqlite/schema.js";
