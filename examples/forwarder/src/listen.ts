import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";

/** A Hono app listening on a socket. */
export interface Listening {
  /** e.g. `http://127.0.0.1:3000` */
  readonly origin: string;
  /** Stops accepting connections and drops the open ones. */
  close(): Promise<void>;
}

/**
 * Serves `app` with `@hono/node-server` on a Node HTTP server (what
 * `serve()` does), resolving once it listens and rejecting on EADDRINUSE.
 *
 * @example
 * ```ts
 * const { origin, close } = await listen(app, 0, "127.0.0.1"); // a free port
 * ```
 */
export async function listen(app: Hono, port: number, host: string): Promise<Listening> {
  const server = createServer(getRequestListener(app.fetch));
  server.listen(port, host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error)),
  ]);
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://${address.includes(":") ? `[${address}]` : address}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
