import { createWebhooks } from "@fineguide-webhooks/core";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { type RunningServer, startServer } from "../testSupport/servers.js";
import {
  type DeliveryAttempt,
  simulateDelivery,
  VENDOR_RETRY_DELAYS_MS,
  VENDOR_TIMEOUT_MS,
} from "./simulateDelivery.js";

/* 1 min = 6 ms: the whole policy (1 + 5 + 15 min) takes about 126 ms. */
const SCALE = 0.0001;
/* Answers on loopback never take this long; only hanging receivers reach it. */
const GENEROUS_TIMEOUT = 5_000;

interface Hit {
  readonly at: number;
  readonly secret: string | undefined;
  readonly body: string;
}

describe("simulateDelivery", () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  /** A receiver that answers 500 to the first `failures` attempts, then 200. */
  async function flaky(failures: number) {
    const hits: Hit[] = [];
    const server = await startServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      const secret = req.headers["x-webhook-secret"];
      hits.push({ at: performance.now(), secret: secret as string | undefined, body });
      if (hits.length <= failures) res.writeHead(500).end("boom");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    servers.push(server);
    return { ...server, hits };
  }

  it.each([0, 1, 2, 3])("delivers after %i failed attempts", async (failures) => {
    const receiver = await flaky(failures);
    const event = createEvent("TICKET");
    const result = await simulateDelivery({
      url: receiver.url,
      event,
      secret: "s3cret",
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
    });
    expect(result.delivered).toBe(true);
    expect(result.givenUp).toBe(false);
    expect(result.attempts.map((a) => a.status)).toEqual([...Array(failures).fill(500), 200]);
    expect(result.attempts.map((a) => a.attempt)).toEqual(
      Array.from({ length: failures + 1 }, (_, i) => i + 1),
    );
    expect(result.attempts.map((a) => a.delayMs)).toEqual(
      [0, ...VENDOR_RETRY_DELAYS_MS].slice(0, failures + 1).map((ms) => ms * SCALE),
    );
    expect(result.attempts.at(-1)).toMatchObject({ ok: true, body: '{"ok":true}' });
    // The same delivery every time: POST, the secret, the same JSON.
    expect(receiver.hits).toHaveLength(failures + 1);
    for (const hit of receiver.hits) {
      expect(hit).toMatchObject({ secret: "s3cret", body: JSON.stringify(event) });
    }
  });

  it("gives up after four failed attempts (the first and three retries)", async () => {
    const receiver = await flaky(4);
    const seen: DeliveryAttempt[] = [];
    const result = await simulateDelivery({
      url: receiver.url,
      event: createEvent("MESSAGE"),
      secret: "s3cret",
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
      onAttempt: (attempt) => seen.push(attempt),
    });
    expect(result).toMatchObject({ delivered: false, givenUp: true });
    expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
    expect(result.attempts.map((a) => (a.error === undefined ? a.body : a.message))).toEqual(
      Array(4).fill("boom"),
    );
    expect(seen).toEqual(result.attempts);
    expect(receiver.hits).toHaveLength(4);
  });

  it("waits at least the scaled 1, 5 and 15 minutes between attempts (real timers)", async () => {
    const receiver = await flaky(4);
    await simulateDelivery({
      url: receiver.url,
      event: createEvent("MESSAGE"),
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
    });
    const gaps = receiver.hits.slice(1).map((hit, i) => hit.at - receiver.hits[i]!.at);
    VENDOR_RETRY_DELAYS_MS.forEach((delay, i) => {
      // A lower bound only (timers may round by a millisecond), never an upper one.
      expect(gaps[i]).toBeGreaterThanOrEqual(delay * SCALE - 1);
    });
  });

  it("counts a receiver that hangs past the timeout as failed, and retries", async () => {
    let calls = 0;
    const server = await startServer((_req, res) => {
      calls++;
      if (calls >= 2) res.writeHead(200).end("ok");
      // The first attempt is never answered.
    });
    servers.push(server);
    const result = await simulateDelivery({
      url: server.url,
      event: createEvent("SESSION_OPEN"),
      timeScale: SCALE,
      timeoutMs: 1_000, // the second attempt is answered at once, well within it
    });
    expect(result.delivered).toBe(true);
    expect(result.attempts[0]).toMatchObject({ ok: false, error: "timeout" });
    expect(result.attempts[0]!.durationMs).toBeGreaterThanOrEqual(999);
    expect(result.attempts[1]).toMatchObject({ ok: true, status: 200 });
  });

  it("gives up on a receiver that always hangs; the timeout is 30 s scaled by default", async () => {
    const server = await startServer(() => {});
    servers.push(server);
    const scale = SCALE; // the 30 s timeout becomes 3 ms
    const result = await simulateDelivery({
      url: server.url,
      event: createEvent("SESSION_CLOSED"),
      timeScale: scale,
    });
    expect(result.givenUp).toBe(true);
    expect(result.attempts).toHaveLength(4);
    for (const attempt of result.attempts) {
      expect(attempt).toMatchObject({
        ok: false,
        error: "timeout",
        message: "no answer within 3 ms",
      });
      expect(attempt.durationMs).toBeGreaterThanOrEqual(VENDOR_TIMEOUT_MS * scale - 1);
    }
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const target = await flaky(0);
    const redirect = await startServer((_req, res) => {
      res.writeHead(307, { location: target.url }).end();
    });
    servers.push(redirect);
    const result = await simulateDelivery({
      url: redirect.url,
      event: createEvent("MESSAGE"),
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
    });
    expect(result.attempts.map((a) => a.status)).toEqual([307, 307, 307, 307]);
    expect(target.hits).toEqual([]);
  });

  it("counts a refused connection as a failed attempt", async () => {
    const server = await startServer(() => {});
    const url = server.url;
    await server.close();
    const result = await simulateDelivery({
      url,
      event: createEvent("MESSAGE"),
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
    });
    expect(result.givenUp).toBe(true);
    expect(result.attempts.map((a) => a.error)).toEqual([
      "network",
      "network",
      "network",
      "network",
    ]);
    expect(result.attempts[0]).toMatchObject({ message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("delivers through any fetch-like, e.g. Hono's app.request", async () => {
    let calls = 0;
    const webhooks = createWebhooks({ secret: "s3cret", onTicket: () => {} });
    const app = new Hono().post("/webhook", async (c) => {
      if (++calls === 1) return c.text("not yet", 503);
      const answer = await webhooks.receive({
        method: c.req.method,
        headers: c.req.raw.headers,
        body: () => c.req.text(),
      });
      return c.body(answer.body, answer.status as 200, answer.headers);
    });
    const result = await simulateDelivery({
      fetch: (url, init) => Promise.resolve(app.request(url, init)),
      event: createEvent("TICKET"),
      secret: "s3cret",
      timeScale: SCALE,
      timeoutMs: GENEROUS_TIMEOUT,
    });
    expect(result.attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it("stops when its signal aborts", async () => {
    const receiver = await flaky(4);
    const controller = new AbortController();
    const run = simulateDelivery({
      url: receiver.url,
      event: createEvent("MESSAGE"),
      timeScale: 1, // the first retry would be a real minute away
      timeoutMs: GENEROUS_TIMEOUT,
      signal: controller.signal,
      onAttempt: () => controller.abort(new Error("test over")),
    });
    await expect(run).rejects.toThrow("test over");
    expect(receiver.hits).toHaveLength(1);
  });

  it("rejects a bad timeScale or a missing target", async () => {
    const event = createEvent("MESSAGE");
    await expect(simulateDelivery({ url: "http://x", event, timeScale: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(simulateDelivery({ event })).rejects.toThrow(/url/);
  });
});
