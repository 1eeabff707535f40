import type { AddressInfo } from "node:net";
import { contractSuite, fetchSender, requestSender } from "@fineguide-webhooks/testing/contract";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { fineguideWebhook } from "./fineguideWebhook.js";

// Every row through Hono's own request pipeline (no socket)...
contractSuite("hono (app.request)", (webhooks) =>
  requestSender(new Hono().all("/webhook", fineguideWebhook(webhooks)), "/webhook"),
);

// ...and on a real socket through @hono/node-server, where the body is read from Node.
contractSuite("hono (@hono/node-server)", async (webhooks) => {
  const server = createAdaptorServer({
    fetch: new Hono().use("/webhook", fineguideWebhook(webhooks)).fetch,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    send: fetchSender(`http://127.0.0.1:${port}/webhook`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
