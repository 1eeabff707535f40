import { describe, expect, it } from "vitest";
import type { NodeRedisEvalOptions, NodeRedisLike } from "./nodeRedisRunner.js";
import { redisStore } from "./redisStore.js";

// What the store sends and reads for `retryWindowMs` and `versions`, without a server
// (the scripts run against a real redis-server in retry.test.ts).

/** A node-redis-shaped client answering every script with `reply`, recording the arguments. */
function fake(reply: unknown = "claimed") {
  const sent: string[][] = [];
  const run = async (_script: string, options: NodeRedisEvalOptions) => {
    sent.push([...(options.arguments ?? [])]);
    return reply;
  };
  const client: NodeRedisLike = { eval: run, evalSha: run };
  return { store: redisStore({ client }), sent };
}

const request = { token: "t", leaseMs: 45_000, mode: "latest", fingerprint: "fp" } as const;

describe("redisStore: the retry window and versions on the wire", () => {
  it("sends the window (whole ms) and the versions flag only when asked", async () => {
    const { store, sent } = fake();
    await store.claim("k", request);
    await store.claim("k", { ...request, retryWindowMs: 1_800_000.2, versions: true });
    await store.claim("k", { ...request, versions: true });
    await store.claim("k", { ...request, retryWindowMs: 0 });
    await store.claim("k", { ...request, retryWindowMs: -5, versions: false });
    expect(sent).toEqual([
      ["t", "45000", "latest", "1", "fp"],
      ["t", "45000", "latest", "1", "fp", "1800001", "1"],
      ["t", "45000", "latest", "1", "fp", "0", "1"],
      ["t", "45000", "latest", "1", "fp", "0", "0"],
      ["t", "45000", "latest", "1", "fp", "0", "0"],
    ]);
  });

  it("rejects a window that is not a finite number, sending nothing", async () => {
    const { store, sent } = fake();
    for (const retryWindowMs of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.claim("k", { ...request, retryWindowMs })).rejects.toThrow(
        /`retryWindowMs` must be a finite number/,
      );
    }
    expect(sent).toEqual([]);
  });

  it.each([
    ["reclaimed", "reclaimed"],
    ["claimed 1", { result: "claimed", version: 1 }],
    ["reclaimed 12", { result: "reclaimed", version: 12 }],
    ["duplicate 3", { result: "duplicate", version: 3 }],
    [Buffer.from("claimed 2"), { result: "claimed", version: 2 }],
  ])("reads the claim reply %s", async (reply, expected) => {
    expect(await fake(reply).store.claim("k", request)).toEqual(expected);
  });

  it.each([
    "claimed 0",
    "claimed 01",
    "claimed -1",
    "claimed 1.5",
    "in_progress 2",
    "claimed  2",
    "claimed 2 ",
    "Reclaimed",
    "claimed 9999999999999999",
  ])("rejects the claim reply %j", async (reply) => {
    await expect(fake(reply).store.claim("k", request)).rejects.toThrow(
      `fineguide-webhooks/redis: unexpected reply to claim: ${reply}`,
    );
  });
});
