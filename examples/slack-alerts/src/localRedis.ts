import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A redis-server this example started, or the one REDIS_URL names. */
export interface LocalRedis {
  readonly url: string;
  /** Whether this process started it (and `stop()` stops it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/** Thrown when REDIS_URL is not set and there is no `redis-server` to start. */
export class RedisServerMissing extends Error {
  override readonly name = "RedisServerMissing";
  constructor() {
    super(
      "REDIS_URL is not set and `redis-server` was not found on the PATH. Install it " +
        "(Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) " +
        "or point REDIS_URL at a Redis you have (e.g. REDIS_URL=redis://127.0.0.1:6379).",
    );
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const answersPing = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith("+PONG"));
    });
  });

/**
 * `env.REDIS_URL` when set; otherwise starts `redis-server` on a free
 * 127.0.0.1 port, with the append-only file on (what a queue needs: a job
 * Redis acknowledged survives a crash) in a temporary directory removed by
 * `stop()`. Throws {@link RedisServerMissing} when there is none to start.
 *
 * @example
 * ```ts
 * const redis = await localRedis(process.env); // { url: "redis://127.0.0.1:41234", started: true }
 * ```
 */
export async function localRedis(env: NodeJS.ProcessEnv): Promise<LocalRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, started: false, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "slack-alerts-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    env.REDIS_SERVER || "redis-server",
    [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
      ...["--appendonly", "yes", "--appendfsync", "everysec", "--loglevel", "warning"],
    ],
    { stdio: "ignore" },
  );
  const failed = once(child, "error").then(([error]) => error as NodeJS.ErrnoException);
  const cleanUp = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanUp);
  const stop = async () => {
    process.off("exit", cleanUp);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 400 && child.exitCode === null; attempt++) {
    const outcome = await Promise.race([failed, answersPing(port)]);
    if (outcome === true) return { url: `redis://127.0.0.1:${port}`, started: true, stop };
    if (outcome instanceof Error) {
      await stop();
      if (outcome.code === "ENOENT") throw new RedisServerMissing();
      throw outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop();
  throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
}
