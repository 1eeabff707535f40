/*
 * Real receivers on 127.0.0.1 for the package's own tests (not published):
 * our kit behind plain node:http, and a hand-rolled receiver that gets some
 * rows of the contract wrong on purpose.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AnyEvent,
  createWebhooks,
  readLimited,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";

/** A server listening on a free loopback port. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>/webhook`. */
  readonly url: string;
  readonly close: () => Promise<void>;
}

/** Starts `handler` on 127.0.0.1 port 0. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Our kit behind node:http; `events` collects what handlers saw. */
export async function kitServer(
  options: Partial<WebhooksOptions> = {},
): Promise<RunningServer & { webhooks: Webhooks; events: AnyEvent[] }> {
  const events: AnyEvent[] = [];
  const webhooks = createWebhooks({
    secret: "kit-secret",
    onAny: (event) => {
      events.push(event);
    },
    ...options,
  } as WebhooksOptions);
  const server = await startServer(async (req, res) => {
    const method = req.method ?? "GET";
    const answer = await webhooks.receive({
      method,
      headers: req.headers,
      body: () => readLimited(req, webhooks.maxBodyBytes),
    });
    req.resume();
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  return { ...server, webhooks, events };
}

/**
 * A receiver written by hand the way many are: it checks the secret and that
 * `type` is there, and nothing else. It answers 404 to GET (no 405), ignores
 * the content type, has no size limit and validates no ids.
 */
export async function handRolledServer(
  secret: string,
): Promise<RunningServer & { bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = await startServer(async (req, res) => {
    if (req.method !== "POST") return void res.writeHead(404).end("Not found");
    if (req.headers["x-webhook-secret"] !== secret) return void res.writeHead(401).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: { type?: unknown } | null;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { type?: unknown } | null;
    } catch {
      return void res.writeHead(400).end("bad json");
    }
    if (typeof body?.type !== "string") return void res.writeHead(400).end("no type");
    bodies.push(body);
    res.writeHead(204).end();
  });
  return { ...server, bodies };
}
