import { randomUUID } from "node:crypto";
import { createWebhooks, type Logger, type WebhookResponse } from "@fineguide-webhooks/core";
import { afterAll, describe, expect, it } from "vitest";
import { redisStore } from "./redisStore.js";
import { CLIENT_KINDS, type TestClient } from "./test/clients.js";
import { mapLimit, messageEvent, sleep } from "./test/events.js";
import { type RedisServer, redisServerAvailable, startRedisServer } from "./test/redisServer.js";

const available = redisServerAvailable("@fineguide-webhooks/redis Redis-down test");

const SECRET = "redis-down-secret";
type Event = ReturnType<typeof messageEvent>;

const post = (event: Event) => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
  body: JSON.stringify(event),
});

const codeOf = (res: WebhookResponse) =>
  res.status < 300
    ? (JSON.parse(res.body) as { duplicate?: true }).duplicate
      ? "duplicate"
      : "processed"
    : (JSON.parse(res.body) as { error: { code: string } }).error.code;

describe.skipIf(!available).each(CLIENT_KINDS)(
  "Redis stopped in the middle of a run ($kind)",
  ({ connect }) => {
    let server: RedisServer | undefined;
    let client: TestClient | undefined;

    afterAll(async () => {
      await client?.close();
      await server?.stop();
    });

    it("deliveries get 503 and run nothing; once Redis is back, redelivering every non-2xx processes each event exactly once", async () => {
      server = await startRedisServer();
      const port = server.port;
      client = await connect(server.url);
      const handled = new Map<string, number>();
      const webhooks = createWebhooks({
        secret: SECRET,
        dedupe: redisStore({
          client: client.client,
          prefix: `down:${randomUUID()}:`,
          timeoutMs: 500,
        }),
        onMessage: async (message) => {
          handled.set(message.messageId, (handled.get(message.messageId) ?? 0) + 1);
          await sleep(Math.random() * 3);
        },
      });
      const events = Array.from({ length: 300 }, () => messageEvent());
      const first = new Map<string, string>();
      const deliver = async (event: Event) => {
        const res = await webhooks.receive(post(event));
        const code = codeOf(res);
        if (code === "store_unavailable") expect(res.status).toBe(503);
        first.set(event.messageId, code);
        return code;
      };

      // 1. Redis is killed (SIGKILL, a crash) while deliveries are in flight.
      let crash: Promise<void> | undefined;
      await mapLimit(events.slice(0, 150), 10, async (event, i) => {
        if (i === 75) crash = server!.stop("SIGKILL");
        return deliver(event);
      });
      await crash;

      // 2. While Redis is down, every delivery is a 503 and no handler runs.
      const whileDown = await mapLimit(events.slice(150, 200), 10, deliver);
      expect(new Set(whileDown)).toEqual(new Set(["store_unavailable"]));

      // A receiver that opted into fail-open runs its handlers and logs each event it lets through.
      const warnings: string[] = [];
      const logger: Logger = {
        debug: () => {},
        info: () => {},
        error: () => {},
        warn: (_obj, msg) => warnings.push(msg ?? ""),
      };
      let ranOpen = 0;
      const open = createWebhooks({
        secret: SECRET,
        dedupe: redisStore({ client: client.client, timeoutMs: 500 }),
        onStoreError: "open",
        logger,
        onMessage: () => {
          ranOpen++;
        },
      });
      const openCodes = await Promise.all(
        Array.from({ length: 5 }, async () => codeOf(await open.receive(post(messageEvent())))),
      );
      expect(openCodes).toEqual(Array(5).fill("processed"));
      expect(ranOpen).toBe(5);
      expect(warnings.filter((m) => m.includes("WITHOUT deduplication"))).toHaveLength(5);

      // 3. Redis comes back on the same port (empty: persistence is off).
      server = await startRedisServer({ port });
      await client.ready();
      const afterRestart = await mapLimit(events.slice(200), 10, deliver);
      expect(new Set(afterRestart)).toEqual(new Set(["processed"]));

      const failed = events.filter((e) => first.get(e.messageId) !== "processed");
      expect(failed.length).toBeGreaterThanOrEqual(50);
      for (const event of failed) {
        expect(first.get(event.messageId)).toBe("store_unavailable");
        expect(handled.get(event.messageId) ?? 0).toBe(0);
      }

      // 4. The vendor retries every delivery that got a non-2xx, until a 2xx.
      let pending = failed;
      for (let round = 0; pending.length > 0 && round < 50; round++) {
        const codes = await mapLimit(pending, 10, async (e) =>
          codeOf(await webhooks.receive(post(e))),
        );
        expect(codes.filter((c) => c !== "processed" && c !== "in_progress")).toEqual([]);
        pending = pending.filter((_, i) => codes[i] !== "processed");
        if (pending.length > 0) await sleep(100);
      }
      expect(pending).toEqual([]);

      // Nothing lost, nothing twice.
      const counts = events.map((e) => handled.get(e.messageId) ?? 0);
      expect(counts.filter((n) => n !== 1)).toEqual([]);
      console.info(
        `Redis down: ${failed.length} of 300 first deliveries got 503 and were processed on redelivery`,
      );
    }, 60_000);
  },
);
