/*
 * Test-only helpers for this package's *.test.ts files (not exported by the package).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { MessageEvent, TicketEvent } from "@fineguide-webhooks/core";
import type express from "express";

/** The secret the tests configure. */
export const SECRET = "express-test-secret-5d1e";

/** A valid TICKET event with fresh ids. */
export const ticket = (): TicketEvent => ({
  type: "TICKET",
  botId: randomUUID(),
  sessionId: randomUUID(),
  customerName: "John Doe",
  customerEmail: "john.doe@example.com",
  customerMessage: "I need to speak with a human please",
});

/** A valid MESSAGE event with fresh ids. */
export const message = (): MessageEvent => ({
  type: "MESSAGE",
  botId: randomUUID(),
  sessionId: randomUUID(),
  role: "USER",
  message: "Hi, I need help with my order",
  messageId: randomUUID(),
});

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
