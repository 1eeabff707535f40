/**
 * A receiver in its own process, for the two-receiver test: a real HTTP server
 * (node:http) in front of core's `createWebhooks` with the Redis store.
 * Environment: REDIS_URL, CLIENT_KIND ("ioredis" | "node-redis"), PREFIX, SECRET.
 * Every handled event INCRs `<PREFIX>effects:<dedupeKey>` in Redis (the side
 * effect the parent counts); the first attempt of events whose messageId ends
 * in "0" fails, to exercise release and retry. Sends `{ port }` over IPC.
 */
import { createServer } from "node:http";
import { createWebhooks } from "@fineguide-webhooks/core";
import { redisStore } from "../redisStore.js";
import { ioredisClient, nodeRedisClient } from "./clients.js";

const url = process.env.REDIS_URL!;
const prefix = process.env.PREFIX!;
const connect = process.env.CLIENT_KIND === "node-redis" ? nodeRedisClient : ioredisClient;
const redis = await connect(url);

const webhooks = createWebhooks({
  secret: process.env.SECRET!,
  dedupe: redisStore({ client: redis.client, prefix: `${prefix}dedupe:` }),
  onMessage: async (message, ctx) => {
    const attempt = Number(await redis.command(["INCR", `${prefix}attempts:${ctx.dedupeKey}`]));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    if (attempt === 1 && message.messageId.endsWith("0")) throw new Error("first attempt fails");
    await redis.command(["INCR", `${prefix}effects:${ctx.dedupeKey}`]);
  },
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", async () => {
    const answer = await webhooks.receive({
      method: req.method ?? "GET",
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { ...answer.headers, "x-receiver": process.env.CLIENT_KIND });
    res.end(answer.body);
  });
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void redis.close().then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("disconnect", shutdown);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
