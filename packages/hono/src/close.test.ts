import http from "node:http";
import type { AddressInfo } from "node:net";
import { createEvent } from "@fineguide-webhooks/testing";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "hono-test-secret";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const post = (url: string, agent: http.Agent) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end(JSON.stringify(createEvent("MESSAGE")));
  });

describe("graceful shutdown on @hono/node-server, as the README shows it", () => {
  it("the delivery in flight finishes 200, one arriving after on a kept-alive connection is 503 shutting_down, the server closes", async () => {
    let started = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const handler = fineguideWebhook({
      secret: SECRET,
      onMessage: async () => {
        started();
        await sleep(200);
      },
    });
    const server = createAdaptorServer({ fetch: new Hono().post("/webhook", handler).fetch });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    const serverClosed = new Promise<void>((resolve) => server.once("close", resolve));
    // One kept-alive connection: the second delivery goes out on it after the first's answer.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const inFlight = post(url, agent);
      await running;
      const after = post(url, agent);

      // The README's SIGTERM handler.
      server.close();
      const closed = handler.webhooks
        .close({ timeoutMs: 10_000 })
        .then(() => (server as http.Server).closeIdleConnections());

      expect(await inFlight).toEqual({ status: 200, body: '{"ok":true}' });
      const refused = await after;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "shutting_down" } });
      await closed;
      await serverClosed;
    } finally {
      agent.destroy();
      (server as http.Server).closeAllConnections();
    }
  });
});
