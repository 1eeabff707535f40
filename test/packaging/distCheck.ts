/*
 * Fast checks of the built packages, run by `npm test` after the build
 * (issue 13): core's bundle budget, `node:` kept in every import of a Node
 * built-in, and what each package's tarball must carry.
 *
 *   npx tsx test/packaging/distCheck.ts
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Core with its dependencies (zod, lru-cache), minified and gzipped. */
export const CORE_BUDGET_BYTES = 45 * 1024;

const run = promisify(execFile);
const failures: string[] = [];
const fail = (message: string) => failures.push(message);

/** Minified and gzipped size of an entry bundled with its dependencies, for any platform. */
async function bundleSize(entry: string): Promise<{ min: number; gzip: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    // neutral: a bare `crypto` or `buffer` fails to resolve, as in a browser or edge bundle
    platform: "neutral",
    mainFields: ["module", "main"],
    external: ["node:*"],
    tsconfigRaw: {},
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

for (const entry of ["index", "json-schema"]) {
  try {
    const size = await bundleSize(`${root}packages/core/dist/${entry}.js`);
    console.log(`core/${entry}: ${kb(size.min)} min, ${kb(size.gzip)} min+gzip`);
    if (entry === "index" && size.gzip > CORE_BUDGET_BYTES) {
      fail(
        `core's bundle is ${kb(size.gzip)} min+gzip, over its budget of ${kb(CORE_BUDGET_BYTES)}`,
      );
    }
  } catch (error) {
    fail(`core/${entry} does not bundle for a neutral platform: ${(error as Error).message}`);
  }
}

const packages = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const bare = new RegExp(
  `(?:from\\s*|import\\s*\\(\\s*|require\\(\\s*|import\\s+)["'](${builtinModules
    .filter((name) => !name.startsWith("_") && !name.includes(":"))
    .map((name) => name.replace(/[/]/g, "\\/"))
    .join("|")})["']`,
  "g",
);

await Promise.all(packages.map((name) => checkPackage(name)));

async function checkPackage(name: string): Promise<void> {
  const dir = `${root}packages/${name}`;
  let files: string[];
  try {
    files = readdirSync(`${dir}/dist`).filter((file) => /\.(c|m)?js$/.test(file));
  } catch {
    return; // not built (a package still being written)
  }
  for (const file of files) {
    for (const match of readFileSync(`${dir}/dist/${file}`, "utf8").matchAll(bare)) {
      fail(`packages/${name}/dist/${file} imports "${match[1]}" without "node:"`);
    }
  }
  const packed = JSON.parse(
    (
      await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: dir,
        encoding: "utf8",
      })
    ).stdout,
  ) as { files: { path: string }[] }[];
  const paths = new Set(packed[0]?.files.map((file) => file.path));
  for (const required of ["LICENSE", "README.md", "package.json"]) {
    if (!paths.has(required) && !(required === "README.md" && !hasReadme(dir))) {
      fail(`@fineguide-webhooks/${name}'s tarball lacks ${required}`);
    }
  }
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as {
    bin?: Record<string, string>;
  };
  for (const [command, path] of Object.entries(pkg.bin ?? {})) {
    if (!paths.has(path))
      fail(`@fineguide-webhooks/${name}'s bin ${command} (${path}) is not packed`);
  }
  if (hasReadme(dir)) {
    const readme = readFileSync(`${dir}/README.md`, "utf8");
    // npm shows the README without the repository: relative links must stay inside the tarball.
    for (const link of readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
      const target = link[1] ?? "";
      if (/^[a-z]+:/i.test(target)) continue;
      const path = target.replace(/^\.\//, "").replace(/\/$/, "");
      if (!paths.has(path) && ![...paths].some((file) => file.startsWith(`${path}/`))) {
        fail(`packages/${name}/README.md links to ${target}, which its tarball does not contain`);
      }
    }
  }
}

function hasReadme(dir: string): boolean {
  try {
    readFileSync(`${dir}/README.md`);
    return true;
  } catch {
    return false;
  }
}

/*
 * Every package a README's quick start imports is on that README's install lines
 * (with its @types package where it has no types of its own), so a reader who
 * copies both gets a program that compiles.
 */
const untyped: Record<string, string> = {
  express: "@types/express",
  supertest: "@types/supertest",
};
const readmes: [string, (block: string, index: number) => boolean][] = [
  ["README.md", () => true],
  ...packages.map((name): [string, (block: string, index: number) => boolean] => [
    `packages/${name}/README.md`,
    // the testing README's app.ts is the reader's own app; its test is what the install serves
    (_block, index) => name !== "testing" || index > 0,
  ]),
];
for (const [readme, counts] of readmes) {
  let text: string;
  try {
    text = readFileSync(`${root}${readme}`, "utf8");
  } catch {
    continue;
  }
  const installed = new Set(
    [...text.matchAll(/^npm install (.*)$/gm)].flatMap((line) =>
      (line[1] ?? "").split(/[\s:]+/).filter((word) => /^[@a-z]/.test(word)),
    ),
  );
  const start = text.search(/^## Quick start/m);
  if (start === -1) continue;
  const end = text.indexOf("\n## ", start + 4);
  const blocks = [
    ...text.slice(start, end === -1 ? undefined : end).matchAll(/```ts\n([\s\S]*?)```/g),
  ];
  blocks.forEach((block, index) => {
    if (!counts(block[1] ?? "", index)) return;
    for (const imported of (block[1] ?? "").matchAll(/from "([^".][^"]*)"/g)) {
      const specifier = imported[1] ?? "";
      if (specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
      for (const needed of [name, untyped[name]]) {
        if (needed !== undefined && !installed.has(needed)) {
          fail(`${readme}: the quick start imports ${name}, but no install line names ${needed}`);
        }
      }
    }
  });
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`✗ ${failure}`);
  process.exit(1);
}
console.log(`dist check: ${packages.length} packages ok`);
