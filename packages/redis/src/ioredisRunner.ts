import type { ScriptRunner } from "./ScriptRunner.js";
import type { DedupeScript } from "./scripts.js";

/**
 * The part of an `ioredis` `Redis` or `Cluster` the store uses: `defineCommand`,
 * which sends EVALSHA and falls back to EVAL on NOSCRIPT by itself.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const client: IORedisLike = new Redis(process.env.REDIS_URL!);
 * ```
 */
export interface IORedisLike {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

type DefinedCommand = (key: string, ...args: string[]) => Promise<unknown>;

/** True for an ioredis client (it has `defineCommand`). */
export function isIORedis(client: object): client is IORedisLike {
  return typeof (client as Partial<IORedisLike>).defineCommand === "function";
}

/**
 * Adapter for ioredis: each script becomes a custom command on the client,
 * named after the script's SHA so two versions of this package never clash.
 */
export function ioredisRunner(client: IORedisLike): ScriptRunner {
  const commands = new Map<string, DefinedCommand>();

  const command = (script: DedupeScript): DefinedCommand => {
    let fn = commands.get(script.name);
    if (fn) return fn;
    const name = `fineguideWebhooks_${script.name}_${script.sha.slice(0, 12)}`;
    if (typeof Reflect.get(client, name) !== "function") {
      client.defineCommand(name, { lua: script.lua, numberOfKeys: 1 });
    }
    fn = Reflect.get(client, name) as DefinedCommand;
    commands.set(script.name, fn);
    return fn;
  };

  return {
    run: (script, key, args) => command(script).call(client, key, ...args),
  };
}
