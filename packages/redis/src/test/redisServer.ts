import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** A redis-server started by {@link startRedisServer}. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /**
   * Stops the server by its pid and waits for its exit: SIGTERM (then SIGKILL
   * after 5 s), or SIGKILL at once to simulate a crash.
   */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Listen on this port (e.g. to restart on the same port); default a free one. */
  readonly port?: number;
  /**
   * Start in cluster mode as a one-node cluster that owns every slot, so
   * cluster clients (and the key rules of scripts in a cluster) can be tested.
   */
  readonly cluster?: boolean;
}

/** The path of `redis-server` (`$REDIS_SERVER`, else the first on `$PATH`), or undefined. */
export function findRedisServer(): string | undefined {
  const candidates = [
    process.env.REDIS_SERVER,
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => dir && join(dir, "redis-server")),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * Whether the Redis tests can run. Under `CI=true` a missing redis-server
 * throws (the run must fail); elsewhere it warns why the tests are skipped.
 */
export function redisServerAvailable(suite: string): boolean {
  if (findRedisServer()) return true;
  const why =
    "redis-server was not found on $PATH (nor in $REDIS_SERVER); install the Debian package " +
    "`redis-server` (`.ci/run` does) to run them.";
  if (process.env.CI === "true") {
    throw new Error(`${suite}: ${why} Under CI=true the Redis tests must run.`);
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

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a complete RESP reply (simple, error, integer or bulk string) is in `text`. */
function complete(text: string): boolean {
  const eol = text.indexOf("\r\n");
  if (eol < 0) return false;
  if (!text.startsWith("$")) return true;
  const length = Number(text.slice(1, eol));
  return length < 0 || Buffer.byteLength(text, "latin1") >= eol + 2 + length + 2;
}

/** Sends one inline command (no arguments with spaces) and returns the raw reply. */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(2000, () => {
      socket.destroy();
      reject(new Error(`no reply to ${command}`));
    });
    socket.once("error", reject);
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (complete(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
  });
}

/** True when the server on `port` answers and is the process `pid` (not some other server). */
const answers = (port: number, pid: number) =>
  send(port, "INFO server").then(
    (info) => info.includes(`process_id:${pid}\r\n`),
    () => false,
  );

async function launch(binary: string, port: number, cluster: boolean): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "fgw-redis-"));
  const child = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
      "--loglevel",
      "warning",
      ...(cluster
        ? [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-announce-ip",
            "127.0.0.1",
          ]
        : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${binary}`);
  }
  const kill = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", kill);

  const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
    process.off("exit", kill);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, signal);
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
      }, 5000);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`redis-server exited on port ${port}: ${output.trim()}`);
    }
    if (await answers(port, pid)) {
      try {
        if (cluster) await ownAllSlots(port);
      } catch (error) {
        await stop();
        throw error;
      }
      return { port, url: `redis://127.0.0.1:${port}`, pid, stop };
    }
    await sleep(25);
  }
  await stop();
  throw new Error(`redis-server did not answer on port ${port}: ${output.trim()}`);
}

/** Makes a fresh cluster node own slots 0-16383 and waits for `cluster_state:ok`. */
async function ownAllSlots(port: number): Promise<void> {
  const added = await send(port, "CLUSTER ADDSLOTSRANGE 0 16383");
  if (!added.startsWith("+OK")) throw new Error(`CLUSTER ADDSLOTSRANGE: ${added.trim()}`);
  for (let attempt = 0; attempt < 400; attempt++) {
    if ((await send(port, "CLUSTER INFO")).includes("cluster_state:ok")) return;
    await sleep(25);
  }
  throw new Error("the one-node cluster never reached cluster_state:ok");
}

/**
 * Starts a throw-away `redis-server` on 127.0.0.1 with persistence off
 * (`--save "" --appendonly no`, in a fresh temporary directory removed on
 * stop), on a free port unless one is given; optionally as a one-node cluster.
 * Stop it with `stop()`; it is also killed if the process exits first.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url);
 * // ...
 * await client.quit();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server was not found on $PATH (nor in $REDIS_SERVER)");
  const cluster = options.cluster === true;
  if (options.port !== undefined) return launch(binary, options.port, cluster);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await launch(binary, await freePort(), cluster);
    } catch (error) {
      lastError = error; // the port was taken between freePort() and the launch
    }
  }
  throw lastError;
}
