/** Receivers in child processes (receiverProcess.ts), and a vendor-like client for them. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type messageEvent, sleep } from "./events.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./receiverProcess.ts", import.meta.url));
export const SECRET = "sql-receivers-secret";
/**
 * Long enough that nothing in a test depends on how fast a loaded machine
 * runs (lease > deadline). A test that needs a crashed receiver's claim to
 * lapse moves its lease into the past in the database, standing in for
 * the minute FineGuide waits before its first retry.
 */
export const TIMING = { DEADLINE_MS: "20000", LEASE_MS: "30000" };

export interface Receiver {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts receiverProcess.ts in a child process (tsx) and waits for its port. */
export function startReceiver(env: Record<string, string>) {
  return new Promise<Receiver>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      env: { ...process.env, SECRET, ...TIMING, ...env },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`receiver exited early (${code ?? signal}): ${stderr}`)),
    );
    child.once("message", (message: { port: number }) => {
      resolve({ child, url: `http://127.0.0.1:${message.port}/webhooks` });
    });
  });
}

export async function stopReceiver(receiver: Receiver | undefined): Promise<void> {
  const child = receiver?.child;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export async function kill(receiver: Receiver): Promise<void> {
  const exited = new Promise((resolve) => receiver.child.once("exit", resolve));
  process.kill(receiver.child.pid!, "SIGKILL");
  await exited;
}

export type Event = ReturnType<typeof messageEvent>;

export const post = async (url: string, event: Event) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
    body: JSON.stringify(event),
  });
  const json = (await res.json()) as { duplicate?: true; error?: { code: string } };
  return res.ok ? (json.duplicate ? "duplicate" : "processed") : json.error!.code;
};

/** Delivers like the vendor: again, after a short pause, until a 2xx; the answers seen. */
export async function deliverUntilOk(url: string, event: Event): Promise<string[]> {
  const answers: string[] = [];
  for (let attempt = 0; attempt < 2000; attempt++) {
    const answer = await post(url, event);
    answers.push(answer);
    if (answer === "processed" || answer === "duplicate") return answers;
    await sleep(5 + Math.random() * 20);
  }
  throw new Error(`never got a 2xx: ${answers.slice(-5).join(", ")}`);
}
