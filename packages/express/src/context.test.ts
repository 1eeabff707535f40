import { createWebhooks, type TicketEvent } from "@fineguide-webhooks/core";
import { createEvent, requestInit } from "@fineguide-webhooks/testing";
import express, { type Request } from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { type ExpressContext, fineguideWebhook } from "./index.js";

const SECRET = "express-context-secret";

describe("ctx.request and ctx.state (Express)", () => {
  it("hands handlers the Express request and the state made from it", async () => {
    const seen: { tenant: string; ip: string | undefined; ticket: TicketEvent }[] = [];
    const app = express();
    app.post(
      "/t/:tenant/webhook",
      fineguideWebhook({
        secret: SECRET,
        state: (req) => ({ tenant: String(req.params.tenant) }),
        onTicket: (ticket, ctx) => {
          seen.push({ tenant: ctx.state.tenant, ip: ctx.request.ip, ticket });
        },
      }),
    );
    const ticket = createEvent("TICKET");
    const init = requestInit(ticket, { secret: SECRET });
    const res = await request(app)
      .post("/t/acme/webhook")
      .set(init.headers as Record<string, string>)
      .send(init.body as string);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tenant).toBe("acme");
    expect(seen[0]!.ticket).toEqual(ticket);
    expect(typeof seen[0]!.ip).toBe("string");
  });

  it("takes the state function beside a receiver instance", async () => {
    const webhooks = createWebhooks<ExpressContext<{ path: string }>>({ secret: SECRET });
    const paths: string[] = [];
    webhooks.onMessage((_m, ctx) => void paths.push(ctx.state.path));
    const app = express();
    app.use(
      "/hook",
      fineguideWebhook(webhooks, { state: (req: Request) => ({ path: req.originalUrl }) }),
    );
    const init = requestInit(createEvent("MESSAGE"), { secret: SECRET });
    await request(app)
      .post("/hook")
      .set(init.headers as Record<string, string>)
      .send(init.body as string)
      .expect(200);
    expect(paths).toEqual(["/hook"]);
  });

  it("answers 500 internal_error when the state function throws, and runs nothing", async () => {
    let ran = 0;
    const app = express();
    app.post(
      "/webhook",
      fineguideWebhook({
        secret: SECRET,
        state: (): { n: number } => {
          throw new Error("tenant lookup broke");
        },
        onAny: () => void ran++,
      }),
    );
    const init = requestInit(createEvent("MESSAGE"), { secret: SECRET });
    const res = await request(app)
      .post("/webhook")
      .set(init.headers as Record<string, string>)
      .send(init.body as string);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("internal_error");
    expect(ran).toBe(0);
  });
});
