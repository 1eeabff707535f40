/*
 * SIGTERM under load: a real Express process (test/shutdownServer.ts) with the
 * Redis store, shut down the way the README shows, while deliveries are in
 * flight and more keep coming. Nothing may be lost: every delivery that got
 * no 2xx succeeds when resent to a fresh instance, and every event's handler
 * runs exactly once across both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MessageEvent } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ioredisClient, type TestClient } from "../../redis/src/test/clients.js";
import { mapLimit } from "../../redis/src/test/events.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../redis/src/test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/express SIGTERM test");

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVER = fileURLToPath(new URL("./test/shutdownServer.ts", import.meta.url));
const SECRET = "express-shutdown-secret";

interface Receiver {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code and signal, once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

/** Starts test/shutdownServer.ts (tsx) and waits for the port it prints. */
function startReceiver(env: Record<string, string>): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
      cwd: ROOT,
      env: { ...process.env, SECRET, CLOSE_TIMEOUT_MS: "10000", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once("exit", (code, signal) => done({ code, signal })),
    );
    void exited.then(({ code, signal }) =>
      reject(new Error(`the receiver exited before listening (${code ?? signal}): ${stderr}`)),
    );
    child.once("error", reject);
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) {
        const { port } = JSON.parse(line) as { port: number };
        resolve({ child, url: `http://127.0.0.1:${port}/webhook`, exited, stderr: () => stderr });
      }
    });
  });
}

/** Kills a receiver still running (by its pid), so no test leaves one behind. */
async function kill(receiver: Receiver | undefined): Promise<void> {
  const child = receiver?.child;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid, "SIGKILL");
  await receiver!.exited;
}

type Result = { status: number; body: string } | { error: string };

/** POSTs one delivery, marked with `x-delivery: id`, through `agent`. */
const deliver = (url: string, agent: http.Agent, id: number, event: MessageEvent) =>
  new Promise<Result>((resolve) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: {
        "content-type": "application/json",
        "x-webhook-secret": SECRET,
        "x-delivery": String(id),
      },
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? "error" }));
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve({ error: "response aborted" }));
    });
    req.end(JSON.stringify(event));
  });

const ok = (result: Result | undefined) =>
  result !== undefined && "status" in result && result.status >= 200 && result.status < 300;

/** The JSON lines a receiver logged. */
const readLog = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          arrived?: string;
          answered?: string;
          status?: number;
          effect?: string;
          sigterm?: true;
          closed?: true;
        },
    );

describe.skipIf(!available)("SIGTERM under load (Express in its own process, Redis store)", () => {
  let redisServer: RedisServer;
  let redis: TestClient;
  let dir: string;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = await ioredisClient(redisServer.url);
    dir = mkdtempSync(join(tmpdir(), "fgw-express-shutdown-"));
  }, 30_000);

  afterAll(async () => {
    for (const receiver of receivers) await kill(receiver);
    await redis?.close();
    await redisServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers every delivery it got, 2xx only once the handler ran, exits by itself, and loses no event", async () => {
    const prefix = `shutdown:${randomUUID()}:`;
    const env = { REDIS_URL: redisServer.url, PREFIX: prefix };
    const firstLog = join(dir, "first.jsonl");
    const secondLog = join(dir, "second.jsonl");
    // The fresh instance the refused deliveries are resent to starts now too
    // (starting one through tsx takes seconds); it gets nothing until then.
    const [first, second] = await Promise.all([
      startReceiver({ ...env, LOG: firstLog }),
      startReceiver({ ...env, LOG: secondLog }),
    ]);
    receivers.push(first, second);

    const events = Array.from({ length: 150 }, () => createEvent("MESSAGE"));
    const results: Result[] = new Array(events.length);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });
    let answered200 = 0;
    let sigtermAt = 0;
    const sigterm = () => {
      if (sigtermAt) return;
      sigtermAt = Date.now();
      process.kill(first.child.pid!, "SIGTERM");
    };
    // 24 deliveries in flight at a time, each handler 100-300 ms; SIGTERM once
    // 40 were answered 200, while the rest keep coming.
    await mapLimit(events, 24, async (event, i) => {
      const result = await deliver(first.url, agent, i, event);
      results[i] = result;
      if (ok(result) && ++answered200 >= 40) sigterm();
    });
    agent.destroy();

    const exit = await Promise.race([
      first.exited,
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 20_000)),
    ]);
    expect(exit, first.stderr()).toEqual({ code: 0, signal: null });
    const exitedAfterMs = Date.now() - sigtermAt;

    const lines = readLog(firstLog);
    const sigtermLine = lines.findIndex((l) => l.sigterm);
    expect(sigtermLine).toBeGreaterThan(0);
    // Every request that reached the app was answered.
    const arrived = lines.filter((l) => l.arrived !== undefined).map((l) => l.arrived);
    const answered = lines.filter((l) => l.answered !== undefined).map((l) => l.answered);
    expect(answered.sort()).toEqual(arrived.sort());
    // A 2xx only for an event whose handler finished before the answer.
    const effectLine = new Map<string, number>();
    lines.forEach((l, n) => {
      if (l.effect) effectLine.set(l.effect, n);
    });
    results.forEach((result, i) => {
      if (!ok(result)) return;
      const answerLine = lines.findIndex((l) => l.answered === String(i));
      const done = effectLine.get(events[i]!.messageId);
      expect(done, `delivery ${i} answered 2xx without its effect`).toBeDefined();
      expect(done!).toBeLessThan(answerLine);
    });
    // The shutdown was under load: deliveries in flight at the SIGTERM finished
    // 200 after it, and later ones were refused (503 shutting_down, or no connection).
    const answeredAfter = lines.slice(sigtermLine).filter((l) => l.status === 200);
    expect(answeredAfter.length).toBeGreaterThan(0);
    const refused = results.filter((r) => !ok(r));
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      if ("status" in r) {
        expect(r.status).toBe(503);
        expect(JSON.parse(r.body)).toMatchObject({ error: { code: "shutting_down" } });
      }
    }

    // No claim is left held: no key of the store is in the in-progress state
    // (a value starting with "c", or the JSON of a claim beside a done).
    const keys = (await redis.command(["KEYS", `${prefix}*`])) as string[];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const value = String(await redis.command(["GET", key]));
      expect(value.startsWith("c") || value.startsWith("{"), `${key} = ${value}`).toBe(false);
    }

    // The other instance: every delivery without a 2xx succeeds when resent.
    const retryAgent = new http.Agent({ keepAlive: true, maxSockets: 24 });
    const toResend = events.flatMap((event, i) => (ok(results[i]) ? [] : [{ event, i }]));
    const resent = await mapLimit(toResend, 24, ({ event, i }) =>
      deliver(second.url, retryAgent, i, event),
    );
    retryAgent.destroy();
    expect(resent.filter((r) => !ok(r))).toEqual([]);
    process.kill(second.child.pid!, "SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });

    // Every event's handler ran exactly once, across both instances.
    const effects = [...readLog(firstLog), ...readLog(secondLog)].flatMap((l) =>
      l.effect ? [l.effect] : [],
    );
    expect(effects.sort()).toEqual(events.map((e) => e.messageId).sort());
    expect(exitedAfterMs).toBeLessThan(15_000);
  }, 60_000);
});
