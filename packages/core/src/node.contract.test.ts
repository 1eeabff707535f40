import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { contractSuite, fetchSender } from "@fineguide-webhooks/testing/contract";
import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { createNodeListener } from "./node.js";

const listen = async (listener: Parameters<typeof createServer>[1]) => {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/webhook` };
};

// Every row over a real socket, on a plain node:http server.
contractSuite("node:http listener", async (webhooks) => {
  const { server, url } = await listen(createNodeListener(webhooks));
  return {
    send: fetchSender(url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});

describe("createNodeListener", () => {
  const secret = "s3cret";
  const event = JSON.stringify({
    type: "SESSION_OPEN",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  });

  it("takes options, exposes its receiver, hands handlers the request and state", async () => {
    const seen: unknown[] = [];
    const listener = createNodeListener({
      secret,
      state: (req) => req.url,
      onSessionOpen: (_event, ctx) => void seen.push(ctx.request.method, ctx.state),
    });
    expect(typeof listener.webhooks.receive).toBe("function");
    const { server, url } = await listen(listener);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "x-webhook-secret": secret, "content-type": "application/json" },
        body: event,
      });
      expect(res.status).toBe(200);
      expect(seen).toEqual(["POST", "/webhook"]);
    } finally {
      server.close();
    }
  });

  it("answers 413 to a chunked body past the limit and keeps the connection usable", async () => {
    const { server, url } = await listen(
      createNodeListener(createWebhooks({ secret, maxBodyBytes: 1024 })),
    );
    const agent = new (await import("node:http")).Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string) =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = httpRequest(
          url,
          { method: "POST", agent, headers: { "x-webhook-secret": secret } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
          },
        );
        req.on("error", reject);
        req.write(body.slice(0, 10)); // chunked: no content-length
        req.end(body.slice(10));
      });
    try {
      const big = await send("x".repeat(64 * 1024));
      expect(big.status).toBe(413);
      const ok = await send(event);
      expect(ok.status).toBe(200);
      expect(ok.socket).toBe(big.socket);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
