/**
 * Fastify, for the adapter bench (`bench/src/adapters.ts`): (a) a bare route
 * whose JSON body Fastify parses, answering 200, (b) the same app with the
 * `fineguideWebhook` plugin and a no-op handler (in-memory dedupe on; the
 * runner sends a fresh messageId per request), (c) the same app with the
 * hand-rolled receiver of `../handRolled.ts` on Fastify's default JSON parser.
 * Each variant runs in a child process (see `../childServer.ts`).
 */
import { fineguideWebhook } from "@fineguide-webhooks/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import { BENCH_HEADER, BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";
import { announce, forkServer, servingVariant, type Variant } from "../childServer.js";
import { createHandRolled } from "../handRolled.js";

export const name = "fastify";

const apps: Record<Variant, () => Promise<FastifyInstance>> = {
  bare: async () => Fastify().post(BENCH_PATH, async () => ({ ok: true })),
  adapter: async () => {
    const app = Fastify();
    await app.register(fineguideWebhook, {
      path: BENCH_PATH,
      secret: BENCH_SECRET,
      onMessage: () => {},
    });
    return app;
  },
  handRolled: async () => {
    const receive = createHandRolled(BENCH_SECRET);
    return Fastify().post(BENCH_PATH, async (req, reply) => {
      const answer = await receive(req.headers[BENCH_HEADER], req.body);
      reply.code(answer.status);
      return answer.body;
    });
  },
};

/** (a) Fastify alone: its JSON parser, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => forkServer(import.meta.url, name, "bare");
/** (b) The same app with the `fineguideWebhook` plugin and a no-op handler. */
export const adapter = (): Promise<BenchServer> => forkServer(import.meta.url, name, "adapter");
/** (c) The same app with the hand-rolled receiver on Fastify's JSON parser. */
export const handRolled = (): Promise<BenchServer> =>
  forkServer(import.meta.url, name, "handRolled");

const serving = servingVariant();
if (serving) {
  const app = await apps[serving]();
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  announce(`http://127.0.0.1:${address.port}${BENCH_PATH}`, () => app.close());
}
