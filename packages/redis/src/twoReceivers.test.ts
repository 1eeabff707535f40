import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ioredisClient, type TestClient } from "./test/clients.js";
import { BOT_ID, mapLimit, messageEvent, sleep } from "./test/events.js";
import { type RedisServer, redisServerAvailable, startRedisServer } from "./test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/redis two-receiver test");

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./test/receiverProcess.ts", import.meta.url));
const SECRET = "two-receivers-secret";

interface Receiver {
  readonly kind: string;
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts receiverProcess.ts in a child process (tsx) and waits for its port. */
function startReceiver(kind: "ioredis" | "node-redis", redisUrl: string, prefix: string) {
  return new Promise<Receiver>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redisUrl, CLIENT_KIND: kind, PREFIX: prefix, SECRET },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`receiver ${kind} exited early (${code ?? signal}): ${stderr}`)),
    );
    child.once("message", (message: { port: number }) => {
      resolve({ kind, child, url: `http://127.0.0.1:${message.port}/webhooks` });
    });
  });
}

async function stopReceiver(receiver: Receiver | undefined): Promise<void> {
  const child = receiver?.child;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

describe.skipIf(!available)("two receiver processes sharing one Redis", () => {
  let server: RedisServer;
  let redis: TestClient;
  const receivers: Receiver[] = [];
  const prefix = `two:${randomUUID()}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await ioredisClient(server.url);
    receivers.push(
      ...(await Promise.all([
        startReceiver("ioredis", server.url, prefix),
        startReceiver("node-redis", server.url, prefix),
      ])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(receivers.map(stopReceiver));
    await redis?.close();
    await server?.stop();
  });

  it("the same 500 events delivered to both, interleaved and concurrent: every side effect happens exactly once", async () => {
    const events = Array.from({ length: 500 }, () => messageEvent());
    const [a, b] = receivers as [Receiver, Receiver];
    // Both deliveries of an event sit side by side, so with 64 in flight they
    // usually overlap; the order of the pair alternates.
    const deliveries = events.flatMap(
      (event, i) =>
        (i % 2
          ? [
              [event, a],
              [event, b],
            ]
          : [
              [event, b],
              [event, a],
            ]) as [typeof event, Receiver][],
    );
    const statuses: Record<string, number> = {};

    /** Delivers like the vendor: again, after a short pause, until a 2xx. */
    const deliver = async ([event, receiver]: [(typeof events)[number], Receiver]) => {
      const body = JSON.stringify(event);
      for (let attempt = 0; attempt < 1000; attempt++) {
        const res = await fetch(receiver.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
          body,
        });
        const json = (await res.json()) as {
          ok: boolean;
          duplicate?: true;
          error?: { code: string };
        };
        const label = res.ok ? (json.duplicate ? "duplicate" : "processed") : json.error!.code;
        statuses[label] = (statuses[label] ?? 0) + 1;
        if (res.ok) return label;
        await sleep(5 + Math.random() * 20);
      }
      throw new Error("never got a 2xx");
    };

    const outcomes = await mapLimit(deliveries, 64, deliver);

    const keys = events.map((e) => `${prefix}effects:${BOT_ID}:MESSAGE:${e.messageId}`);
    const counts = (await redis.command(["MGET", ...keys])) as (string | null)[];
    const wrong = events
      .map((event, i) => [event.messageId, counts[i]])
      .filter(([, count]) => count !== "1");
    expect(wrong).toEqual([]);

    // One of the two deliveries of each event processed it, the other saw a duplicate.
    expect(outcomes.filter((o) => o === "processed")).toHaveLength(500);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(500);
    // Each event whose first attempt fails got exactly one 500 before it was processed.
    const failing = events.filter((e) => e.messageId.endsWith("0")).length;
    expect(statuses.handler_failed ?? 0).toBe(failing);
    expect(Object.keys(statuses).sort()).toEqual(
      expect.arrayContaining(["duplicate", "processed"]),
    );
    console.info("two receivers, answers seen:", statuses);
  }, 120_000);
});
