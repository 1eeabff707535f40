/**
 * A redis-server that keeps its data across a crash: append-only file with
 * `appendfsync always` (every write is on disk before Redis answers it), in
 * its own directory, restartable on the same port. The Redis store's
 * `startRedisServer()` runs without persistence and deletes its directory on
 * stop, which is right for a dedupe store's tests but loses every job on a
 * restart; a queue needs AOF (see the README).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRedisServer, freePort } from "../../../redis/src/test/redisServer.js";

/** A persistent redis-server (see the module's comment). */
export interface PersistentRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: a crash, nothing flushed beyond what `always` already wrote). */
  crash(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something on `port` answers PING with PONG. */
const pong = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(1_000, () => {
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

/** Starts a persistent redis-server on a free port. */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server was not found on $PATH (nor in $REDIS_SERVER)");
  const dir = mkdtempSync(join(tmpdir(), "fgw-bullmq-aof-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once("exit", () => resolve());
    });
  const launch = async () => {
    const started = spawn(
      binary,
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
        ...["--appendonly", "yes", "--appendfsync", "always", "--loglevel", "warning"],
      ],
      { stdio: "ignore" },
    );
    child = started;
    for (let attempt = 0; attempt < 400; attempt++) {
      if (started.exitCode !== null) throw new Error(`redis-server exited on port ${port}`);
      if (await pong(port)) return;
      await sleep(25);
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const kill = (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null)
      return Promise.resolve();
    running.kill(signal);
    return exited(running);
  };
  const onExit = () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    crash: () => kill("SIGKILL"),
    restart: launch,
    stop: async () => {
      process.off("exit", onExit);
      await kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
