/**
 * Child processes of the multi-process tests: a module run with tsx from the
 * repository root (so `@fineguide-webhooks/*` resolve to sources), which
 * reports readiness with one IPC message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A running child and the message it sent when ready. */
export interface Child<M> {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ready: M;
  /** Sends `signal` (default SIGTERM, then SIGKILL after 5 s) and waits for the exit. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** Starts `module` (a URL next to this file) with `env` and waits for its first IPC message. */
export function startChild<M>(module: URL, env: Record<string, string>): Promise<Child<M>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(module)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once("exit", () => done());
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`${module.pathname} exited early (${code ?? signal}): ${stderr}`)),
    );
    child.once("message", (ready: M) => {
      const pid = child.pid!;
      const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(signal);
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(timer);
        }
      };
      process.once("exit", () => child.kill("SIGKILL"));
      resolve({ child, pid, ready, stop });
    });
  });
}
