/**
 * Hono on @hono/node-server, for the adapter bench (`bench/src/adapters.ts`):
 * (a) a bare route that parses the JSON body and answers 200, (b) the same
 * app with `fineguideWebhook` and a no-op handler (in-memory dedupe on; the
 * runner sends a fresh messageId per request).
 *
 * Each server runs in its own child process (this file, forked with
 * `FG_BENCH_SERVE` set), so that autocannon, in the parent, does not share
 * the server's event loop and core: on the same loop, autocannon's own cost
 * would be added to both variants and pull every ratio toward 1.
 *
 * The child runs with bench/ as its working directory, so tsx uses
 * bench/tsconfig.json (no `paths`) and `@fineguide-webhooks/*` resolve to the
 * packages' built `dist/` (run `npm run build` first), the code users run.
 * From the repository root, tsx would map them to `src/` through the root
 * tsconfig's `paths` and compile them with esbuild's `keepNames`, which adds a
 * `__name()` call to every closure created per request (measurably slower).
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { fineguideWebhook } from "@fineguide-webhooks/hono";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_PATH, BENCH_SECRET, type BenchServer } from "../adapterBench.js";

export const name = "hono";

type Variant = "bare" | "adapter";

const apps: Record<Variant, () => Hono> = {
  bare: () =>
    new Hono().post(BENCH_PATH, async (c) => {
      await c.req.json();
      return c.json({ ok: true });
    }),
  adapter: () =>
    new Hono().post(BENCH_PATH, fineguideWebhook({ secret: BENCH_SECRET, onMessage: () => {} })),
};

/** Child side: serve one variant on 127.0.0.1, port 0, and tell the parent its URL. */
async function serve(variant: Variant): Promise<void> {
  const server = createServer(getRequestListener(apps[variant]().fetch));
  server.listen(0, "127.0.0.1");
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
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
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

/** (a) Hono alone: `await c.req.json()`, answer `{ ok: true }`. */
export const bare = (): Promise<BenchServer> => start("bare");
/** (b) The same app with `fineguideWebhook` and a no-op handler. */
export const adapter = (): Promise<BenchServer> => start("adapter");

const serving = process.env.FG_BENCH_SERVE;
if (serving === "bare" || serving === "adapter") await serve(serving);
