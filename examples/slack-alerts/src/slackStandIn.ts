import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the stand-in answers one POST. */
export type StandInAnswer = "ok" | "rate_limited" | "server_error" | "hang";

/** One POST the stand-in received, and what it answered. */
export interface StandInRequest {
  readonly text: string;
  readonly answer: StandInAnswer;
  readonly at: number;
}

/** Options of {@link startSlackStandIn}. */
export interface SlackStandInOptions {
  /**
   * Chooses the answer to a message, given how many times this same text was
   * posted before (0 on the first). Default: at random, 60 % ok, 15 % 429,
   * 15 % 500, 10 % hang.
   */
  readonly plan?: (text: string, previousPosts: number) => StandInAnswer;
  /** The `Retry-After` of a 429, in seconds (Slack sends whole seconds). Default 1. */
  readonly retryAfterSeconds?: number;
  /** Called for every POST, after it was answered (hung ones at once). */
  readonly onRequest?: (request: StandInRequest) => void;
}

/** A running stand-in for Slack's incoming webhook. */
export interface SlackStandIn {
  /** POST messages here, as to `https://hooks.slack.com/services/...`. */
  readonly url: string;
  /** Every POST, in order. */
  readonly requests: readonly StandInRequest[];
  /** The texts answered 200: what the channel shows. */
  readonly delivered: readonly string[];
  close(): Promise<void>;
}

const randomPlan = (): StandInAnswer => {
  const roll = Math.random();
  return roll < 0.6 ? "ok" : roll < 0.75 ? "rate_limited" : roll < 0.9 ? "server_error" : "hang";
};

/**
 * A local stand-in for a Slack incoming webhook on 127.0.0.1: `POST /services/...`
 * with `{ "text": ... }` answers `ok` (200, the message is posted), 429 with
 * `Retry-After`, 500, or never answers, as `plan` decides. A hung request
 * posts nothing (Slack never accepted it).
 *
 * @example
 * ```ts
 * const slack = await startSlackStandIn({ plan: (_text, before) => (before === 0 ? "rate_limited" : "ok") });
 * await fetch(slack.url, { method: "POST", body: JSON.stringify({ text: "hi" }) }); // 429
 * ```
 */
export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const plan = options.plan ?? randomPlan;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const requests: StandInRequest[] = [];
  const delivered: string[] = [];
  const posts = new Map<string, number>();
  const hung = new Set<ServerResponse>();

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let text: unknown;
    try {
      text = (JSON.parse(raw) as { text?: unknown }).text;
    } catch {}
    if (req.method !== "POST" || typeof text !== "string") {
      res.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
      return;
    }
    const before = posts.get(text) ?? 0;
    posts.set(text, before + 1);
    const choice = plan(text, before);
    const record = { text, answer: choice, at: Date.now() };
    requests.push(record);
    if (choice === "hang") {
      hung.add(res);
      res.on("close", () => hung.delete(res));
    } else if (choice === "rate_limited") {
      res
        .writeHead(429, { "content-type": "text/plain", "retry-after": retryAfter })
        .end("rate_limited");
    } else if (choice === "server_error") {
      res.writeHead(500, { "content-type": "text/plain" }).end("internal_error");
    } else {
      delivered.push(text);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    }
    options.onRequest?.(record);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => answer(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/standin`,
    requests,
    delivered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
