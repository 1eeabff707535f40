import { type ChildProcess, spawn } from "node:child_process";
import type { ReceiverConfig } from "./receiverConfig.js";

/** What `GET /memory` of a child answers. */
export interface MemorySample extends NodeJS.MemoryUsage {
  /** Properties added to `Object.prototype` since the child started (should stay empty). */
  readonly polluted: readonly string[];
  /** The longest event-loop delay since the receiver started, in ms. */
  readonly maxLagMs: number;
}

/** A child receiver, listening. */
export interface Receiver {
  readonly pid: number;
  /** `http://127.0.0.1:<port>/webhook` */
  readonly url: string;
  readonly port: number;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Set when the process exited without being asked to (a crash): its exit and stderr. */
  crash(): string | undefined;
  /** Heap and RSS after a GC, from `GET /memory`. */
  memory(): Promise<MemorySample>;
  /** SIGKILL, as a crash of the machine would; resolves once it exited. */
  kill(): Promise<void>;
  /** Asks it to exit (IPC disconnect), SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** A child that loaded its modules and waits for its configuration. */
interface Spare {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** Its stderr so far (the last 4 kB). */
  stderr(): string;
  /** Marks the coming exit as asked for. */
  expect(): void;
  /** Whether an exit was asked for. */
  expected(): boolean;
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Every child still running, SIGKILLed if this process exits first. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Spawns the bundled `receiverProcess.ts` (`--expose-gc`); resolves once its modules are loaded. */
function spawnSpare(script: string): Promise<Spare> {
  const child = spawn(process.execPath, ["--expose-gc", script], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    if (!isRunning(child)) resolve();
    else child.once("exit", () => resolve());
  }).then(() => {
    running.delete(child);
  });
  let expected = false;
  const spare: Spare = {
    child,
    exited,
    stderr: () => stderr,
    expect: () => {
      expected = true;
    },
    expected: () => expected,
  };
  return new Promise<Spare>((resolve, reject) => {
    child.once("error", reject);
    void exited.then(() => reject(new Error(`receiver exited while loading: ${stderr.trim()}`)));
    child.once("message", () => resolve(spare));
  });
}

/** Sends the configuration to a spare and waits until it listens. */
function configure(spare: Spare, config: ReceiverConfig): Promise<Receiver> {
  const { child, exited } = spare;
  const pid = child.pid ?? 0;
  const alive = () => isRunning(child);
  const crash = () =>
    alive() || spare.expected()
      ? undefined
      : `exit ${child.exitCode ?? child.signalCode}: ${spare.stderr().trim()}`;
  return new Promise<Receiver>((resolve, reject) => {
    void exited.then(() => reject(new Error(`receiver exited before listening (${crash()})`)));
    child.once("message", (message: { port: number }) => {
      const { port } = message;
      resolve({
        pid,
        port,
        url: `http://127.0.0.1:${port}/webhook`,
        alive,
        crash,
        memory: async () => {
          const res = await fetch(`http://127.0.0.1:${port}/memory`);
          return (await res.json()) as MemorySample;
        },
        kill: async () => {
          spare.expect();
          if (alive()) child.kill("SIGKILL");
          await exited;
        },
        stop: async () => {
          spare.expect();
          if (alive()) {
            if (child.connected) child.disconnect();
            else child.kill("SIGTERM");
            const timer = setTimeout(() => alive() && child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
          }
        },
      });
    });
    child.send(config);
  });
}

/**
 * Starts child receivers from the bundle of `receiverProcess.ts` (see
 * `bundleReceiver`). Loading it takes a child half a second of CPU, seconds
 * on a loaded machine, so {@link ReceiverPool.prewarm} starts them ahead of
 * time, all at once; {@link ReceiverPool.start} then only configures one (a
 * few milliseconds), which keeps a restart in a scenario as quick as a
 * supervisor's and the scenarios' clocks honest.
 *
 * @example
 * ```ts
 * const pool = new ReceiverPool(await bundleReceiver(workDir));
 * pool.prewarm(2);
 * const receiver = await pool.start(config);
 * try { ... } finally { await receiver.stop(); await pool.close(); }
 * ```
 */
export class ReceiverPool {
  private readonly spares: Promise<Spare>[] = [];
  private readonly started: Receiver[] = [];

  /** @param script the bundled receiver (`bundleReceiver`) */
  constructor(private readonly script: string) {}

  /** Starts `count` more children in the background. */
  prewarm(count: number): void {
    for (let i = 0; i < count; i++) {
      const spare = spawnSpare(this.script);
      spare.catch(() => {}); // reported by start(), if it is ever taken
      this.spares.push(spare);
    }
  }

  /** Waits until every prewarmed child has loaded (or failed to: `start` reports that). */
  async ready(): Promise<void> {
    await Promise.allSettled(this.spares);
  }

  /** A receiver with `config`: a prewarmed child if one is left, else a new one. */
  async start(config: ReceiverConfig): Promise<Receiver> {
    const spare = await (this.spares.shift() ?? spawnSpare(this.script));
    const receiver = await configure(spare, config);
    this.started.push(receiver);
    return receiver;
  }

  /** Stops every receiver it started and every spare left. */
  async close(): Promise<void> {
    const spares = this.spares.splice(0);
    await Promise.all([
      ...this.started.splice(0).map((receiver) => receiver.stop()),
      ...spares.map(async (pending) => {
        const spare = await pending.catch(() => undefined);
        if (!spare) return;
        spare.expect();
        if (isRunning(spare.child)) spare.child.kill("SIGKILL");
        await spare.exited;
      }),
    ]);
  }
}
