import type { ScriptRunner } from "./ScriptRunner.js";

/**
 * Keys and arguments of a node-redis `eval`/`evalSha` call.
 *
 * @example
 * ```ts
 * const options: NodeRedisEvalOptions = { keys: ["k"], arguments: ["token", "45000"] };
 * ```
 */
export interface NodeRedisEvalOptions {
  keys: string[];
  arguments: string[];
}

/**
 * The part of a `redis` (node-redis 4 to 6) client or cluster the store uses.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisLike = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 */
export interface NodeRedisLike {
  evalSha(sha1: string, options: NodeRedisEvalOptions): Promise<unknown>;
  eval(script: string, options: NodeRedisEvalOptions): Promise<unknown>;
}

/** True for a node-redis client or cluster (it has `evalSha`). */
export function isNodeRedis(client: object): client is NodeRedisLike {
  const c = client as Partial<NodeRedisLike>;
  return typeof c.evalSha === "function" && typeof c.eval === "function";
}

const isNoScript = (error: unknown) =>
  error instanceof Error && error.message.startsWith("NOSCRIPT");

/**
 * Adapter for node-redis: the first call of a script is an EVAL (which also
 * loads it into the server's script cache), every later one an EVALSHA; on
 * NOSCRIPT (a restarted or flushed server, a failover, another cluster node)
 * the call is repeated once as EVAL, which loads it again.
 */
export function nodeRedisRunner(client: NodeRedisLike): ScriptRunner {
  const loaded = new Set<string>();
  return {
    run(script, key, args) {
      const options = { keys: [key], arguments: args };
      if (!loaded.has(script.sha)) {
        return client.eval(script.lua, options).then((reply) => {
          loaded.add(script.sha);
          return reply;
        });
      }
      return client.evalSha(script.sha, options).catch((error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(script.lua, options);
      });
    },
  };
}
