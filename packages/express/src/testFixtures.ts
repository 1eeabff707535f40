/*
 * Test-only helpers for this package's *.test.ts files (not exported by the package).
 */
import type { AddressInfo } from "node:net";
import type { MessageEvent, TicketEvent } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import type express from "express";

/** The secret the tests configure. */
export const SECRET = "express-test-secret-5d1e";

/** A valid TICKET event with fresh ids. */
export const ticket = (): TicketEvent => createEvent("TICKET");

/** A valid MESSAGE event with fresh ids. */
export const message = (): MessageEvent => createEvent("MESSAGE");

/** The parsed JSON body of an answer. */
export const errorCode = (text: string): unknown =>
  (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;

/** Listens on 127.0.0.1, port 0; `close()` also ends kept-alive connections. */
export async function listen(app: express.Express) {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
