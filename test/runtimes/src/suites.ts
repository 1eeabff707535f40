/*
 * The contract suite against core's Fetch handler and the Hono adapter, in
 * whatever runtime this bundle runs in. `serve` is the runtime's own server
 * (Bun.serve, Deno.serve, node:http); where there is none (a Worker), the
 * suite calls the handler with real Requests inside the runtime.
 */
import { createFetchHandler } from "@fineguide-webhooks/core/fetch";
import { fineguideWebhook } from "@fineguide-webhooks/hono";
import {
  contractSuite,
  fetchSender,
  type MountedReceiver,
  requestSender,
} from "@fineguide-webhooks/testing/contract";
import { Hono } from "hono";

/** Starts the runtime's HTTP server with a Fetch handler on 127.0.0.1 and a free port. */
export type Serve = (
  fetch: (request: Request) => Response | Promise<Response>,
) => Promise<{ readonly port: number; close(): void | Promise<void> }>;

const overSocket =
  (serve: Serve) =>
  async (fetch: (request: Request) => Response | Promise<Response>): Promise<MountedReceiver> => {
    const server = await serve(fetch);
    return {
      send: fetchSender(`http://127.0.0.1:${server.port}/webhook`),
      close: () => server.close(),
    };
  };

const inProcess = (fetch: (request: Request) => Response | Promise<Response>) =>
  requestSender(
    { request: (path, init) => fetch(new Request(`http://receiver.test${path}`, init)) },
    "/webhook",
  );

export function registerSuites(runtime: string, serve: Serve | undefined): void {
  const mount = serve === undefined ? inProcess : overSocket(serve);
  const how = serve === undefined ? "Requests in the runtime" : "its own HTTP server";
  contractSuite(`${runtime}: core's Fetch handler (${how})`, (webhooks) =>
    mount(createFetchHandler(webhooks)),
  );
  contractSuite(`${runtime}: the Hono adapter (${how})`, (webhooks) =>
    mount(new Hono().all("/webhook", fineguideWebhook(webhooks)).fetch),
  );
}
