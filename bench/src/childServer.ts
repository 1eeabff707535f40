/**
 * Each bench server runs in its own child process (its module file, forked
 * with `FG_BENCH_SERVE` set), so that autocannon, in the parent, does not
 * share the server's event loop and core: on the same loop, autocannon's own
 * cost would be added to both variants and pull every ratio toward 1.
 *
 * The child runs with bench/ as its working directory, so tsx uses
 * bench/tsconfig.json (no `paths`) and `@fineguide-webhooks/*` resolve to the
 * packages' built `dist/` (run `npm run build` first), the code users run.
 * From the repository root, tsx would map them to `src/` and compile them with
 * esbuild's `keepNames`, which adds a `__name()` call to every closure created
 * per request (measurably slower).
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { BenchServer } from "./adapterBench.js";

/**
 * The variants every bench module serves, in the order (a), (b), (c): the
 * framework alone, the same app with our adapter, and the same app with the
 * hand-rolled receiver of `handRolled.ts`.
 */
export const VARIANTS = ["bare", "adapter", "handRolled"] as const;
/** One of {@link VARIANTS}. */
export type Variant = (typeof VARIANTS)[number];

/** In a child: the variant it was forked to serve, if any. */
export function servingVariant(): Variant | undefined {
  const serving = process.env.FG_BENCH_SERVE;
  return VARIANTS.find((variant) => variant === serving);
}

/** In a child: tell the parent where it listens; `close` runs when the parent lets go. */
export function announce(url: string, close: () => Promise<void> | void): void {
  process.send?.({ url });
  process.once("disconnect", () => void Promise.resolve(close()).then(() => process.exit(0)));
}

/** In the parent: fork `moduleUrl` serving `variant`; `close()` stops the child. */
export async function forkServer(
  moduleUrl: string,
  name: string,
  variant: Variant,
): Promise<BenchServer> {
  const child = fork(fileURLToPath(moduleUrl), {
    env: { ...process.env, FG_BENCH_SERVE: variant },
    cwd: fileURLToPath(new URL("..", import.meta.url)),
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

/** In a child: listen on 127.0.0.1, port 0, and announce the route's URL. */
export async function serveNode(server: Server, path: string): Promise<void> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  announce(`http://127.0.0.1:${port}${path}`, () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
}
