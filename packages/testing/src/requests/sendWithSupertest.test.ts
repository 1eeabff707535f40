import { type CreateLeadEvent, createWebhooks } from "@fineguide-webhooks/core";
import express from "express";
import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { vendorExamples } from "../factories/vendorExamples.js";
import { sendWithSupertest } from "./sendWithSupertest.js";

/** A user's app: leads go to their CRM. Wired to core directly (no adapter needed here). */
function crmApp() {
  const crm: CreateLeadEvent[] = [];
  const webhooks = createWebhooks({
    secret: "s3cret",
    onCreateLead: (lead) => {
      crm.push(lead);
    },
  });
  const app = express();
  app.post("/webhook", express.text({ type: () => true }), async (req, res) => {
    const answer = await webhooks.receive({
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    res.status(answer.status).set(answer.headers).send(answer.body);
  });
  return { app, crm };
}

interface Slack {
  postMessage(message: { channel: string; text: string }): Promise<unknown>;
}

/** The README's app, with core in place of the Express adapter (another package). */
function createApp({ secret, slack }: { secret: string; slack: Slack }) {
  const webhooks = createWebhooks({
    secret,
    onTicket: (ticket) =>
      slack.postMessage({
        channel: "#support",
        text: `New ticket from ${ticket.customerName}\n${ticket.customerMessage}`,
      }),
  });
  const app = express();
  app.post("/webhook", express.text({ type: () => true }), async (req, res) => {
    const answer = await webhooks.receive({
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    res.status(answer.status).set(answer.headers).send(answer.body);
  });
  return app;
}

describe("sendWithSupertest", () => {
  it("runs the README's three-line test", async () => {
    const slack = { postMessage: vi.fn(async () => {}) };
    await sendWithSupertest(
      request(createApp({ secret: "s3cret", slack })).post("/webhook"),
      createEvent("TICKET", { customerName: "Ada" }),
      { secret: "s3cret" },
    ).expect(200);
    expect(slack.postMessage).toHaveBeenCalledWith({
      channel: "#support",
      text: expect.stringContaining("Ada"),
    });
  });

  it("delivers an event through supertest in one line", async () => {
    const { app, crm } = crmApp();
    const lead = createEvent("CREATE_LEAD", { email: "ada@example.com" });

    await sendWithSupertest(request(app).post("/webhook"), lead, { secret: "s3cret" }).expect(200);

    expect(crm).toEqual([lead]);
  });

  it("returns supertest's response for assertions", async () => {
    const { app } = crmApp();
    const res = await sendWithSupertest(request(app).post("/webhook"), vendorExamples.CREATE_LEAD, {
      secret: "s3cret",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it("lets a test send the wrong secret or a broken body", async () => {
    const { app, crm } = crmApp();
    await sendWithSupertest(request(app).post("/webhook"), createEvent("CREATE_LEAD"), {
      secret: "wrong",
    }).expect(401);
    await sendWithSupertest(request(app).post("/webhook"), "{not json", { secret: "s3cret" })
      .expect(400)
      .expect((res) => expect(res.body.error.code).toBe("invalid_json"));
    expect(crm).toEqual([]);
  });
});
