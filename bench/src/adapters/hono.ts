/**
 * Hono on @hono/node-server, for the adapter bench (`bench/src/adapters.ts`):
 * (a) a bare route that parses the JSON body and answers 200, (b) the same
 * app with `fineguideWebhook` and a no-op handler (in-memory dedupe on; the
 * runner sends a fresh messageId per request), (c) the same app with the
 * hand-rolled receiver of `../handRolled.ts` (a body that is not JSON is
 * handed to it as `undefined`, so it answers 400, not Hono's 500).
 * Each variant runs in a child process (see `../childServer.ts`).
 */
import { createServer } from "node:http";
import { fineguideWebhook } from "@fineguide-webhooks/hono";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_HEADER, BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";
import { forkServer, serveNode, servingVariant, type Variant } from "../childServer.js";
import { createHandRolled } from "../handRolled.js";

export const name = "hono";

const apps: Record<Variant, () => Hono> = {
  bare: () =>
    new Hono().post(BENCH_PATH, async (c) => {
      await c.req.json();
      return c.json({ ok: true });
    }),
  adapter: () =>
    new Hono().post(BENCH_PATH, fineguideWebhook({ secret: BENCH_SECRET, onMessage: () => {} })),
  handRolled: () => {
    const receive = createHandRolled(BENCH_SECRET);
    return new Hono().post(BENCH_PATH, async (c) => {
      const body: unknown = await c.req.json().catch(() => undefined);
      const answer = await receive(c.req.header(BENCH_HEADER), body);
      return c.json(answer.body, answer.status);
    });
  },
};

/** (a) Hono alone: `await c.req.json()`, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => forkServer(import.meta.url, name, "bare");
/** (b) The same app with `fineguideWebhook` and a no-op handler. */
export const adapter = (): Promise<BenchServer> => forkServer(import.meta.url, name, "adapter");
/** (c) The same app with the hand-rolled receiver after `await c.req.json()`. */
export const handRolled = (): Promise<BenchServer> =>
  forkServer(import.meta.url, name, "handRolled");

const serving = servingVariant();
if (serving) await serveNode(createServer(getRequestListener(apps[serving]().fetch)), BENCH_PATH);
