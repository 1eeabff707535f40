import type { ConnectionOptions, RedisOptions } from "bullmq";

/**
 * ioredis connection options for a `redis://` or `rediss://` URL (host, port,
 * user, password, database number, TLS), for BullMQ's `connection` option,
 * which takes options or a client but not a URL in every BullMQ version.
 *
 * @example
 * ```ts
 * connectionFromUrl("redis://:s3cret@127.0.0.1:6380/2");
 * // { host: "127.0.0.1", port: 6380, password: "s3cret", db: 2 }
 * ```
 */
export function connectionFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: a mistyped URL (redis//:password@host) still holds its password.
    throw new TypeError("The Redis URL is not a URL (e.g. redis://127.0.0.1:6379).");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(
      `"${parsed.protocol}" is not redis: or rediss: (e.g. redis://127.0.0.1:6379).`,
    );
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "") {
    if (!/^\d+$/.test(db))
      throw new TypeError(`"${db}" in the Redis URL is not a database number.`);
    options.db = Number(db);
  }
  if (parsed.protocol === "rediss:") options.tls = {};
  return options;
}

/** Whether `connection` is a client instance (ioredis, node-redis, ...) rather than options. */
export function isClient(connection: ConnectionOptions): boolean {
  const c = connection as { connect?: unknown; duplicate?: unknown; sendCommand?: unknown };
  return typeof c.duplicate === "function" || typeof c.sendCommand === "function";
}

/**
 * Options for the connection that adds jobs: without an offline queue, so
 * that while Redis is away `add()` rejects at once (the delivery is answered
 * 5xx and the vendor retries) instead of waiting for a reconnection;
 * reconnecting every 100 ms to 1 s (BullMQ's default backs off to 20 s, which
 * would keep refusing deliveries long after Redis is back), and no more once
 * `closed()` says so (a connection closed while Redis is away would
 * otherwise retry forever). A client instance is used as it is (configure it
 * so yourself; see the README).
 */
export function producerConnection(
  connection: ConnectionOptions,
  closed: () => boolean,
): ConnectionOptions {
  if (isClient(connection)) return connection;
  const options = connection as RedisOptions;
  const retry = options.retryStrategy ?? ((times: number) => Math.min(times * 100, 1_000));
  return {
    enableOfflineQueue: false,
    ...options,
    retryStrategy: (times: number) => (closed() ? null : retry(times)),
  };
}
