import type { AddressInfo } from "node:net";
import type { Webhooks } from "@fineguide-webhooks/core";
import { contractSuite, fetchSender } from "@fineguide-webhooks/testing/contract";
import express, { type RequestHandler } from "express";
import { fineguideWebhook } from "./fineguideWebhook.js";

/** Starts an app on a free port and sends the suite's probes to it over real HTTP. */
const listen = async (app: express.Express) => {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    send: fetchSender(`http://127.0.0.1:${port}/webhook`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

// No body parser: the adapter reads the body itself, after the secret check.
contractSuite("express (no body parser)", (webhooks) => {
  const app = express();
  app.use("/webhook", fineguideWebhook(webhooks));
  return listen(app);
});

// A body parser ran first, for every content type: the adapter uses req.body,
// and its errorHandler answers the parser's rejections through core.
const parsers: Record<string, (webhooks: Webhooks) => RequestHandler> = {
  "express.json()": (w) => express.json({ limit: w.maxBodyBytes, type: "*/*" }),
  "express.raw()": (w) => express.raw({ limit: w.maxBodyBytes, type: "*/*" }),
  "express.text()": (w) => express.text({ limit: w.maxBodyBytes, type: "*/*" }),
};
for (const [name, parser] of Object.entries(parsers)) {
  contractSuite(`express (${name} before it)`, (webhooks) => {
    const app = express();
    app.use(parser(webhooks));
    const webhook = fineguideWebhook(webhooks);
    app.use("/webhook", webhook, webhook.errorHandler);
    return listen(app);
  });
}
