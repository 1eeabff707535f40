/**
 * A hand-off receiver in its own process: node:http in front of core's
 * `createWebhooks` with the Redis dedupe store and `queue.handOff`.
 * Environment: REDIS_URL, QUEUE, PREFIX, SECRET. Counts each hand-off in
 * Redis (`<PREFIX>handoffs:<eventId>`). For events whose messageId ends in
 * "0", the first delivery's answer fails after the job was stored (a 500
 * whose job exists, as when an answer is lost): the vendor's retry hands the
 * event off again, which must not add a second job. Sends `{ port }` over IPC.
 */
import { createServer } from "node:http";
import { type AnyEvent, createWebhooks, type WebhookContext } from "@fineguide-webhooks/core";
import { redisStore } from "../../../redis/src/redisStore.js";
import { connectionFromUrl } from "../connection.js";
import { createWebhookQueue } from "../createWebhookQueue.js";
import { counterClient } from "./redisClient.js";

const url = process.env.REDIS_URL!;
const prefix = process.env.PREFIX!;
const redis = await counterClient(url);
const queue = createWebhookQueue({
  connection: connectionFromUrl(url),
  queueName: process.env.QUEUE!,
});
await queue.ready();

const field = (event: AnyEvent, name: string) =>
  String((event as unknown as Record<string, unknown>)[name] ?? "");

const handOff = async (event: AnyEvent, ctx: WebhookContext) => {
  await queue.handOff(event, ctx);
  void redis.incr(`${prefix}handoffs:${ctx.eventId}`); // counted, off the answer's path
};
const loseFirstAnswer = async (event: AnyEvent, ctx: WebhookContext) => {
  if (!field(event, "messageId").endsWith("0")) return;
  const seen = Number(await redis.incr(`${prefix}answers:${ctx.eventId}`));
  if (seen === 1) {
    await new Promise((resolve) => setTimeout(resolve, 5)); // after the hand-off stored the job
    throw new Error("the first answer is lost");
  }
};

const webhooks = createWebhooks({
  secret: process.env.SECRET!,
  dedupe: redisStore({ client: redis, prefix: `${prefix}dedupe:` }),
  onAny: [handOff, loseFirstAnswer],
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
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([queue.close(), redis.quit()]).then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("disconnect", shutdown);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
