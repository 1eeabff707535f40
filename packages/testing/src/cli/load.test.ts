import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type AnyEvent, createWebhooks, type Webhooks } from "@fineguide-webhooks/core";
import { fineguideWebhook as expressWebhook } from "@fineguide-webhooks/express";
import { fineguideWebhook as fastifyWebhook } from "@fineguide-webhooks/fastify";
import { fineguideWebhook as honoWebhook } from "@fineguide-webhooks/hono";
import { createAdaptorServer } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli } from "../testSupport/cli.js";
import { kitServer, type RunningServer, startServer } from "../testSupport/servers.js";
import { load as loadCommand } from "./load.js";
import type { LoadSummary } from "./loadSummary.js";

const SECRET = "load-secret";
type Json = LoadSummary & { events: number; twinned: number; url: string };

/** A Node server on a free loopback port, closed by the returned function. */
async function listening(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The kit on each framework, mounted as its README says, on a real socket. */
const frameworks: Record<string, (webhooks: Webhooks) => Promise<RunningServer>> = {
  express: (webhooks) => {
    const app = express();
    app.all("/webhook", expressWebhook(webhooks));
    return listening(app.listen(0, "127.0.0.1"));
  },
  hono: (webhooks) =>
    listening(
      createAdaptorServer({
        fetch: new Hono().all("/webhook", honoWebhook(webhooks)).fetch,
      }) as Server,
    ),
  fastify: async (webhooks) => {
    const app = Fastify();
    await app.register(fastifyWebhook, { webhooks, path: "/webhook" });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/webhook`, close: () => app.close() };
  },
};

describe("fineguide-webhooks load", { timeout: 60_000 }, () => {
  const servers: RunningServer[] = [];
  beforeAll(assertBuilt);
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  const load = (url: string, args: string[]) =>
    runCli([
      "load",
      "--url",
      url,
      "--secret",
      SECRET,
      "--connections",
      "8",
      "--seed",
      "42",
      "--time-scale",
      "0.002",
      ...args,
    ]);

  it.each(Object.keys(frameworks))(
    "drives the kit on %s: every valid event handled once, repeats answered as duplicates, exit 0",
    async (name) => {
      const handled: AnyEvent[] = [];
      const webhooks = createWebhooks({
        secret: SECRET,
        // A handler that takes a moment, so twins sent at once overlap.
        onAny: async (event) => {
          await sleep(2);
          handled.push(event);
        },
      });
      const server = await frameworks[name]!(webhooks);
      servers.push(server);

      const run = await load(server.url, ["--events", "200", "--json"]);
      expect(run.stderr).toBe("");
      const out = JSON.parse(run.stdout) as Json;
      expect(run.code, out.failures.join(" ")).toBe(0);
      expect(out).toMatchObject({
        events: 200,
        twinned: 19,
        pass: true,
        valid5xx: 0,
        lostEvents: 0,
        noAnswer: 0,
        malformedOk: 0,
      });
      expect(out.deliveries).toBe(238);
      expect(out.rows.map((r) => r.label)).toEqual(
        expect.arrayContaining([
          "MESSAGE",
          "SESSION_OPEN",
          "SESSION_CLOSED",
          "TICKET",
          "CREATE_LEAD",
          "RATE_MESSAGE",
          "MESSAGE_AUDIO_URL",
          "VARIABLE_UPDATE",
        ]),
      );
      for (const row of out.rows.filter((r) => !r.valid)) {
        expect(
          Object.keys(row.answers).every((a) => a.startsWith("400 ")),
          JSON.stringify(row),
        ).toBe(true);
      }
      // Every repeat is a duplicate or, for a twin whose original was still running, 503 in_progress.
      const { total, duplicate, inProgress, other } = out.repeats;
      expect(total).toBe(38);
      expect(other).toBe(0);
      expect(duplicate + inProgress).toBeGreaterThanOrEqual(total - 1);
      expect(out.latencyMs.p50).toBeGreaterThan(0);
      expect(out.latencyMs.p99).toBeGreaterThanOrEqual(out.latencyMs.p95);

      // Exactly once: 190 valid events, each handled once (a VARIABLE_UPDATE overtaken
      // by an older one of its session may run again: the kit keeps the latest).
      const seen = new Map<string, number>();
      for (const event of handled)
        seen.set(JSON.stringify(event), (seen.get(JSON.stringify(event)) ?? 0) + 1);
      expect(seen.size).toBe(190);
      const again = [...seen].filter(([key, n]) => n > 1 && !key.includes('"VARIABLE_UPDATE"'));
      expect(again).toEqual([]);
    },
  );

  it("prints a summary table and progress lines for people", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const server = await frameworks.express!(webhooks);
    servers.push(server);
    const run = await load(server.url, ["--events", "120", "--rate", "400"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Load http:\/\/127\.0\.0\.1:\d+\/webhook: 142 deliveries of 120 events over 10 sessions/,
    );
    expect(run.stdout).toMatch(/^ {2}MESSAGE +\d+ +200 ×\d+/m);
    expect(run.stdout).toMatch(/^ {2}\(malformed\) bad JSON +\d+ +400 invalid_json ×\d+$/m);
    expect(run.stdout).toMatch(/^Latency: p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, max/m);
    expect(run.stdout).toContain(
      "Valid events answered 5xx: 0; valid events never answered 2xx: 0",
    );
    expect(run.stdout.trimEnd().endsWith("PASS")).toBe(true);
    expect(run.stderr).toMatch(/^sent 142\/142 {2}answered 142 {2}\d+\/s {2}errors 0$/m);
    expect(run.stdout).not.toContain(SECRET);
  });

  it("exits 1 on answers slower than --max-latency", async () => {
    const webhooks = createWebhooks({ secret: SECRET, onAny: () => sleep(400) });
    const server = await frameworks.hono!(webhooks);
    servers.push(server);
    const run = await load(server.url, [
      "--events",
      "24",
      "--max-latency",
      "150",
      "--duplicates",
      "0",
      "--json",
    ]);
    const out = JSON.parse(run.stdout) as Json;
    expect(run.code).toBe(1);
    expect(out.late).toBeGreaterThanOrEqual(22); // every valid event waited 400 ms
    expect(out.latencyMs.p50).toBeGreaterThan(150);
    expect(out.failures).toEqual([
      expect.stringMatching(/^\d+ answers took over 150 ms and 0 got no answer/),
    ]);
    // The same run passes once the limit allows it.
    const relaxed = await load(server.url, [
      "--events",
      "24",
      "--max-latency",
      "150",
      "--duplicates",
      "0",
      "--max-late",
      "24",
    ]);
    expect(relaxed.code).toBe(0);
  });

  it("exits 1 on a receiver that never answers, counting each as no answer", async () => {
    const server = await startServer(() => new Promise<void>(() => {}));
    servers.push(server);
    const run = await load(server.url, [
      "--events",
      "4",
      "--malformed",
      "0",
      "--duplicates",
      "0",
      "--timeout",
      "1000",
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      noAnswer: 4,
      lostEvents: 4,
      answered: 0,
      pass: false,
    });
  });

  it("exits 1 on a wrong receiver: 500 to tickets, no duplicate flag, malformed bodies accepted", async () => {
    const server = await startServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += String(chunk);
      res.writeHead(body.includes('"type":"TICKET"') ? 500 : 204).end();
    });
    servers.push(server);
    const run = await load(server.url, ["--events", "150", "--json"]);
    const out = JSON.parse(run.stdout) as Json;
    expect(run.code).toBe(1);
    const tickets = out.rows.find((r) => r.label === "TICKET")!;
    expect(tickets.answers).toEqual({ "500": tickets.sent });
    expect(out.valid5xx).toBe(tickets.sent);
    expect(out.lostEvents).toBeGreaterThan(0);
    expect(out.malformedOk).toBeGreaterThan(0);
    expect(out.repeats.duplicate).toBe(0);
    expect(out.repeats.otherOk).toBeGreaterThan(0);
    expect(out.failures[0]).toMatch(/valid event deliveries were answered 5xx/);
  });

  it("exits 1 when the endpoint cannot be reached", async () => {
    const gone = await startServer(() => {});
    await gone.close();
    const run = await load(gone.url, ["--events", "10", "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ answered: 0, pass: false });
  });

  it("exits 2 on usage errors", async () => {
    for (const args of [
      ["--duplicates", "2"],
      ["--timeout", "500"],
      ["--events", "0"],
      ["--max-5xx", "-1"],
    ]) {
      const run = await load("http://127.0.0.1:9/webhook", args);
      expect(run.code, args.join(" ")).toBe(2);
    }
    expect((await runCli(["load"])).stderr).toContain("--url is required");
  });
});

describe("load on a terminal", { timeout: 60_000 }, () => {
  it("rewrites one progress line in place on stderr, then clears it", async () => {
    const server = await kitServer({ secret: SECRET });
    const stdout: string[] = [];
    const stderr: string[] = [];
    try {
      const code = await loadCommand(
        ["--url", server.url, "--secret", SECRET, "--events", "50", "--rate", "25", "--seed", "1"],
        {
          stdout: { write: (text: string) => stdout.push(text) },
          stderr: { isTTY: true, write: (text: string) => stderr.push(text) },
          env: { NO_COLOR: "1" },
        },
      );
      expect(code).toBe(0);
    } finally {
      await server.close();
    }
    // At 25 requests a second, 60 deliveries take over two seconds: several 200 ms ticks.
    const ticks = stderr.filter((t) => t.startsWith("\r\u001b[2Ksent "));
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.every((t) => !t.includes("\n"))).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is tested
    expect(ticks.at(-1)).toMatch(/^\r\u001b\[2Ksent \d+\/60 {2}answered \d+ {2}\d+\/s {2}errors 0/);
    expect(stderr.at(-1)).toBe("\r\u001b[2K");
    expect(stdout.join("")).toContain("PASS");
  });
});
