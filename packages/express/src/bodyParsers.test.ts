import type { AnyEvent, Handler } from "@fineguide-webhooks/core";
import express, { type RequestHandler } from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { fineguideWebhook } from "./fineguideWebhook.js";
import { errorCode, SECRET, ticket } from "./testFixtures.js";

/** What the app mounts before the webhook; `undefined` is no parser at all. */
const parsers: Record<string, RequestHandler | undefined> = {
  "no parser": undefined,
  "express.json()": express.json(),
  "express.json({ type: '*/*' })": express.json({ type: "*/*" }),
  "express.raw() (skips JSON)": express.raw(),
  "express.raw({ type: '*/*' })": express.raw({ type: "*/*" }),
  "express.text() (parses text/plain)": express.text(),
  "express.text({ type: '*/*' })": express.text({ type: "*/*" }),
  "express.urlencoded() (skips JSON)": express.urlencoded({ extended: false }),
};

const app = (parser: RequestHandler | undefined, onAny: Handler = () => {}) => {
  const a = express();
  if (parser) a.use(parser);
  const webhook = fineguideWebhook({ secret: SECRET, onAny });
  a.post("/webhook", webhook);
  a.use("/webhook", webhook.errorHandler);
  return a;
};

const send = (a: express.Express, body: string, contentType?: string, secret = SECRET) => {
  const req = request(a).post("/webhook").set("x-webhook-secret", secret);
  if (contentType !== undefined) req.set("content-type", contentType);
  return req.send(body);
};

// The vendor does not document its content type: JSON, text/plain and none are all accepted.
const contentTypes = ["application/json", "application/json; charset=utf-8", "text/plain"];

describe.each(Object.entries(parsers))("with %s mounted before the webhook", (_, parser) => {
  it.each(contentTypes)(
    "a valid delivery sent as %s is 200 and reaches the handler",
    async (ct) => {
      const seen: AnyEvent[] = [];
      const event = ticket();
      const res = await send(
        app(parser, (e) => void seen.push(e)),
        JSON.stringify(event),
        ct,
      );
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ ok: true });
      expect(seen).toEqual([event]);
    },
  );

  it("a valid delivery with no content type is 200", async () => {
    const contentTypes: (string | undefined)[] = [];
    const a = app(parser, (_e, ctx) => void contentTypes.push(ctx.headers["content-type"]));
    // supertest adds a content type for a string; a Buffer goes out without one.
    const res = await request(a)
      .post("/webhook")
      .set("x-webhook-secret", SECRET)
      .send(Buffer.from(JSON.stringify(ticket())));
    expect(res.status).toBe(200);
    expect(contentTypes).toEqual([undefined]);
  });

  it("invalid JSON is core's 400 invalid_json, as JSON", async () => {
    const res = await send(app(parser), '{"type":"TICKET",', "application/json");
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(errorCode(res.text)).toBe("invalid_json");
  });

  it("a JSON array is core's 400 not_an_object", async () => {
    const res = await send(app(parser), "[1,2]", "application/json");
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe("not_an_object");
  });

  it("a wrong secret with invalid JSON is still 401 (the secret is checked first)", async () => {
    const res = await send(app(parser), "{nope", "application/json", "wrong");
    expect(res.status).toBe(401);
    expect(errorCode(res.text)).toBe("unauthorized");
  });

  it("an empty body is 400 invalid_json", async () => {
    const res = await send(app(parser), "", "application/json");
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe("invalid_json");
  });
});

describe("body-parser rejections before the webhook (errorHandler)", () => {
  const big = () => JSON.stringify({ ...ticket(), customerMessage: "x".repeat(200 * 1024) });

  it("a body over express.json()'s own limit (100 kB) is core's 413, as JSON", async () => {
    const res = await send(app(express.json()), big(), "application/json");
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(errorCode(res.text)).toBe("payload_too_large");
  });

  it("...but 401 when the secret is wrong", async () => {
    const res = await send(app(express.json()), big(), "application/json", "wrong");
    expect(res.status).toBe(401);
  });

  it("express.json({ limit }) set to the receiver's limit accepts what core accepts", async () => {
    const a = express();
    const webhook = fineguideWebhook({ secret: SECRET });
    a.use(express.json({ limit: webhook.webhooks.maxBodyBytes }));
    a.post("/webhook", webhook);
    expect((await send(a, big(), "application/json")).status).toBe(200);
  });

  it("a charset express.json() refuses is 415 unsupported_media_type, 401 with a wrong secret", async () => {
    const ct = "application/json; charset=latin1";
    const res = await send(app(express.json()), JSON.stringify(ticket()), ct);
    expect(res.status).toBe(415);
    expect(errorCode(res.text)).toBe("unsupported_media_type");
    expect((await send(app(express.json()), "{}", ct, "wrong")).status).toBe(401);
  });

  it("errors that are not body-parser's go on to the app's error handling", async () => {
    const a = express();
    const webhook = fineguideWebhook({ secret: SECRET });
    a.use((_req, _res, next) => next(new Error("not a body")));
    a.post("/webhook", webhook);
    a.use("/webhook", webhook.errorHandler);
    a.use(((_err, _req, res, _next) => void res.status(599).end()) as express.ErrorRequestHandler);
    expect((await send(a, JSON.stringify(ticket()), "application/json")).status).toBe(599);
  });

  it("without errorHandler, Express answers express.json()'s rejections itself, in HTML (why it exists)", async () => {
    const a = express();
    a.use(express.json());
    a.post("/webhook", fineguideWebhook({ secret: SECRET }));
    const res = await send(a, "{nope", "application/json", "wrong");
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });
});
