import { createRequire } from "node:module";
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

/** Express 5, and Express 4 (the same tests; `express4` is `npm:express@4`, typed as 5). */
const expresses: Record<string, typeof express> = {
  "express 5": express,
  "express 4": createRequire(import.meta.url)("express4") as typeof express,
};

// A body parser ran first, for every content type: the adapter uses req.body,
// and its errorHandler answers the parser's rejections through core.
// (Express 4's parsers set `req.body = {}` even for a request they skip.)
const parsers: Record<string, (e: typeof express, webhooks: Webhooks) => RequestHandler> = {
  "express.json()": (e, w) => e.json({ limit: w.maxBodyBytes, type: "*/*" }),
  "express.raw()": (e, w) => e.raw({ limit: w.maxBodyBytes, type: "*/*" }),
  "express.text()": (e, w) => e.text({ limit: w.maxBodyBytes, type: "*/*" }),
  "express.json() for JSON only": (e, w) => e.json({ limit: w.maxBodyBytes }),
};

for (const [version, e] of Object.entries(expresses)) {
  // No body parser: the adapter reads the body itself, after the secret check.
  contractSuite(`${version} (no body parser)`, (webhooks) => {
    const app = e();
    app.use("/webhook", fineguideWebhook(webhooks));
    return listen(app);
  });

  for (const [name, parser] of Object.entries(parsers)) {
    contractSuite(`${version} (${name} before it)`, (webhooks) => {
      const app = e();
      app.use(parser(e, webhooks));
      const webhook = fineguideWebhook(webhooks);
      app.use("/webhook", webhook, webhook.errorHandler);
      return listen(app);
    });
  }
}
