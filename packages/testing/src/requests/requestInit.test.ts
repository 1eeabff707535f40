import { createWebhooks, type SessionOpenEvent } from "@fineguide-webhooks/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { requestInit } from "./requestInit.js";

function honoApp() {
  const opened: SessionOpenEvent[] = [];
  const webhooks = createWebhooks({
    secret: "s3cret",
    onSessionOpen: (s) => {
      opened.push(s);
    },
  });
  const app = new Hono().post("/webhook", async (c) => {
    const answer = await webhooks.receive({
      method: c.req.method,
      headers: c.req.raw.headers,
      body: () => c.req.text(),
    });
    return c.body(answer.body, answer.status as 200, answer.headers);
  });
  return { app, opened };
}

describe("requestInit", () => {
  it("delivers an event through Hono's app.request", async () => {
    const { app, opened } = honoApp();
    const event = createEvent("SESSION_OPEN");
    const res = await app.request("/webhook", requestInit(event, { secret: "s3cret" }));
    expect(res.status).toBe(200);
    expect(opened).toEqual([event]);
  });

  it("builds a Fetch Request", async () => {
    const { app, opened } = honoApp();
    const req = new Request("http://localhost/webhook", requestInit(createEvent("SESSION_OPEN")));
    const res = await app.fetch(req);
    expect(res.status).toBe(401);
    expect(opened).toEqual([]);
  });
});
