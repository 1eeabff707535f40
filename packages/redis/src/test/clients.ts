import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike } from "../redisStore.js";

/** A client of either kind, as the tests and the bench use it. */
export interface TestClient {
  readonly kind: "ioredis" | "node-redis";
  /** The object handed to `redisStore({ client })`. */
  readonly client: RedisClientLike;
  /** Raw commands, for counting side effects and looking at keys. */
  command(args: readonly string[]): Promise<unknown>;
  /** Resolves once a PING succeeds (after a restart of the server). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilPing(ping: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ping();
      return;
    } catch (error) {
      if (attempt > 400) throw error;
      await sleep(25);
    }
  }
}

/**
 * An ioredis client configured as the README says: no offline queue, no
 * retry or resend of a command, a command timeout; reconnects every 50 ms.
 */
export async function ioredisClient(url: string): Promise<TestClient> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 1000,
    connectTimeout: 1000,
    retryStrategy: () => 50,
  });
  client.on("error", () => {});
  await client.connect();
  return {
    kind: "ioredis",
    client,
    command: ([name, ...args]) => client.call(name!, ...args),
    ready: () => untilPing(() => client.ping()),
    close: async () => {
      client.disconnect();
    },
  };
}

/**
 * A node-redis client configured as the README says: offline queue disabled,
 * a command timeout, a connect timeout; reconnects every 50 ms.
 */
export async function nodeRedisClient(url: string): Promise<TestClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: 1000 },
    socket: { connectTimeout: 1000, reconnectStrategy: 50 },
  });
  client.on("error", () => {});
  await client.connect();
  return {
    kind: "node-redis",
    client,
    command: (args) => client.sendCommand([...args]),
    ready: () => untilPing(() => client.ping()),
    close: async () => {
      client.destroy();
    },
  };
}

/** Both kinds, for `describe.each`. */
export const CLIENT_KINDS = [
  { kind: "ioredis", connect: ioredisClient },
  { kind: "node-redis", connect: nodeRedisClient },
] as const;
