/**
 * Express, for the adapter bench (`bench/src/adapters.ts`): (a) a bare route
 * with `express.json()` answering `{ ok: true }`, (b) the same app with
 * `fineguideWebhook` and a no-op handler (in-memory dedupe on; the runner
 * sends a fresh messageId per request, so every delivery is claimed and
 * completed). ETags are off in both apps, so neither pays for hashing its
 * answer (the adapter writes with `res.end`, `res.json` would hash).
 *
 * Each server runs in its own child process (this file, forked with
 * `FG_BENCH_SERVE` set), so that autocannon, in the parent, does not share
 * the server's event loop and core.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import express from "express";
import { BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";

export const name = "express";

type Variant = "bare" | "adapter";

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
};

/** Child side: serve one variant on 127.0.0.1, port 0, and tell the parent its URL. */
async function serve(variant: Variant): Promise<void> {
  const server = apps[variant]().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}${BENCH_PATH}` });
  process.once("disconnect", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/** Parent side: fork this file serving `variant`; close() stops the child. */
async function start(variant: Variant): Promise<BenchServer> {
  const child = fork(fileURLToPath(import.meta.url), {
    env: { ...process.env, FG_BENCH_SERVE: variant },
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const message = await new Promise<{ url: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string }));
    child.once("exit", (code) => reject(new Error(`${name} ${variant} server exited (${code})`)));
  });
  return {
    url: message.url,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    close: async () => {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

/** (a) Express alone: `express.json()`, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => start("bare");
/** (b) The same app with `fineguideWebhook` and a no-op handler. */
export const adapter = (): Promise<BenchServer> => start("adapter");

const serving = process.env.FG_BENCH_SERVE;
if (serving === "bare" || serving === "adapter") await serve(serving);
