import { once } from "node:events";
import { Redis } from "ioredis";

/**
 * An ioredis client for the child processes' own counters, configured as the
 * Redis store's README says (no offline queue, no resend, a command timeout).
 * Not the Redis store's `test/clients.ts`: that one also loads node-redis,
 * which costs each child process a quarter of a second of CPU.
 */
export async function counterClient(url: string): Promise<Redis> {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 5_000,
    retryStrategy: () => 50,
  });
  client.on("error", () => {});
  await once(client, "ready");
  return client;
}
