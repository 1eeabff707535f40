import {
  type AnyEvent,
  createWebhooks,
  type TicketEvent,
  type WebhookContext,
  type WebhookResponse,
  type Webhooks,
} from "@fineguide-webhooks/core";
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import { describe, expectTypeOf, it } from "vitest";
import { type ExpressContext, type FineguideWebhookMiddleware, fineguideWebhook } from "./index.js";

const secret = "s";

describe("types", () => {
  it("the options one-liner keeps handlers typed", () => {
    const middleware = fineguideWebhook({
      secret,
      onTicket: (t, ctx) => {
        expectTypeOf(t).toEqualTypeOf<TicketEvent>();
        expectTypeOf(ctx).toEqualTypeOf<WebhookContext<Request, undefined>>();
        expectTypeOf(ctx.request).toEqualTypeOf<Request>();
      },
      onAny: (e) => {
        expectTypeOf(e).toEqualTypeOf<AnyEvent>();
      },
    });
    expectTypeOf(middleware).toEqualTypeOf<FineguideWebhookMiddleware>();
    expectTypeOf(middleware.webhooks).toEqualTypeOf<Webhooks<ExpressContext>>();
  });

  it("the instance form works, with adapter options", () => {
    const webhooks = createWebhooks({ secret });
    webhooks.onTicket((t) => {
      expectTypeOf(t).toEqualTypeOf<TicketEvent>();
    });
    const middleware = fineguideWebhook(webhooks, {
      onResponse: (answer, req) => {
        expectTypeOf(answer).toEqualTypeOf<WebhookResponse>();
        expectTypeOf(req).toEqualTypeOf<Request>();
      },
    });
    expectTypeOf(middleware).toExtend<RequestHandler>();
    expectTypeOf(middleware.errorHandler).toEqualTypeOf<ErrorRequestHandler>();
  });

  it("mounts with app.post, app.use, and beside express.json()", () => {
    const app = express();
    const webhook = fineguideWebhook({ secret });
    app.post("/webhook", webhook);
    app.use("/webhook", webhook);
    app.post("/json", express.json(), webhook, webhook.errorHandler);
    app.use("/webhook", webhook.errorHandler);
  });

  it("types ctx.state from the state function, in options and with an instance", () => {
    fineguideWebhook({
      secret,
      state: (req) => ({ tenant: String(req.params.tenant) }),
      onTicket: (_t, ctx) => {
        expectTypeOf(ctx.state).toEqualTypeOf<{ tenant: string }>();
        expectTypeOf(ctx.request).toEqualTypeOf<Request>();
      },
    });
    const webhooks = createWebhooks<ExpressContext<{ tenant: string }>>({ secret });
    const middleware = fineguideWebhook(webhooks, {
      state: (req) => ({ tenant: String(req.params.tenant) }),
    });
    middleware.webhooks.onTicket((_t, ctx) => {
      expectTypeOf(ctx.state.tenant).toBeString();
    });
    // @ts-expect-error: the state function must make what the receiver's handlers expect
    fineguideWebhook(webhooks, { state: () => 42 });
  });

  it("rejects what is neither a receiver nor its options (compile-time only)", () => {
    const wrong = () => {
      // @ts-expect-error: a handler of the wrong event type
      fineguideWebhook({ secret, onTicket: (t: { rating: 1 }) => t });
      // @ts-expect-error: not a receiver or options
      fineguideWebhook("secret");
    };
    expectTypeOf(wrong).toBeFunction();
  });
});
