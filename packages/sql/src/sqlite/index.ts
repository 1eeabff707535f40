export type { SqlClaimResult } from "../shared/claims.js";
export type { DeliveryRef, SyncResult, TransactionContext } from "../shared/context.js";
export { SqlStoreError, type SqlStoreErrorCode } from "../shared/errors.js";
export type { SqlStoreOptions } from "../shared/options.js";
export { sqliteSchema } from "./schema.js";
export {
  type SqliteContext,
  type SqliteStore,
  type SqliteStoreOptions,
  sqliteStore,
} from "./sqliteStore.js";
