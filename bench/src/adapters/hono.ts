/**
 * Hono on @hono/node-server, for the adapter bench (`bench/src/adapters.ts`):
 * (a) a bare route that parses the JSON body and answers 200, (b) the same
 * app with `fineguideWebhook` and a no-op handler (in-memory dedupe on; the
 * runner sends a fresh messageId per request).
 * Each variant runs in a child process (see `../childServer.ts`).
 */
import { createServer } from "node:http";
import { fineguideWebhook } from "@fineguide-webhooks/hono";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";
import { forkServer, serveNode, servingVariant, type Variant } from "../childServer.js";

export const name = "hono";

const apps: Record<Variant, () => Hono> = {
  bare: () =>
    new Hono().post(BENCH_PATH, async (c) => {
      await c.req.json();
      return c.json({ ok: true });
    }),
  adapter: () =>
    new Hono().post(BENCH_PATH, fineguideWebhook({ secret: BENCH_SECRET, onMessage: () => {} })),
};

/** (a) Hono alone: `await c.req.json()`, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => forkServer(import.meta.url, name, "bare");
/** (b) The same app with `fineguideWebhook` and a no-op handler. */
export const adapter = (): Promise<BenchServer> => forkServer(import.meta.url, name, "adapter");

const serving = servingVariant();
if (serving) await serveNode(createServer(getRequestListener(apps[serving]().fetch)), BENCH_PATH);
