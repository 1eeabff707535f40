import { mutation } from "./base.mjs";

/**
 * The Redis store's scripts and client code, against the Redis tests (they start their own
 * redis-server). The scripts are module constants: static mutants, kept, since a Lua text
 * no test depends on must show. Stryker mutates the TypeScript around the Lua, not the Lua.
 */
export default {
  ...mutation("redis", [
    "packages/redis/src/redisStore.ts",
    "packages/redis/src/scripts.ts",
    "packages/redis/src/ioredisRunner.ts",
    "packages/redis/src/nodeRedisRunner.ts",
    "packages/redis/src/createDeadlines.ts",
    "packages/redis/src/RedisStoreTimeoutError.ts",
  ]),
  ignoreStatic: false,
};
