import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { ClaimResult, DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { Logger } from "./logger.js";

const SECRET = "s3cr3t-for-store-tests";
const message = JSON.stringify({
  type: "MESSAGE",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  role: "USER",
  message: "Hi",
  messageId: "733b7d55-61ea-450f-b585-27755b015596",
});
const post = { method: "POST", headers: { "x-webhook-secret": SECRET }, body: message };

describe("a store whose claim answers something else than its three results", () => {
  // A custom store's bug (a missing `return`, a driver's raw reply) must not pass for
  // "duplicate": the vendor would stop retrying an event no handler ever ran.
  const odd = (answer: unknown): DedupeStore => ({
    ...memoryStore({ max: 10 }),
    claim: () => answer as ClaimResult,
  });

  it.each([
    ["undefined, resolved", Promise.resolve(undefined)],
    ["undefined", undefined],
    ["null", null],
    ["a raw reply", Promise.resolve(1)],
    ["a misspelled result", "Duplicate"],
  ])("answers 503 store_unavailable for %s, runs nothing and logs it", async (_, answer) => {
    const errors: unknown[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (obj) => void errors.push(obj.err),
    };
    let ran = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: odd(answer),
      logger,
      onMessage: () => void ran++,
    });
    const res = await webhooks.receive(post);
    expect(res.status).toBe(503);
    expect(res.outcome).toBe("store_unavailable");
    expect(ran).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect((errors[0] as Error).message).toMatch(
      /claim answered .*, not "claimed", "duplicate" or "in_progress"/,
    );
  });

  it.each([
    ["a string, quoted", "Duplicate", '"Duplicate"'],
    ["an object, as JSON", { result: "maybe", version: 1 }, '{"result":"maybe","version":1}'],
    ["an object JSON cannot write, as text", { toJSON: () => 1n }, "[object Object]"],
    ["null", null, "null"],
    ["a symbol, as text", Symbol("odd"), "Symbol(odd)"],
    ["a number", 1, "1"],
  ])("names the odd answer in its error: %s", async (_, answer, named) => {
    const errors: unknown[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: odd(answer),
      logger: { debug() {}, info() {}, warn() {}, error: (obj) => void errors.push(obj.err) },
    });
    expect((await webhooks.receive(post)).outcome).toBe("store_unavailable");
    expect((errors[0] as Error).message).toContain(`claim answered ${named}, not`);
  });

  it("runs the handlers without deduplication when the store fails open", async () => {
    let ran = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: odd(undefined),
      onStoreError: "open",
      onMessage: () => void ran++,
    });
    expect((await webhooks.receive(post)).outcome).toBe("processed");
    expect(ran).toBe(1);
  });
});

describe("a store whose claim throws instead of answering", () => {
  it("answers 503 store_unavailable and logs the store's own error", async () => {
    const errors: unknown[] = [];
    const broken = new Error("driver threw");
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: {
        ...memoryStore({ max: 10 }),
        claim: () => {
          throw broken;
        },
      },
      logger: { debug() {}, info() {}, warn() {}, error: (obj) => void errors.push(obj.err) },
    });
    expect((await webhooks.receive(post)).outcome).toBe("store_unavailable");
    expect(errors).toEqual([broken]);
  });
});
