export type { SqlClaimResult } from "../shared/claims.js";
export type { DeliveryRef, TransactionContext } from "../shared/context.js";
export { SqlStoreError, type SqlStoreErrorCode } from "../shared/errors.js";
export type { SqlStoreOptions } from "../shared/options.js";
export {
  type PgPoolLike,
  type PostgresContext,
  type PostgresStore,
  type PostgresStoreOptions,
  postgresStore,
} from "./postgresStore.js";
export { postgresSchema } from "./schema.js";
