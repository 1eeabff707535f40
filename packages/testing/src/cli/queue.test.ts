import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  connectionFromUrl,
  createWebhookQueue,
  createWorker,
  type WebhookQueue,
  type WebhookWorker,
} from "@fineguide-webhooks/bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../../redis/src/test/redisServer.js";
import { createEvent } from "../factories/createEvent.js";
import { assertBuilt, runCli } from "../testSupport/cli.js";
import { loadBullmqKit } from "./queue.js";

const available = redisServerAvailable("fineguide-webhooks queue (CLI)");
const bullmqDist = fileURLToPath(new URL("../../../bullmq/dist/index.js", import.meta.url));

/** The CLI imports the built @fineguide-webhooks/bullmq, as users get it. */
function assertBullmqBuilt(): void {
  assertBuilt();
  const src = fileURLToPath(new URL("../../../bullmq/src/index.ts", import.meta.url));
  if (!existsSync(bullmqDist) || statSync(bullmqDist).mtimeMs < statSync(src).mtimeMs) {
    throw new Error(
      `The queue CLI tests import ${bullmqDist}, missing or older than its sources. Run \`npm run build\` at the repo root.`,
    );
  }
}

describe("fineguide-webhooks queue", { timeout: 30_000 }, () => {
  it("has --help, and exits 2 on a missing or unknown action", async () => {
    assertBuilt();
    const help = await runCli(["queue", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: fineguide-webhooks queue <status | failed | replay");
    expect((await runCli(["queue"])).code).toBe(2);
    const unknown = await runCli(["queue", "purge"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown queue command "purge"');
    const both = await runCli(["queue", "replay", "abc", "--all"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("replay takes a job id or --all");
  });

  it("names the package to install when @fineguide-webhooks/bullmq is missing", async () => {
    await expect(loadBullmqKit("@fineguide-webhooks/not-installed")).rejects.toThrow(
      /npm install @fineguide-webhooks\/not-installed bullmq ioredis/,
    );
  });

  it.skipIf(!available)("exits 1 with a clear message when Redis cannot be reached", async () => {
    assertBullmqBuilt();
    const port = await freePort();
    const run = await runCli([
      "queue",
      "status",
      "--redis",
      `redis://:secret-pw@127.0.0.1:${port}`,
      "--timeout",
      "300",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(run.stderr).not.toContain("secret-pw");
  });

  describe.skipIf(!available)("against a queue with dead letters", () => {
    let server: RedisServer;
    let queue: WebhookQueue;
    let worker: WebhookWorker;
    let healthy = false;
    const name = `cli-${Date.now()}`;
    const ids = ["dead-ticket", "dead-lead"];

    beforeAll(async () => {
      assertBullmqBuilt();
      server = await startRedisServer();
      const connection = connectionFromUrl(server.url);
      queue = createWebhookQueue({ connection, queueName: name });
      worker = createWorker({
        connection,
        queueName: name,
        attempts: 1,
        onAny: () => {
          if (!healthy) throw new Error("CRM answered 503\nsecond line");
        },
      });
      await queue.enqueue(createEvent("TICKET"), { eventId: ids[0]! });
      await queue.enqueue(createEvent("CREATE_LEAD"), { eventId: ids[1]! });
      for (let i = 0; i < 400 && (await queue.status()).failed < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }, 30_000);
    afterAll(async () => {
      await worker?.close({ timeoutMs: 0 });
      await queue?.close();
      await server?.stop();
    });
    const cli = (...args: string[]) =>
      runCli(["queue", ...args, "--queue", name], { REDIS_URL: server.url });

    it("status: counts by state", async () => {
      const run = await cli("status");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Queue ${name} on ${server.url}`);
      expect(run.stdout).toMatch(/failed +2/);
      const json = JSON.parse((await cli("status", "--json")).stdout) as Record<string, unknown>;
      expect(json).toMatchObject({ queue: name, failed: 2, paused: false });
    });

    it("failed: id, type, attempts and the error's first line", async () => {
      const run = await cli("failed");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/id +type +attempts +failed at +error/);
      expect(run.stdout).toMatch(/dead-ticket +TICKET +1 +\S+ +CRM answered 503\n/);
      expect(run.stdout).toMatch(/dead-lead +CREATE_LEAD +1 /);
      expect(run.stdout).toContain("2 of 2 failed jobs shown");
      const json = JSON.parse((await cli("failed", "--json", "--limit", "1")).stdout) as {
        total: number;
        jobs: { id: string; event?: unknown }[];
      };
      expect(json.total).toBe(2);
      expect(json.jobs).toHaveLength(1);
      expect(json.jobs[0]).not.toHaveProperty("event"); // no customer data on the terminal
    });

    it("replay <id>, then replay --all: the jobs run again and complete", async () => {
      healthy = true;
      const missing = await cli("replay", "no-such-job");
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`no failed job no-such-job in ${name}`);
      const one = await cli("replay", "dead-ticket");
      expect(one.code).toBe(0);
      expect(one.stdout).toContain("Replayed dead-ticket");
      const all = await cli("replay", "--all");
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/Replayed [01] failed jobs? of /);
      for (let i = 0; i < 400 && (await queue.status()).completed < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await queue.status()).toMatchObject({ completed: 2, failed: 0 });
      expect((await cli("failed")).stdout).toContain(`No failed jobs in ${name}.`);
    });
  });
});
