import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";

/** A throw-away Postgres started by {@link startPostgres}. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly pid: number;
  /**
   * Stops the server by its pid and waits for its exit: SIGINT (fast
   * shutdown: open transactions roll back, clients are disconnected), or
   * SIGQUIT (immediate, as a crash: recovery runs at the next start).
   * Removes the data unless `keepData`.
   */
  stop(signal?: "SIGINT" | "SIGQUIT", keepData?: boolean): Promise<void>;
  /** Starts the same data again on the same port (after `stop(signal, true)`). */
  restart(): Promise<PostgresServer>;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  /** e.g. "15" */
  readonly major: string;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * `initdb` and `postgres`: from `$PG_BIN`, else the newest
 * `/usr/lib/postgresql/<major>/bin` (Debian's layout), else `$PATH`.
 */
export function findPostgres(): Binaries | undefined {
  const dirs: string[] = [];
  if (process.env.PG_BIN) dirs.push(process.env.PG_BIN);
  try {
    const majors = readdirSync("/usr/lib/postgresql")
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((major) => `/usr/lib/postgresql/${major}/bin`));
  } catch {}
  dirs.push(...(process.env.PATH ?? "").split(delimiter).filter(Boolean));
  for (const dir of dirs) {
    const postgres = join(dir, "postgres");
    const initdb = join(dir, "initdb");
    if (!executable(postgres) || !executable(initdb)) continue;
    const version = spawnSync(postgres, ["--version"], { encoding: "utf8" }).stdout ?? "";
    const major = /(\d+)(?:\.\d+)?/.exec(version)?.[1];
    if (major) return { initdb, postgres, major };
  }
  return undefined;
}

/**
 * Whether the Postgres tests can run. Under `CI=true` a missing Postgres
 * throws (the run must fail); elsewhere it warns why the tests are skipped.
 */
export function postgresAvailable(suite: string): boolean {
  if (findPostgres()) return true;
  const why =
    "postgres and initdb were not found ($PG_BIN, /usr/lib/postgresql/*/bin, $PATH); install the " +
    "Debian package `postgresql` (`.ci/run` does) to run them.";
  if (process.env.CI === "true") {
    throw new Error(`${suite}: ${why} Under CI=true the Postgres tests must run.`);
  }
  console.warn(`SKIPPED ${suite}: ${why}`);
  return false;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Postgres refuses to run as root: as root, the servers run as the
 * `postgres` user (the Debian package creates it) and own their folders.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error("running as root, and there is no `postgres` user to run Postgres as");
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function ownedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

function runAsServerUser(command: string, args: string[]): void {
  const user = serverUser();
  const result = spawnSync(command, args, {
    encoding: "utf8",
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (${result.status ?? result.signal}): ${result.stderr || result.error}`,
    );
  }
}

/**
 * A data folder made by initdb once per machine, user and major version, and
 * copied for every server (initdb takes seconds on a loaded machine, a copy
 * a fraction). Made in a temporary folder and renamed into place, so test
 * files starting together never see half of one.
 */
function template(binaries: Binaries): string {
  const uid = process.getuid?.() ?? "user";
  const path = join(tmpdir(), `fgw-pg-template-${binaries.major}-${uid}-v2`);
  if (existsSync(join(path, "PG_VERSION"))) return path;
  const build = ownedTempDir("fgw-pg-initdb-");
  try {
    runAsServerUser(binaries.initdb, [
      "-D",
      join(build, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "--wal-segsize=1", // 1 MB WAL segments instead of 16: less to copy per server
      "-E",
      "UTF8",
      "--no-instructions",
    ]);
    try {
      renameSync(join(build, "data"), path);
    } catch (error) {
      // Another test file made it first.
      if (!existsSync(join(path, "PG_VERSION"))) throw error;
    }
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return path;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** True when the server on `port` answers and serves `dataDir` (not some other server). */
async function answers(port: number, dataDir: string): Promise<boolean> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    connectionTimeoutMillis: 1000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    const result = await client.query<{ setting: string }>(
      "SELECT current_setting('data_directory') AS setting",
    );
    return result.rows[0]?.setting === dataDir;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function launch(
  binaries: Binaries,
  dir: string,
  port: number,
  logs: string[],
): Promise<PostgresServer> {
  const dataDir = join(dir, "data");
  const user = serverUser();
  const child = spawn(
    binaries.postgres,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      // A test server: nothing it holds must survive a power cut (no fsync), but a
      // commit must survive the server's own crash (synchronous_commit stays on: the
      // WAL is written to the kernel before COMMIT answers), as tests crash it.
      "-c",
      "fsync=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "shared_buffers=16MB",
      "-c",
      "max_connections=80",
      "-c",
      "log_min_messages=warning",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: "C.UTF-8" },
    },
  );
  const collect = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`postgres did not start: ${binaries.postgres}`);
  // Immediate shutdown if the test process exits first (its backends go too).
  const kill = () => {
    try {
      process.kill(pid, "SIGQUIT");
    } catch {}
  };
  process.once("exit", kill);

  const stop = async (signal: "SIGINT" | "SIGQUIT" = "SIGINT", keepData = false) => {
    process.off("exit", kill);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, signal);
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
      }, 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    if (!keepData) rmSync(dir, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`postgres exited on port ${port}: ${logs.join("").trim()}`);
    }
    if (await answers(port, dataDir)) {
      return {
        port,
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        pid,
        stop,
        restart: () => launch(binaries, dir, port, logs),
      };
    }
    await sleep(50);
  }
  await stop();
  throw new Error(`postgres did not answer on port ${port}: ${logs.join("").trim()}`);
}

/**
 * Starts a throw-away Postgres on 127.0.0.1 and a free port, on a copy of a
 * fresh cluster (trust authentication, user `postgres`, durability off), in
 * a temporary folder removed on stop. As root it runs as the `postgres`
 * user. Stop it with `stop()`; it is also shut down if the process exits.
 *
 * @example
 * ```ts
 * const server = await startPostgres();
 * const pool = new pg.Pool({ connectionString: server.url });
 * // ...
 * await pool.end();
 * await server.stop();
 * ```
 */
export async function startPostgres(): Promise<PostgresServer> {
  const binaries = findPostgres();
  if (!binaries) throw new Error("postgres and initdb were not found");
  const source = template(binaries);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = ownedTempDir("fgw-pg-");
    try {
      runAsServerUser("cp", ["-a", source, join(dir, "data")]);
      return await launch(binaries, dir, await freePort(), []);
    } catch (error) {
      lastError = error; // the port was taken between freePort() and the launch
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}
