export type { IORedisLike } from "./ioredisRunner.js";
export type { NodeRedisEvalOptions, NodeRedisLike } from "./nodeRedisRunner.js";
export { RedisStoreTimeoutError } from "./RedisStoreTimeoutError.js";
export { type RedisClientLike, type RedisStoreOptions, redisStore } from "./redisStore.js";
