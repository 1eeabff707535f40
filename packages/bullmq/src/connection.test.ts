import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { connectionFromUrl, isClient, producerConnection } from "./connection.js";

describe("connectionFromUrl", () => {
  it("reads host and port, with Redis's defaults for what the URL leaves out", () => {
    expect(connectionFromUrl("redis://10.0.0.5:6380")).toEqual({ host: "10.0.0.5", port: 6380 });
    expect(connectionFromUrl("redis://cache.internal")).toEqual({
      host: "cache.internal",
      port: 6379,
    });
    expect(connectionFromUrl("redis://")).toEqual({ host: "127.0.0.1", port: 6379 });
  });

  it("takes an IPv6 host without its brackets", () => {
    expect(connectionFromUrl("redis://[::1]:6390")).toEqual({ host: "::1", port: 6390 });
  });

  it("reads user and password, percent-decoded", () => {
    expect(connectionFromUrl("redis://app%40eu:p%3Ass%2Fw0rd@127.0.0.1:6379")).toEqual({
      host: "127.0.0.1",
      port: 6379,
      username: "app@eu",
      password: "p:ss/w0rd",
    });
    expect(connectionFromUrl("redis://:s3cret@127.0.0.1:6380/2")).toEqual({
      host: "127.0.0.1",
      port: 6380,
      password: "s3cret",
      db: 2,
    });
  });

  it("reads the database number, and refuses a path that is not one", () => {
    expect(connectionFromUrl("redis://127.0.0.1/15").db).toBe(15);
    expect(connectionFromUrl("redis://127.0.0.1/").db).toBeUndefined();
    expect(() => connectionFromUrl("redis://127.0.0.1/queue")).toThrow(
      new TypeError('"queue" in the Redis URL is not a database number.'),
    );
  });

  it("turns TLS on for rediss:", () => {
    expect(connectionFromUrl("rediss://:pw@redis.example.com:6380")).toEqual({
      host: "redis.example.com",
      port: 6380,
      password: "pw",
      tls: {},
    });
    expect(connectionFromUrl("redis://redis.example.com").tls).toBeUndefined();
  });

  it("refuses another scheme, naming the scheme only", () => {
    expect(() => connectionFromUrl("http://:pw@127.0.0.1:6379")).toThrow(
      new TypeError('"http:" is not redis: or rediss: (e.g. redis://127.0.0.1:6379).'),
    );
  });

  it("refuses what is not a URL without repeating it: a mistyped URL still holds its password", () => {
    let error: unknown;
    try {
      connectionFromUrl("redis//:hunter2-secret@127.0.0.1:6379");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      "The Redis URL is not a URL (e.g. redis://127.0.0.1:6379).",
    );
    expect(String((error as Error).stack)).not.toContain("hunter2");
  });
});

describe("isClient", () => {
  it("tells a client instance from connection options", () => {
    const client = new Redis({ lazyConnect: true });
    try {
      expect(isClient(client)).toBe(true);
      expect(isClient({ host: "127.0.0.1", port: 6379 })).toBe(false);
      // what node-redis clients have
      expect(isClient({ sendCommand: () => {} } as never)).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

describe("producerConnection", () => {
  it("turns the offline queue off and reconnects every 100 ms to 1 s while open", () => {
    const options = producerConnection({ host: "127.0.0.1", port: 6379 }, () => false) as {
      enableOfflineQueue?: boolean;
      retryStrategy: (times: number) => number | null;
      host: string;
    };
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.host).toBe("127.0.0.1");
    expect([1, 2, 5, 10, 50].map(options.retryStrategy)).toEqual([100, 200, 500, 1000, 1000]);
  });

  it("keeps the user's own retry strategy and offline queue choice, and stops retrying once closed", () => {
    let closed = false;
    const options = producerConnection(
      { host: "127.0.0.1", enableOfflineQueue: true, retryStrategy: (times) => times * 7 },
      () => closed,
    ) as { enableOfflineQueue?: boolean; retryStrategy: (times: number) => number | null };
    expect(options.enableOfflineQueue).toBe(true);
    expect(options.retryStrategy(3)).toBe(21);
    closed = true;
    expect(options.retryStrategy(3)).toBeNull();
  });

  it("hands a client instance back as it is", () => {
    const client = new Redis({ lazyConnect: true });
    try {
      expect(producerConnection(client, () => false)).toBe(client);
    } finally {
      client.disconnect();
    }
  });
});
