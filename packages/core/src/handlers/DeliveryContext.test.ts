import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "../createWebhooks.js";
import type { WebhookContext } from "./types.js";

const SECRET = "s3cr3t-for-context-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const rate = (rating: 1 | -1, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "RATE_MESSAGE", botId, sessionId, messageId, rating, ...extra });
const post = (body: unknown) => ({ method: "POST", headers: { "x-webhook-secret": SECRET }, body });

const capture = () => {
  const seen: WebhookContext[] = [];
  const webhooks = createWebhooks({
    secret: SECRET,
    onRateMessage: (_e, ctx) => void seen.push(ctx),
    onMessage: async (_e, ctx) => {
      seen.push(ctx);
      await sleep(30);
    },
  });
  return { webhooks, seen };
};

describe("ctx", () => {
  it("eventId: stable across retries of a version, different between versions", async () => {
    const a = capture();
    const b = capture(); // another process: the same id for the same version
    await a.webhooks.receive(post(rate(1)));
    await a.webhooks.receive(post(rate(-1)));
    await b.webhooks.receive(post(rate(1, { addedByTheVendor: true })));
    const [up, down] = a.seen;
    expect(up!.eventId).not.toBe(down!.eventId);
    expect(b.seen[0]!.eventId).toBe(up!.eventId);
    expect(up!.dedupeKey).toBe(down!.dedupeKey);
    expect(up!.eventId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("rawBody: the text or bytes as received; undefined for a body parsed upstream", async () => {
    const { webhooks, seen } = capture();
    const text = rate(1);
    await webhooks.receive(post(text));
    const bytes = new TextEncoder().encode(rate(-1));
    await webhooks.receive(post(Buffer.from(bytes)));
    await webhooks.receive(post(JSON.parse(rate(1, { v: 2 }))));
    expect(seen[0]!.rawBody).toBe(text);
    expect(new TextDecoder().decode(seen[1]!.rawBody as Uint8Array)).toBe(rate(-1));
    expect(seen[2]!.rawBody).toBeUndefined();
  });

  it("timeLeft() and deadlineAt count down from arrival", async () => {
    const { webhooks, seen } = capture();
    const receivedAt = Date.now() - 5_000;
    const body = JSON.stringify({
      type: "MESSAGE",
      botId,
      sessionId,
      role: "USER",
      message: "m",
      messageId,
    });
    await webhooks.receive({ ...post(body), receivedAt });
    const ctx = seen[0]!;
    expect(ctx.deadlineAt).toBe(receivedAt + 25_000);
    expect(ctx.timeLeft()).toBeLessThanOrEqual(20_000);
    expect(ctx.timeLeft()).toBeGreaterThan(19_000);
    expect(ctx.attempt).toBeUndefined();
    expect(ctx.request).toBeUndefined();
  });

  it("logger: a pino child bound to the delivery id and type, never with the secret", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).trim().split("\n")) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    const webhooks = createWebhooks({
      secret: SECRET,
      logger,
      onRateMessage: (_e, ctx) => ctx.logger.info({ step: "crm" }, "synced"),
      onTicket: () => {
        throw new Error("helpdesk down");
      },
    });
    await webhooks.receive(post(rate(1)));
    const ticket = JSON.stringify({
      type: "TICKET",
      botId,
      sessionId,
      customerName: "Ann",
      customerEmail: "a@b.c",
      customerMessage: "help",
    });
    await webhooks.receive(post(ticket));
    await sleep(10);
    const synced = lines.find((l) => l.msg === "synced");
    expect(synced).toMatchObject({ step: "crm", type: "RATE_MESSAGE" });
    expect(typeof synced?.deliveryId).toBe("string");
    const failed = lines.find((l) => l.msg === "fineguide-webhooks: handler failed");
    expect(failed).toMatchObject({ type: "TICKET", err: { message: "helpdesk down" } });
    expect(typeof failed?.deliveryId).toBe("string");
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
