import { type Agent, request } from "node:http";
import { connect } from "node:net";
import type { HostileInput } from "./hostileInputs.js";

/** What came back: a status, or why none did. */
export interface HostileAnswer {
  readonly status?: number;
  /** `no answer` (the socket closed without one), `timeout`, or a socket error's code. */
  readonly error?: string;
}

/** How long to wait for any answer, in ms: the vendor's 30 s (a loaded machine can take seconds). */
const TIMEOUT_MS = 30_000;

function overHttp(input: HostileInput, port: number, agent: Agent): Promise<HostileAnswer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/webhook",
        method: input.method,
        headers: { ...input.headers, "content-length": String(input.body.length) },
        agent,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ error: "timeout" });
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? "error" }));
    req.end(input.body);
  });
}

/** Writes `bytes`, then (with `close`) half-closes; resolves with the status line's code, if any. */
function overSocket(port: number, bytes: Buffer, close: boolean): Promise<HostileAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve(status ? { status: Number(status) } : { error: "no answer" });
    };
    socket.setTimeout(TIMEOUT_MS, done);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (!close && received.includes("\r\n\r\n")) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", () => {
      socket.write(bytes);
      if (close) socket.end();
    });
  });
}

/**
 * Sends one hostile request to the receiver on `port` of 127.0.0.1 and
 * reports the status it got: whole requests through `agent` (keep-alive),
 * cut-off bodies and broken HTTP over their own sockets.
 *
 * @example
 * ```ts
 * const answer = await sendHostile(next(), receiver.port, new Agent({ keepAlive: true }));
 * ```
 */
export function sendHostile(
  input: HostileInput,
  port: number,
  agent: Agent,
): Promise<HostileAnswer> {
  if (input.transport === "http") return overHttp(input, port, agent);
  if (input.transport === "raw") return overSocket(port, input.body, false);
  const head =
    `${input.method} /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    Object.entries(input.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("") +
    `Content-Length: ${input.body.length}\r\n\r\n`;
  const sent = input.body.subarray(0, input.sendBytes ?? 0);
  return overSocket(port, Buffer.concat([Buffer.from(head, "latin1"), sent]), true);
}
