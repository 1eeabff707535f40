import { randomUUID } from "node:crypto";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisClientLike, redisStore } from "./redisStore.js";
import { type RedisServer, redisServerAvailable, startRedisServer } from "./test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/redis cluster test");

describe.skipIf(!available)("redisStore on Redis Cluster (a one-node cluster)", () => {
  let server: RedisServer;
  let io: Cluster;
  let node: ReturnType<typeof createCluster>;

  beforeAll(async () => {
    server = await startRedisServer({ cluster: true });
    // The fail-fast settings the README recommends for a Cluster.
    io = new Cluster([{ host: "127.0.0.1", port: server.port }], {
      enableOfflineQueue: false,
      redisOptions: {
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: 1000,
      },
    });
    io.on("error", () => {});
    await new Promise((resolve) => io.once("ready", resolve));
    node = createCluster({ rootNodes: [{ url: server.url }] });
    node.on("error", () => {});
    await node.connect();
  }, 30_000);

  afterAll(async () => {
    io?.disconnect();
    await node?.destroy();
    await server?.stop();
  });

  it.each([
    ["ioredis Cluster", () => io],
    ["node-redis cluster", () => node],
  ] as const)(
    "%s: every operation runs (single-key scripts), latest mode included",
    async (_, get) => {
      const s = redisStore({ client: get() as RedisClientLike, prefix: `{c}:${randomUUID()}:` });
      for (const key of ["bot:MESSAGE:1", "bot:RATE_MESSAGE:2", randomUUID()]) {
        const claimed = await s.claim(key, {
          token: "a",
          leaseMs: 60_000,
          mode: "latest",
          fingerprint: "A",
        });
        expect(claimed).toBe("claimed");
        expect(await s.renew(key, "a", 60_000)).toBe(true);
        expect(await s.complete(key, "a", { ttlMs: 60_000 })).toBe(true);
        expect(
          await s.claim(key, { token: "b", leaseMs: 60_000, mode: "latest", fingerprint: "B" }),
        ).toBe("claimed");
        expect(await s.renew(key, "b", 60_000)).toBe(true);
        expect(await s.release(key, "b")).toBe(true);
        expect(
          await s.claim(key, { token: "c", leaseMs: 60_000, mode: "latest", fingerprint: "A" }),
        ).toBe("duplicate");
        expect(await s.claim(key, { token: "d", leaseMs: 60_000, mode: "once" })).toBe("duplicate");
      }
    },
  );
});
