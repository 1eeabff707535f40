import http from "node:http";
import {
  createWebhooks,
  type DedupeStore,
  type TicketEvent,
  type WebhookResponse,
} from "@fineguide-webhooks/core";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";
import { errorCode, listen, SECRET, ticket } from "./testFixtures.js";

const post = (app: express.Express, body: unknown, path = "/webhook") =>
  request(app)
    .post(path)
    .set("x-webhook-secret", SECRET)
    .set("content-type", "application/json")
    .send(JSON.stringify(body));

describe("fineguideWebhook (Express)", () => {
  it("app.post + options one-liner: a delivery reaches its typed handler and gets 200", async () => {
    const seen: TicketEvent[] = [];
    const app = express();
    app.post("/webhook", fineguideWebhook({ secret: SECRET, onTicket: (t) => void seen.push(t) }));
    const event = ticket();

    const res = await post(app, event);

    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.text)).toEqual({ ok: true });
    expect(seen).toEqual([event]);
  });

  it("instance form: handlers registered on the instance run, and it is exposed as .webhooks", async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const seen: string[] = [];
    webhooks.onTicket((t) => void seen.push(t.customerName));
    const middleware = fineguideWebhook(webhooks);
    expect(middleware.webhooks).toBe(webhooks);
    const app = express();
    app.post("/webhook", middleware);

    expect((await post(app, ticket())).status).toBe(200);
    expect(seen).toEqual(["John Doe"]);
  });

  it("options form: .webhooks is the receiver it created, to add handlers later", async () => {
    const middleware = fineguideWebhook({ secret: SECRET });
    const seen: string[] = [];
    middleware.webhooks.onAny((e) => void seen.push(e.type));
    const app = express();
    app.post("/webhook", middleware);

    expect((await post(app, ticket())).status).toBe(200);
    expect(seen).toEqual(["TICKET"]);
  });

  it("app.use: POST is answered, GET and HEAD get core's 405 with Allow: POST, nothing after runs", async () => {
    const app = express();
    app.use("/webhook", fineguideWebhook({ secret: SECRET }));
    app.use((_req, res) => void res.status(418).end());

    expect((await post(app, ticket())).status).toBe(200);
    const get = await request(app).get("/webhook").set("x-webhook-secret", SECRET);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    expect(errorCode(get.text)).toBe("method_not_allowed");
    const head = await request(app).head("/webhook");
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe("POST");
  });

  it("a throwing handler gets the contract's 500 JSON (no stack, no message), never Express's HTML page", async () => {
    const errors: unknown[] = [];
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook({
        secret: SECRET,
        onTicket: () => {
          throw new Error("database is down at db.internal:5432");
        },
        onError: (error) => void errors.push(error),
      }),
    );

    const res = await post(app, ticket());

    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(errorCode(res.text)).toBe("handler_failed");
    expect(res.text).not.toContain("db.internal");
    expect(res.text).not.toContain("<");
    expect(errors).toHaveLength(1);
  });

  it("copies every header of core's answer (Retry-After on a store outage)", async () => {
    const down = async (): Promise<never> => {
      throw new Error("ECONNREFUSED");
    };
    const store: DedupeStore = { claim: down, complete: down, release: down, renew: down };
    const app = express();
    app.post("/webhook", fineguideWebhook({ secret: SECRET, dedupe: store }));

    const res = await post(app, ticket());

    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("60");
    expect(errorCode(res.text)).toBe("store_unavailable");
  });

  it("onResponse sees every answer; one that throws changes nothing", async () => {
    const seen: WebhookResponse["outcome"][] = [];
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook(
        { secret: SECRET },
        {
          onResponse: (answer, req) => {
            seen.push(answer.outcome);
            if (req.headers["x-boom"]) throw new Error("logger broke");
          },
        },
      ),
    );
    const warned = new Promise<Error>((resolve) => process.once("warning", resolve));

    const event = ticket();
    expect((await post(app, event)).status).toBe(200);
    expect((await post(app, event).set("x-boom", "1")).status).toBe(200);
    expect((await request(app).post("/webhook").send("{}")).status).toBe(401);

    expect(seen).toEqual(["processed", "duplicate", "unauthorized"]);
    expect((await warned).message).toContain("onResponse threw: logger broke");
  });

  describe("over a real socket", () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => close?.());

    it("answers a wrong secret without waiting for (or reading) the body", async () => {
      let ran = 0;
      const app = express();
      app.post("/webhook", fineguideWebhook({ secret: SECRET, onAny: () => void ran++ }));
      const server = await listen(app);
      close = server.close;

      // Declares 1000 bytes, sends 10 and waits: reading the body would never finish.
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${server.url}/webhook`,
          {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "content-length": "1000",
              "x-webhook-secret": "wrong",
            },
          },
          (res) => {
            resolve(res.statusCode ?? 0);
            req.destroy();
          },
        );
        req.on("error", reject);
        req.write('{"type":"T');
      });

      expect(status).toBe(401);
      expect(ran).toBe(0);
    });
  });
});
