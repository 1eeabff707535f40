import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("./receiverProcess.ts", import.meta.url));

/**
 * Bundles `receiverProcess.ts`, the kit's sources (`@fineguide-webhooks/*`
 * through the root tsconfig's paths, so a change in core is tested without a
 * rebuild) and express and ioredis, into one ES module in `dir`, and returns
 * its path. A child then starts on plain `node` in about a third of the CPU
 * that loading the sources under tsx takes (some 0.5 s against 1.7 s), which
 * on a loaded machine with a dozen receivers to start is most of the short
 * run's time.
 *
 * @example
 * ```ts
 * const pool = new ReceiverPool(await bundleReceiver(workDir));
 * ```
 */
export async function bundleReceiver(dir: string): Promise<string> {
  const outfile = join(dir, "receiver.mjs");
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: join(ROOT, "tsconfig.json"),
    // CommonJS dependencies (express, ioredis) call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    logLevel: "error",
  });
  return outfile;
}
