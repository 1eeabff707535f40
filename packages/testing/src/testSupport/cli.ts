/*
 * Runs the built bin, `node packages/testing/dist/cli.js`, as a user's `npx`
 * would: the shipped file, its shebang banner and its import of core's dist.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const testingDir = fileURLToPath(new URL("../../", import.meta.url));
const coreDir = fileURLToPath(new URL("../../../core/", import.meta.url));
/** The built CLI. */
export const CLI = `${testingDir}dist/cli.js`;

const newest = (dir: string, skip: (path: string) => boolean): number => {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (skip(path)) continue;
    const time = entry.isDirectory() ? newest(path, skip) : statSync(path).mtimeMs;
    latest = Math.max(latest, time);
  }
  return latest;
};

const notShipped = (path: string) =>
  path.endsWith(".test.ts") || path.includes("/testSupport") || path.includes("/contract");

/**
 * Throws a clear error when the built CLI (or core's build it imports) is
 * missing or older than its sources: these tests run what users run.
 */
export function assertBuilt(): void {
  const rebuild =
    "Run `npm run build` at the repo root (or `cd packages/core && npx tsup && cd ../testing && npx tsup`).";
  const coreDist = `${coreDir}dist/index.js`;
  if (!existsSync(CLI) || !existsSync(coreDist)) {
    throw new Error(
      `The CLI tests spawn the built bin, and ${CLI} or ${coreDist} is missing. ${rebuild}`,
    );
  }
  if (newest(`${testingDir}src`, notShipped) > statSync(CLI).mtimeMs) {
    throw new Error(`${CLI} is older than packages/testing/src. ${rebuild}`);
  }
  if (newest(`${coreDir}src`, notShipped) > statSync(coreDist).mtimeMs) {
    throw new Error(`${coreDist} is older than packages/core/src. ${rebuild}`);
  }
}

/** What a finished CLI run printed. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a spawned CLI: no colour unless a test asks for it. */
function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete out.FORCE_COLOR;
  delete out.FINEGUIDE_WEBHOOK_SECRET;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** Runs the CLI to completion. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cliEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI (`listen`): its lines as they come, and how to stop it. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves with the next stdout line matching `test`. */
  nextLine(test?: (line: string) => boolean): Promise<string>;
  /** Sends SIGTERM and resolves with the exit code and the stderr text. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** Spawns the CLI and returns once it is running (not once it is ready). */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let buffer = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const waiter = waiters.findIndex((w) => w.test(line));
      if (waiter === -1) lines.push(line);
      else waiters.splice(waiter, 1)[0]!.resolve(line);
      newline = buffer.indexOf("\n");
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    nextLine(test = () => true) {
      const index = lines.findIndex(test);
      if (index !== -1) return Promise.resolve(lines.splice(index, 1)[0]!);
      return new Promise<string>((resolve, reject) => {
        waiters.push({ test, resolve });
        exited.then((code) =>
          reject(new Error(`the CLI exited (${code}) before printing the line; stderr: ${stderr}`)),
        );
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return { code: await exited, stderr };
    },
  };
}
