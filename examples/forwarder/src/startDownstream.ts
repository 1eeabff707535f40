import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { localTime } from "../../shared/src/localTime.js";

/** A request the downstream received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** When it arrived (epoch ms). */
  readonly at: number;
}

/** What the downstream answers to one request; `"hang"` never answers. */
export type DownstreamAnswer =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  | "hang";

/** Options of {@link startDownstream}. */
export interface DownstreamOptions {
  /** 0 (default) for a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The answer to the `index`th request (0-based). Default 200 `{ "ok": true }`. */
  readonly respond?: (request: ReceivedRequest, index: number) => DownstreamAnswer;
  /** One line per request (type, idempotency key, bot, size; never the content). */
  readonly log?: (line: string) => void;
}

/** A running downstream. */
export interface RunningDownstream {
  /** Where to forward to, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly received: readonly ReceivedRequest[];
  /** Stops it, dropping requests left hanging. */
  close(): Promise<void>;
}

const OK: DownstreamAnswer = {
  status: 200,
  headers: { "content-type": "application/json" },
  body: '{"ok":true}',
};

const headerRecord = (req: IncomingMessage) =>
  Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(", ") : (value ?? ""),
    ]),
  );

/** The event's `type`, read from the body for the log line. */
const typeOf = (body: string) => {
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === "string" ? type : "?";
  } catch {
    return "?";
  }
};

/**
 * A tiny HTTP server standing in for the automation tool (a Zapier, Make or
 * n8n webhook trigger): it records every request and answers as `respond`
 * says. `npm start` forwards to one when `DOWNSTREAM_URL` is not set; the
 * tests script failures and rate limits with it.
 *
 * @example
 * ```ts
 * const downstream = await startDownstream({ log: console.log });
 * createForwarderApp({ secrets, downstreamUrl: downstream.url });
 * ```
 */
export async function startDownstream(options: DownstreamOptions = {}): Promise<RunningDownstream> {
  const received: ReceivedRequest[] = [];
  const respond = options.respond ?? (() => OK);
  const { log } = options;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "/",
        headers: headerRecord(req),
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      const index = received.push(request) - 1;
      const answer = respond(request, index);
      const bot = request.headers["x-fineguide-bot"]?.slice(0, 8) ?? "?";
      log?.(
        `${localTime(new Date(request.at))}  downstream got ${request.method} ${typeOf(request.body).padEnd(17)} ` +
          `idempotency-key ${request.headers["idempotency-key"] ?? "-"}  bot ${bot}  ` +
          `${Buffer.byteLength(request.body)} bytes -> ${answer === "hang" ? "no answer" : answer.status}`,
      );
      if (answer === "hang") return;
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error)),
  ]);
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}/`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
