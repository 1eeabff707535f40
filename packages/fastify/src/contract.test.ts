import { contractSuite, fetchSender, injectSender } from "@fineguide-webhooks/testing/contract";
import Fastify from "fastify";
import { fineguideWebhook } from "./fineguideWebhook.js";

// Every row through Fastify's request pipeline with inject (no socket)...
contractSuite("fastify (inject)", async (webhooks) => {
  const app = Fastify();
  await app.register(fineguideWebhook, { path: "/webhook", webhooks });
  return { send: injectSender(app, "/webhook"), close: () => app.close() };
});

// ...and on a real socket, registered the other way, under a prefix.
contractSuite("fastify (listen, prefixed)", async (webhooks) => {
  const app = Fastify();
  await app.register(fineguideWebhook(webhooks, { path: "/webhook" }), { prefix: "/hooks" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    send: fetchSender(`http://127.0.0.1:${address.port}/hooks/webhook`),
    close: () => app.close(),
  };
});
