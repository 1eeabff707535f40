/*
 * What a new user meets (issue 13), from the tarballs npm would publish:
 *
 * 1. `npm pack` every package, and run attw (`@arethetypeswrong/cli`) on each tarball;
 * 2. install the tarballs, with the frameworks and clients the READMEs name, into a
 *    temporary project holding three consumers: ESM (`module: nodenext`), `bundler`
 *    resolution, and CommonJS (`type: commonjs`, `module: nodenext`);
 * 3. compile each README quick start with `tsc --strict` in each consumer it fits
 *    (the names a README leaves to the reader, `helpdesk`, `crm`, ..., come from a
 *    prelude);
 * 4. run the runnable ones on a free port and audit them with the installed
 *    `fineguide-webhooks check` (20 of 20), run the testing README's vitest test,
 *    and run the `npx fineguide-webhooks --help` of the installed bin.
 *
 * Needs the build (`npm run build`) and the npm registry (or npm's cache) for the
 * third-party packages. Run with `npm run test:packaging`; `.ci/run` runs it
 * after `npm test`. Set KEEP_PACKAGING_DIR=1 to keep the temporary project.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
const started = Date.now();
const failures: string[] = [];
const passes: string[] = [];
const SECRET = "packaging-check-secret";

const step = (message: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const ok = (message: string) => {
  passes.push(message);
  console.log(`  ✓ ${message}`);
};
const fail = (message: string) => {
  failures.push(message);
  console.log(`  ✗ ${message}`);
};

async function sh(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout}${e.stderr}` };
  }
}

// ---------------------------------------------------------------------------
// 1. pack and attw
// ---------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), "fineguide-packaging-"));
const packs = join(work, "packs");
mkdirSync(packs);
const packages = readdirSync(join(root, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => {
    try {
      return readdirSync(join(root, "packages", name, "dist")).length > 0;
    } catch {
      return false;
    }
  });

step(`packing ${packages.join(", ")}`);
const tarballs = new Map<string, string>();
for (const name of packages) {
  const packed = await sh(
    "npm",
    ["pack", "--json", "--ignore-scripts", "--pack-destination", packs],
    join(root, "packages", name),
  );
  const info = JSON.parse(packed.out.slice(packed.out.indexOf("["))) as { filename: string }[];
  tarballs.set(name, join(packs, info[0]?.filename ?? ""));
}

step("attw on every tarball");
const attw = join(root, "node_modules/.bin/attw");
await Promise.all(
  [...tarballs].map(async ([name, tarball]) => {
    const result = await sh(attw, [tarball, "--format", "ascii"], work);
    if (result.code === 0) ok(`attw: @fineguide-webhooks/${name}`);
    else fail(`attw: @fineguide-webhooks/${name}\n${result.out}`);
  }),
);

// ---------------------------------------------------------------------------
// 2. the consumer project
// ---------------------------------------------------------------------------

const project = join(work, "consumer");
mkdirSync(project);
const own = Object.fromEntries(
  [...tarballs].map(([name, tarball]) => [`@fineguide-webhooks/${name}`, `file:${tarball}`]),
);
writeFileSync(
  join(project, "package.json"),
  JSON.stringify(
    {
      name: "fineguide-webhooks-consumer",
      private: true,
      type: "module",
      dependencies: {
        ...own,
        // the versions the monorepo tests with (so npm's cache has them), and node-redis 4
        express: "^5.3.0",
        "@types/express": "^5.0.6",
        hono: "^4.13.19",
        "@hono/node-server": "^2.1.9",
        fastify: "^5.12.8",
        ioredis: "^6.0.0",
        redis: "^6.3.1",
        redis4: "npm:redis@^4.7.0",
        vitest: "^4.1.12",
        supertest: "^7.3.2",
        "@types/supertest": "^7.2.1",
        typescript: "~5.9.3",
        "@types/node": "^20.19.43",
        esbuild: "^0.27.7",
      },
      // one copy of core for every package, as npm dedupes it from the registry
      overrides: { "@fineguide-webhooks/core": `file:${tarballs.get("core")}` },
    },
    null,
    2,
  ),
);
step("installing the tarballs and what the READMEs name into a fresh project");
const install = await sh(
  "npm",
  ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
  project,
);
if (install.code !== 0) {
  fail(`npm install in the consumer project\n${install.out}`);
  finish();
}
ok("npm install of every tarball");

const kinds = {
  esm: {
    packageType: "module",
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", outDir: "out" },
  },
  bundler: {
    packageType: "module",
    compilerOptions: { module: "esnext", moduleResolution: "bundler", noEmit: true },
  },
  cjs: {
    packageType: "commonjs",
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", outDir: "out" },
  },
} as const;
type Kind = keyof typeof kinds;

for (const [kind, setup] of Object.entries(kinds)) {
  const dir = join(project, kind);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: setup.packageType }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          ...setup.compilerOptions,
          target: "es2022",
          strict: true,
          skipLibCheck: false,
          types: ["node"],
          lib: ["es2023", "dom"],
        },
        include: ["*.ts"],
      },
      null,
      2,
    ),
  );
}

// ---------------------------------------------------------------------------
// 3. the README quick starts
// ---------------------------------------------------------------------------

/** The ```ts blocks of a README section (from its `## ` heading to the next). */
function blocks(readme: string, heading: string): string[] {
  const text = readFileSync(join(root, readme), "utf8");
  const start = text.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`${readme} has no section "${heading}"`);
  const end = text.indexOf("\n## ", start + 4);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

/** The reader's own code the quick starts call: stand-ins that do nothing. */
const prelude = `
const stub = async (..._args: unknown[]): Promise<void> => {};
const helpdesk = { open: stub };
const crm = { upsert: stub };
const slack = { post: stub };
const db = { tickets: { insert: stub } };
const logger = { warn: (..._args: unknown[]): void => {} };
const secret = process.env.FINEGUIDE_WEBHOOK_SECRET ?? "";
void helpdesk; void crm; void slack; void db; void logger; void secret;
`;
/** Declarations for blocks that name other runtimes (compiled, not run). */
const runtimes = `
declare const Bun: { serve(options: { port: number; fetch: (request: Request) => Promise<Response> }): unknown };
declare const Deno: { serve(options: { port: number }, handler: (request: Request) => Promise<Response>): unknown };
`;

interface QuickStart {
  /** File name in the consumer. */
  readonly name: string;
  readonly code: string;
  /** Consumers it compiles in (top-level await rules out CommonJS). */
  readonly kinds: readonly Kind[];
  /** How to run it in the ESM consumer and where it listens, if it is run. */
  readonly serve?: "self" | "hono";
  /** The path it answers on. */
  readonly path?: string;
}

const only = (list: string[], index: number, readme: string): string => {
  const block = list[index];
  if (block === undefined) throw new Error(`${readme}: no ts block #${index + 1}`);
  return block;
};
const rootQuick = blocks("README.md", "Quick start");
const coreQuick = blocks("packages/core/README.md", "Quick start");
const coreFree = blocks("packages/core/README.md", "Without a framework: Fetch and `node:http`");
const expressQuick = blocks("packages/express/README.md", "Quick start");
const honoQuick = blocks("packages/hono/README.md", "Quick start");
const fastifyQuick = blocks("packages/fastify/README.md", "Quick start");
const redisQuick = blocks("packages/redis/README.md", "Quick start");
const testingQuick = blocks("packages/testing/README.md", "Quick start: a supertest test");
const contractBlock = blocks("packages/testing/README.md", "Contract suite");
const all: Kind[] = ["esm", "bundler", "cjs"];
const esmOnly: Kind[] = ["esm", "bundler"];

const quickStarts: QuickStart[] = [
  { name: "root", code: only(rootQuick, 0, "README.md"), kinds: all, serve: "self" },
  { name: "core", code: only(coreQuick, 0, "core"), kinds: all, serve: "self" },
  { name: "core-fetch", code: runtimes + only(coreFree, 0, "core"), kinds: esmOnly },
  { name: "core-node", code: only(coreFree, 1, "core"), kinds: all, serve: "self" },
  { name: "express", code: only(expressQuick, 0, "express"), kinds: all, serve: "self" },
  { name: "hono", code: only(honoQuick, 0, "hono"), kinds: esmOnly, serve: "hono" },
  { name: "fastify", code: only(fastifyQuick, 0, "fastify"), kinds: esmOnly, serve: "self" },
  {
    name: "redis-ioredis",
    code: `${only(redisQuick, 0, "redis")}\nvoid webhooks;`,
    kinds: esmOnly,
  },
  {
    name: "redis-node-redis",
    code: `import { createWebhooks } from "@fineguide-webhooks/core";\nimport { redisStore } from "@fineguide-webhooks/redis";\n${only(redisQuick, 1, "redis")}\nvoid webhooks;`,
    kinds: esmOnly,
  },
  {
    // the same snippet against node-redis 4, which the peer range includes
    name: "redis-node-redis4",
    code: `import { createWebhooks } from "@fineguide-webhooks/core";\nimport { redisStore } from "@fineguide-webhooks/redis";\n${only(redisQuick, 1, "redis").replace('from "redis"', 'from "redis4"')}\nvoid webhooks;`,
    kinds: esmOnly,
  },
];

/** Where the prelude goes: after the imports, so that `import` stays first. */
function withPrelude(code: string, port: number): string {
  const lines = code.replaceAll("3000", String(port)).split("\n");
  let last = -1;
  let inImport = false;
  lines.forEach((line, i) => {
    if (/^import\s/.test(line)) inImport = !/from\s+["'][^"']+["'];?\s*$|^import\s+["']/.test(line);
    else if (inImport && /from\s+["'][^"']+["'];?\s*$/.test(line)) inImport = false;
    else return;
    if (!inImport) last = i;
  });
  lines.splice(last + 1, 0, prelude);
  return lines.join("\n");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const ports = new Map<string, number>();
for (const quick of quickStarts) {
  const port = await freePort();
  ports.set(quick.name, port);
  for (const kind of quick.kinds) {
    writeFileSync(join(project, kind, `${quick.name}.ts`), withPrelude(quick.code, port));
  }
}
// The testing README's app and test, in the ESM consumer's own folder.
const testDir = join(project, "esm-test");
mkdirSync(testDir);
writeFileSync(join(testDir, "package.json"), JSON.stringify({ type: "module" }));
writeFileSync(join(testDir, "app.ts"), only(testingQuick, 0, "testing"));
writeFileSync(join(testDir, "app.test.ts"), only(testingQuick, 1, "testing"));
writeFileSync(join(testDir, "contract.test.ts"), only(contractBlock, 0, "testing"));
writeFileSync(
  join(testDir, "tsconfig.json"),
  readFileSync(join(project, "esm", "tsconfig.json"), "utf8").replace('"outDir":"out"', ""),
);

step("tsc --strict in each consumer");
const tsc = join(project, "node_modules/.bin/tsc");
await Promise.all(
  ([...Object.keys(kinds), "esm-test"] as const).map(async (kind) => {
    const args = kind === "esm-test" ? ["-p", ".", "--noEmit"] : ["-p", "."];
    const result = await sh(tsc, args, join(project, kind));
    const files = kind === "esm-test" ? ["app", "app.test", "contract.test"] : undefined;
    const names =
      files ?? quickStarts.filter((q) => q.kinds.includes(kind as Kind)).map((q) => q.name);
    if (result.code === 0) ok(`tsc --strict (${kind}): ${names.join(", ")}`);
    else fail(`tsc --strict (${kind})\n${result.out}`);
  }),
);

// ---------------------------------------------------------------------------
// 4. run them and audit them with the installed CLI
// ---------------------------------------------------------------------------

const bin = join(project, "node_modules/.bin/fineguide-webhooks");
const help = await sh(bin, ["--help"], project);
if (help.code === 0 && help.out.includes("Usage: fineguide-webhooks")) {
  ok("the installed bin: fineguide-webhooks --help");
} else fail(`the installed bin: fineguide-webhooks --help\n${help.out}`);

/** Waits until something accepts connections on the port. */
async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`not listening after 20 s: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function audit(quick: QuickStart, kind: "esm" | "cjs"): Promise<void> {
  const port = ports.get(quick.name) ?? 0;
  const dir = join(project, kind);
  let entry = join(dir, "out", `${quick.name}.js`);
  if (quick.serve === "hono") {
    entry = join(dir, "out", `${quick.name}-serve.mjs`);
    writeFileSync(
      entry,
      `import { serve } from "@hono/node-server";\nimport app from "./${quick.name}.js";\nserve({ fetch: app.fetch, port: ${port}, hostname: "127.0.0.1" });\n`,
    );
  }
  let output = "";
  const child = spawn(process.execPath, [entry], {
    cwd: dir,
    env: { ...process.env, FINEGUIDE_WEBHOOK_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  const label = `${quick.name} quick start (${kind}): check`;
  try {
    await listening(port, child, () => output);
    const checked = await sh(
      bin,
      ["check", "--url", `http://127.0.0.1:${port}${quick.path ?? "/webhook"}`, "--json"],
      project,
      { ...process.env, FINEGUIDE_WEBHOOK_SECRET: SECRET },
    );
    const report = JSON.parse(checked.out.slice(checked.out.indexOf("{"))) as {
      results?: { pass: boolean }[];
    };
    const results = report.results ?? [];
    const passed = results.filter((r) => r.pass).length;
    if (checked.code === 0 && results.length === 20 && passed === 20) ok(`${label} 20 of 20`);
    else fail(`${label} ${passed} of ${results.length}\n${checked.out.slice(0, 2000)}`);
  } catch (error) {
    fail(`${label}: ${(error as Error).message}`);
  } finally {
    child.kill("SIGKILL");
  }
}

step("running each quick start and auditing it with the installed check");
for (const quick of quickStarts) {
  if (!quick.serve) continue;
  for (const kind of ["esm", "cjs"] as const) {
    if (quick.kinds.includes(kind)) await audit(quick, kind);
  }
}

step("bundling the core quick start (bundler consumer) with esbuild and auditing the bundle");
{
  const quick = quickStarts.find((q) => q.name === "core-node");
  const bundled = join(project, "bundler", "core-node.bundle.mjs");
  const esbuild = join(project, "node_modules/.bin/esbuild");
  const result = await sh(
    esbuild,
    [
      join(project, "bundler", "core-node.ts"),
      "--bundle",
      "--platform=node",
      "--format=esm",
      `--outfile=${bundled}`,
    ],
    project,
  );
  if (result.code !== 0 || quick === undefined) fail(`esbuild of core-node\n${result.out}`);
  else {
    const port = ports.get(quick.name) ?? 0;
    let output = "";
    const child = spawn(process.execPath, [bundled], {
      env: { ...process.env, FINEGUIDE_WEBHOOK_SECRET: SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    try {
      await listening(port, child, () => output);
      const checked = await sh(
        bin,
        ["check", "--url", `http://127.0.0.1:${port}/webhook`, "--json"],
        project,
        { ...process.env, FINEGUIDE_WEBHOOK_SECRET: SECRET },
      );
      if (checked.code === 0) ok("core-node quick start (bundler, esbuild bundle): check 20 of 20");
      else fail(`core-node bundle: check\n${checked.out.slice(0, 2000)}`);
    } catch (error) {
      fail(`core-node bundle: ${(error as Error).message}`);
    } finally {
      child.kill("SIGKILL");
    }
  }
}

step("the testing README's test and contract suite, with vitest, in the consumer");
{
  const vitest = join(project, "node_modules/.bin/vitest");
  const result = await sh(vitest, ["run", "--root", testDir], testDir);
  const summary = result.out.match(/Tests\s+[^\n]*/)?.[0] ?? "";
  if (result.code === 0) ok(`vitest (testing README: app.test.ts, contract.test.ts): ${summary}`);
  else fail(`vitest in the consumer\n${result.out.slice(-3000)}`);
}

finish();

function finish(): never {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (process.env.KEEP_PACKAGING_DIR) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  for (const failure of failures) console.log(`✗ ${failure.split("\n")[0]}`);
  console.log(`packaging checks took ${seconds} s`);
  console.log(`packaging: ${passes.length} passed, ${failures.length} failed`);
  process.exit(failures.length > 0 ? 1 : 0);
}
