import { randomUUID } from "node:crypto";

/**
 * What every `bench/src/adapters/<framework>.ts` exports, for `npm run bench:adapters`.
 * Servers listen on 127.0.0.1, port 0, and answer POST {@link BENCH_PATH}.
 *
 * @example
 * ```ts
 * export const name = "express";
 * export async function bare() { ... return { url, close }; }
 * export async function adapter() { ... return { url, close }; }
 * export async function handRolled() { ... return { url, close }; }
 * ```
 */
export interface AdapterBench {
  /** The framework, as printed in the table. */
  readonly name: string;
  /** (a) The framework alone: parse the JSON body, answer 200. */
  bare(): Promise<BenchServer>;
  /** (b) The same app with our adapter and a no-op handler, secret {@link BENCH_SECRET}. */
  adapter(): Promise<BenchServer>;
  /**
   * (c) The same app with the hand-rolled receiver of `handRolled.ts` (secret
   * {@link BENCH_SECRET}, zod validation, lru-cache dedupe, no-op handler): the
   * minimum a careful integrator writes without our kit, to compare (b) with.
   */
  handRolled(): Promise<BenchServer>;
}

/** A running server under load. */
export interface BenchServer {
  /** Full URL of the route, e.g. `http://127.0.0.1:41234/webhook`. */
  readonly url: string;
  /**
   * The server's process id when it runs in a child process: the runner then
   * also reports its CPU time per request (Linux), which another process
   * competing for the cores disturbs far less than requests/s.
   */
  readonly pid?: number;
  close(): Promise<void>;
}

/** The secret the adapter and hand-rolled variants check (header `x-webhook-secret`). */
export const BENCH_SECRET = "bench-secret-0123456789";
/** The secret header, core's default. */
export const BENCH_HEADER = "x-webhook-secret";
/** The route every bench server answers. */
export const BENCH_PATH = "/webhook";

/**
 * A valid MESSAGE delivery with a fresh `messageId`, so dedupe (left on, in
 * memory) claims and completes a new key on every request: the real path.
 *
 * @example
 * ```ts
 * const body = benchDelivery(); // JSON text
 * ```
 */
export function benchDelivery(): string {
  return JSON.stringify({
    type: "MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
    role: "USER",
    message: "Hi, I need help with my order",
    messageId: randomUUID(),
  });
}

/** The headers of every bench request. */
export const BENCH_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  [BENCH_HEADER]: BENCH_SECRET,
};
