import http from "node:http";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";
import { errorCode, listen, SECRET, ticket } from "./testFixtures.js";

interface Answer {
  status: number;
  body: string;
  reusedSocket: boolean;
}

/**
 * POSTs `chunks` chunks of 64 KiB (chunked transfer, no declared length), then
 * `last`, through `agent` (with 0 chunks, `last` alone with its Content-Length),
 * and resolves once the answer was read AND the whole body was sent,
 * so the agent can reuse the socket for the next request.
 */
const postChunked = (url: string, agent: http.Agent, chunks: number, last: string) =>
  new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
    });
    req.on("error", reject);
    const sent = new Promise((done) => req.once("finish", done));
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => {
        void sent.then(() =>
          resolve({ status: res.statusCode ?? 0, body, reusedSocket: req.reusedSocket }),
        );
      });
    });
    // Written at once, without waiting for "drain": once the answer is in, Node's
    // client stops emitting "drain" for the request, but keeps flushing the socket.
    const chunk = " ".repeat(64 * 1024); // JSON whitespace: the whole body stays valid JSON
    for (let i = 0; i < chunks; i++) req.write(chunk);
    req.end(last);
  });

describe("a body over the limit, not read to its end", () => {
  let close: (() => Promise<void>) | undefined;
  let agent: http.Agent | undefined;
  afterEach(async () => {
    agent?.destroy();
    await close?.();
  });

  it("declared larger than the limit (Content-Length): the 413 reaches a supertest client", async () => {
    let ran = 0;
    const app = express();
    app.post("/webhook", fineguideWebhook({ secret: SECRET, onAny: () => void ran++ }));
    const body = JSON.stringify({ ...ticket(), customerMessage: "x".repeat(2 * 1024 * 1024) });

    const res = await request(app)
      .post("/webhook")
      .set("x-webhook-secret", SECRET)
      .set("content-type", "application/json")
      .send(body);

    expect(res.status).toBe(413);
    expect(errorCode(res.text)).toBe("payload_too_large");
    expect(ran).toBe(0);
  });

  it("chunked, passing the limit mid-stream: the 413 reaches the client and the connection serves the next delivery", async () => {
    const seen: string[] = [];
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook({ secret: SECRET, onAny: (e) => void seen.push(e.type) }),
    );
    const server = await listen(app);
    close = server.close;
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${server.url}/webhook`;

    // 8 MiB of body against the 1 MiB default: more than socket buffers hold,
    // so the client only finishes sending if the server discards the rest.
    const tooLarge = await postChunked(url, agent, 128, JSON.stringify(ticket()));
    expect(tooLarge.status).toBe(413);
    expect(errorCode(tooLarge.body)).toBe("payload_too_large");

    const next = await postChunked(url, agent, 1, JSON.stringify(ticket()));
    expect(next.status).toBe(200);
    expect(next.reusedSocket).toBe(true);
    expect(seen).toEqual(["TICKET"]);
  });

  it("declared larger than the limit, on a kept-alive connection: the next delivery reuses it", async () => {
    const app = express();
    app.post("/webhook", fineguideWebhook({ secret: SECRET, maxBodyBytes: 1024 }));
    const server = await listen(app);
    close = server.close;
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${server.url}/webhook`;

    const body = JSON.stringify({ ...ticket(), customerMessage: "x".repeat(4 * 1024 * 1024) });
    const tooLarge = await postChunked(url, agent, 0, body);
    expect(tooLarge.status).toBe(413);

    const next = await postChunked(url, agent, 0, JSON.stringify(ticket()));
    expect(next.status).toBe(200);
    expect(next.reusedSocket).toBe(true);
  });
});

describe("a client that drops the connection mid-body", () => {
  it("runs no handler, answers nobody, and the server serves the next delivery", async () => {
    const seen: string[] = [];
    const outcomes: string[] = [];
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook(
        { secret: SECRET, onAny: (e) => void seen.push(e.type) },
        { onResponse: (answer) => void outcomes.push(answer.outcome) },
      ),
    );
    const server = await listen(app);
    try {
      const url = `${server.url}/webhook`;
      await new Promise<void>((resolve) => {
        const req = http.request(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-webhook-secret": SECRET,
            "content-length": "1000",
          },
        });
        req.on("error", () => resolve()); // the socket we destroy
        req.write('{"type":"TICKET",');
        setTimeout(() => req.destroy(), 50);
      });
      // The aborted read reaches core as an unreadable body: invalid_json, no handler.
      await expect.poll(() => outcomes).toEqual(["invalid_json"]);

      const next = await postChunked(url, new http.Agent(), 0, JSON.stringify(ticket()));
      expect(next.status).toBe(200);
      expect(seen).toEqual(["TICKET"]);
    } finally {
      await server.close();
    }
  });
});
