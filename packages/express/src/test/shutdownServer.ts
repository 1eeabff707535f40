/**
 * An Express receiver in its own process, for shutdown.test.ts: the graceful
 * shutdown the README shows, on a real server, with the Redis store.
 *
 * Environment: REDIS_URL, PREFIX (of the store's keys), SECRET, LOG (a file
 * this process appends JSON lines to), CLOSE_TIMEOUT_MS.
 * Logs `{ arrived: id }` for every request that reaches the app (`id` is its
 * `x-delivery` header), `{ effect: messageId }` when a MESSAGE handler
 * finished its work (100 to 300 ms), `{ answered: id, status }` for every
 * answer, `{ sigterm: true }` and `{ closed: true }`. Prints `{ port }` on
 * stdout once listening. On SIGTERM it stops accepting connections, closes the
 * receiver, closes idle connections, and exits by itself once the server and
 * the Redis client are closed (no `process.exit`).
 */
import { appendFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createWebhooks } from "@fineguide-webhooks/core";
import express from "express";
import { redisStore } from "../../../redis/src/redisStore.js";
import { ioredisClient } from "../../../redis/src/test/clients.js";
import { fineguideWebhook } from "../fineguideWebhook.js";

const log = (line: Record<string, unknown>) =>
  appendFileSync(process.env.LOG!, `${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redis = await ioredisClient(process.env.REDIS_URL!);
const webhooks = createWebhooks({
  secret: process.env.SECRET!,
  dedupe: redisStore({ client: redis.client, prefix: process.env.PREFIX! }),
  onMessage: async (message) => {
    await sleep(100 + Math.random() * 200);
    log({ effect: message.messageId });
  },
});

const app = express();
app.use((req, _res, next) => {
  log({ arrived: req.headers["x-delivery"] });
  next();
});
app.post(
  "/webhook",
  fineguideWebhook(webhooks, {
    onResponse: (answer, req) =>
      log({ answered: req.headers["x-delivery"], status: answer.status }),
  }),
);

const server = app.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.once("SIGTERM", () => {
  log({ sigterm: true });
  // No new connections; the server closes once the open ones are.
  server.close(() => void redis.close());
  // Deliveries in flight finish (new ones get 503 shutting_down), then
  // kept-alive connections with nothing in flight are closed.
  void webhooks.close({ timeoutMs: Number(process.env.CLOSE_TIMEOUT_MS) }).then(() => {
    log({ closed: true });
    server.closeIdleConnections();
  });
});
