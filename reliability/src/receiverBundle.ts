import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("./receiverProcess.ts", import.meta.url));
/** The kit's packages the receiver imports. */
const PACKAGES = ["core", "express", "redis"] as const;

/**
 * Bundles `receiverProcess.ts`, the kit's sources (`@fineguide-webhooks/*`
 * from `<kitRoot>/packages/<name>/src`, so a change in core is tested without
 * a rebuild) and express and ioredis, into one ES module in `dir`, and returns
 * its path. `kitRoot` is this repository unless given: another checkout (say
 * `git archive <commit> packages | tar -x -C /tmp/old`) puts that version of
 * the kit into the receivers. A child then starts on plain `node` in about a third of the CPU
 * that loading the sources under tsx takes (some 0.5 s against 1.7 s), which
 * on a loaded machine with a dozen receivers to start is most of the short
 * run's time.
 *
 * @example
 * ```ts
 * const pool = new ReceiverPool(await bundleReceiver(workDir));
 * ```
 */
export async function bundleReceiver(dir: string, kitRoot: string = ROOT): Promise<string> {
  const outfile = join(dir, "receiver.mjs");
  await build({
    alias: Object.fromEntries(
      PACKAGES.map((name) => [
        `@fineguide-webhooks/${name}`,
        resolve(kitRoot, "packages", name, "src", "index.ts"),
      ]),
    ),
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: join(ROOT, "tsconfig.json"),
    // Dependencies of another checkout's packages come from this repository's node_modules.
    nodePaths: [join(ROOT, "node_modules")],
    // CommonJS dependencies (express, ioredis) call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    logLevel: "error",
  });
  return outfile;
}
