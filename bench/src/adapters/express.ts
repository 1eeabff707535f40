/**
 * Express, for the adapter bench (`bench/src/adapters.ts`): (a) a bare route
 * with `express.json()` answering `{ ok: true }`, (b) the same app with
 * `fineguideWebhook` and a no-op handler (in-memory dedupe on; the runner
 * sends a fresh messageId per request, so every delivery is claimed and
 * completed), (c) the same app with the hand-rolled receiver of
 * `../handRolled.ts` after `express.json()`. ETags are off in every app, so
 * none pays for hashing its answer (the adapter writes with `res.end`,
 * `res.json` would hash).
 * Each variant runs in a child process (see `../childServer.ts`).
 */
import { createServer } from "node:http";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import express from "express";
import { BENCH_HEADER, BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";
import { forkServer, serveNode, servingVariant, type Variant } from "../childServer.js";
import { createHandRolled } from "../handRolled.js";

export const name = "express";

const apps: Record<Variant, () => express.Express> = {
  bare: () =>
    express()
      .set("etag", false)
      .post(BENCH_PATH, express.json(), (_req, res) => {
        res.json({ ok: true });
      }),
  adapter: () =>
    express()
      .set("etag", false)
      .post(BENCH_PATH, fineguideWebhook({ secret: BENCH_SECRET, onMessage: () => {} })),
  handRolled: () => {
    const receive = createHandRolled(BENCH_SECRET);
    return express()
      .set("etag", false)
      .post(BENCH_PATH, express.json(), async (req, res) => {
        const answer = await receive(req.headers[BENCH_HEADER], req.body);
        res.status(answer.status).json(answer.body);
      });
  },
};

/** (a) Express alone: `express.json()`, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => forkServer(import.meta.url, name, "bare");
/** (b) The same app with `fineguideWebhook` and a no-op handler. */
export const adapter = (): Promise<BenchServer> => forkServer(import.meta.url, name, "adapter");
/** (c) The same app with the hand-rolled receiver after `express.json()`. */
export const handRolled = (): Promise<BenchServer> =>
  forkServer(import.meta.url, name, "handRolled");

const serving = servingVariant();
if (serving) await serveNode(createServer(apps[serving]()), BENCH_PATH);
