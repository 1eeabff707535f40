import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { Logger } from "./logger.js";
import { resolveOptions, type WebhooksOptions } from "./options.js";

const SECRET = "s3cr3t-for-option-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const message = { type: "MESSAGE", botId, sessionId, role: "USER", message: "Hi", messageId };
const post = (body: unknown) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET },
  body: JSON.stringify(body),
});
const store = () => memoryStore({ max: 10 });
const resolve = (options: Partial<WebhooksOptions> = {}) =>
  resolveOptions({ secret: SECRET, dedupe: store(), ...options });

describe("option defaults", () => {
  it("fills in the contract's defaults", () => {
    const o = resolve();
    expect({
      header: o.header,
      ttlMs: o.ttlMs,
      leaseMs: o.leaseMs,
      deadlineMs: o.deadlineMs,
      maxBodyBytes: o.maxBodyBytes,
      maxDepth: o.maxDepth,
      strict: o.strict,
      failOpen: o.failOpen,
      debug: o.debug,
    }).toEqual({
      header: "x-webhook-secret",
      ttlMs: 30 * 60_000,
      leaseMs: 45_000,
      deadlineMs: 25_000,
      maxBodyBytes: 1024 * 1024,
      maxDepth: 64,
      strict: false,
      failOpen: false,
      debug: false,
    });
    expect(o.secrets?.match(SECRET)).toBe(0);
    expect(o.secrets?.match("other")).toBe(-1);
  });

  it("keeps what is given, with the header name in lower case", () => {
    const o = resolve({
      header: "X-FineGuide-Auth",
      dedupeTtlMs: 40 * 60_000,
      leaseMs: 50_000,
      deadlineMs: 20_000,
      maxBodyBytes: 4096,
      maxDepth: 8,
      strict: true,
      onStoreError: "open",
    });
    expect([o.header, o.ttlMs, o.leaseMs, o.deadlineMs, o.maxBodyBytes, o.maxDepth]).toEqual([
      "x-fineguide-auth",
      40 * 60_000,
      50_000,
      20_000,
      4096,
      8,
    ]);
    expect([o.strict, o.failOpen]).toEqual([true, true]);
  });

  it("takes only true as strict and only 'open' as failing open", () => {
    const o = resolve({
      strict: "yes" as unknown as boolean,
      onStoreError: "closed",
    });
    expect([o.strict, o.failOpen]).toEqual([false, false]);
  });

  it("uses the store given, a memory store by default, and none with dedupe: false", () => {
    const given: DedupeStore = store();
    expect(resolve({ dedupe: given }).store).toBe(given);
    expect(resolveOptions({ secret: SECRET }).store).toBeDefined();
    expect(resolve({ dedupe: false }).store).toBeUndefined();
  });

  it("needs a secret unless unauthenticated requests are allowed explicitly", () => {
    expect(() => resolveOptions({ dedupe: false })).toThrow(/`secret` is missing or empty/);
    expect(() =>
      resolveOptions({ dedupe: false, allowUnauthenticated: "yes" as unknown as boolean }),
    ).toThrow(TypeError);
    const open = resolveOptions({ dedupe: false, allowUnauthenticated: true });
    expect(open.secrets).toBeUndefined();
  });

  it("overrides only the key functions given", () => {
    const MESSAGE = () => "k";
    const o = resolve({ dedupeKeys: { MESSAGE } });
    expect(o.keys.MESSAGE).toBe(MESSAGE);
    expect(typeof o.keys.TICKET).toBe("function");
    expect(o.keys.TICKET).not.toBe(MESSAGE);
  });
});

describe("option checks", () => {
  it.each(["dedupeTtlMs", "leaseMs", "deadlineMs", "maxBodyBytes", "maxDepth"] as const)(
    "refuses %s of 0, a negative number, NaN or Infinity, naming it",
    (name) => {
      for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => resolve({ [name]: value })).toThrow(RangeError);
        expect(() => resolve({ [name]: value })).toThrow(`\`${name}\` must be a positive number`);
      }
    },
  );

  it("takes a maxDepth of 1 and any whole number up to 1000", () => {
    expect(resolve({ maxDepth: 1 }).maxDepth).toBe(1);
    expect(resolve({ maxDepth: 1000 }).maxDepth).toBe(1000);
    expect(() => resolve({ maxDepth: 999.5 })).toThrow(
      "`maxDepth` must be a whole number from 1 to 1000",
    );
  });

  it("takes the shortest lease longer than the deadline, and a deadline just under 30 s", () => {
    expect(resolve({ deadlineMs: 100, leaseMs: 100.5 }).leaseMs).toBe(100.5);
    expect(resolve({ deadlineMs: 29_999.9, leaseMs: 59_999.9 }).deadlineMs).toBe(29_999.9);
  });
});

describe("the logger option", () => {
  const recording = (extra: Partial<Logger> & { isLevelEnabled?: (level: string) => boolean }) => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: (_o, msg) => void lines.push(`debug ${msg}`),
      info: (_o, msg) => void lines.push(`info ${msg}`),
      warn: (_o, msg) => void lines.push(`warn ${msg}`),
      error: (_o, msg) => void lines.push(`error ${msg}`),
      ...extra,
    };
    return { logger, lines };
  };

  it("logs debug lines to a logger that cannot say whether debug is on", async () => {
    const { logger, lines } = recording({});
    const webhooks = createWebhooks({ secret: SECRET, dedupe: store(), logger });
    await webhooks.receive(post(message));
    await webhooks.receive(post(message));
    expect(lines).toEqual([
      "debug fineguide-webhooks: processed",
      "debug fineguide-webhooks: duplicate",
    ]);
  });

  it("asks a pino-style logger whether debug is on, as a method of that logger", async () => {
    const asked: unknown[] = [];
    const { logger, lines } = recording({
      isLevelEnabled(this: unknown, level: string) {
        asked.push([this === logger, level]);
        return false;
      },
    });
    const webhooks = createWebhooks({ secret: SECRET, dedupe: store(), logger });
    await webhooks.receive(post(message));
    expect(lines).toEqual([]);
    expect(asked).toEqual([[true, "debug"]]);
    expect(resolve({ logger: { ...logger, isLevelEnabled: () => true } as Logger }).debug).toBe(
      true,
    );
  });

  it("never calls a logger that throws in a way that reaches the answer", async () => {
    const { logger } = recording({
      error: () => {
        throw new Error("logger broke");
      },
    });
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: store(),
      logger,
      onMessage: () => {
        throw new Error("handler broke");
      },
    });
    expect((await webhooks.receive(post(message))).outcome).toBe("handler_failed");
  });
});
