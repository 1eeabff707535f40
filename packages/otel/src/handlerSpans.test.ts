import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhooks, type Webhooks } from "@fineguide-webhooks/core";
import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument, otelOutcomeHook } from "./index.js";

const SECRET = "otel-handler-span-secret";
let next = 0;
const message = () => ({
  type: "MESSAGE",
  botId: "11111111-1111-4111-8111-111111111111",
  sessionId: "22222222-2222-4222-8222-222222222222",
  role: "user",
  message: "hello",
  messageId: `33333333-3333-4333-8333-${String(++next).padStart(12, "0")}`,
});
const post = (webhooks: Pick<Webhooks, "receive">, body: unknown, secret = SECRET) =>
  webhooks.receive({
    method: "POST",
    headers: { "x-webhook-secret": secret, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** The smallest AsyncLocalStorage context manager (the SDK's lives in another package). */
class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;
beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
});
afterEach(async () => {
  context.disable();
  await provider.shutdown();
});

const finished = async (): Promise<ReadableSpan[]> => {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
};
const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name)!;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("instrument(): handlers run inside the delivery's span", () => {
  it("a span a handler starts, before and after an await, is a child of the delivery span", async () => {
    const client = provider.getTracer("http-client");
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: async () => {
        client.startSpan("GET /crm (sync)").end();
        await sleep(5);
        await client.startActiveSpan("GET /crm (after await)", async (span) => {
          await sleep(1);
          span.end();
        });
      },
    });
    instrument(webhooks, { tracerProvider: provider });
    const server = provider.getTracer("http").startSpan("POST /webhook");
    const res = await context.with(trace.setSpan(context.active(), server), () =>
      post(webhooks, message()),
    );
    server.end();
    expect(res.status).toBe(200);

    const spans = await finished();
    const delivery = byName(spans, "fineguide.webhook MESSAGE");
    const id = delivery.spanContext().spanId;
    expect(parentOf(byName(spans, "GET /crm (sync)"))).toBe(id);
    expect(parentOf(byName(spans, "GET /crm (after await)"))).toBe(id);
    expect(byName(spans, "GET /crm (sync)").spanContext().traceId).toBe(
      delivery.spanContext().traceId,
    );
    // Still the child of the request's span, and ended with the outcome's attributes.
    expect(parentOf(delivery)).toBe(server.spanContext().spanId);
    expect(delivery.attributes).toMatchObject({
      "fineguide.event.type": "MESSAGE",
      "fineguide.outcome": "processed",
      "http.response.status_code": 200,
    });
    expect(typeof delivery.attributes["fineguide.event_id"]).toBe("string");
    expect(spans.filter((s) => s.name.startsWith("fineguide.webhook"))).toHaveLength(1);
  });

  it("a failing handler's child span and error land on the one delivery span; dispatch() too", async () => {
    const client = provider.getTracer("db");
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: () => {
        client.startSpan("INSERT").end();
        throw new Error("db down");
      },
    });
    instrument(webhooks, { tracerProvider: provider });
    const event = message();
    expect((await post(webhooks, event)).status).toBe(500);
    expect((await webhooks.dispatch(event)).status).toBe(500);
    const spans = await finished();
    const deliveries = spans.filter((s) => s.name === "fineguide.webhook MESSAGE");
    const inserts = spans.filter((s) => s.name === "INSERT");
    expect(deliveries).toHaveLength(2);
    expect(inserts.map(parentOf)).toEqual(deliveries.map((d) => d.spanContext().spanId));
    for (const d of deliveries) {
      expect(d.status.code).toBe(SpanStatusCode.ERROR);
      expect(d.events.map((e) => e.name)).toEqual(["exception"]);
    }
    // The second run of the event was the retry of the first's released claim.
    expect(deliveries.map((d) => d.attributes["fineguide.retry"])).toEqual([undefined, true]);
  });

  it("deliveries whose handlers never run still get their span (401, duplicate)", async () => {
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    instrument(webhooks, { tracerProvider: provider });
    const event = message();
    await post(webhooks, event, "wrong");
    await post(webhooks, event);
    await post(webhooks, event);
    const spans = await finished();
    expect(spans.map((s) => s.attributes["fineguide.outcome"])).toEqual([
      "unauthorized",
      "processed",
      "duplicate",
    ]);
  });

  it("uninstrumenting mid-delivery ends the open span; later deliveries are not traced", async () => {
    let release = () => {};
    let started = () => {};
    let calls = 0;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
          if (calls++ > 0) resolve(); // only the first delivery waits
        }),
    });
    const off = instrument(webhooks, { tracerProvider: provider });
    const pending = post(webhooks, message());
    await running;
    off();
    expect((await finished()).map((s) => s.name)).toEqual(["fineguide.webhook MESSAGE"]);
    release();
    expect((await pending).status).toBe(200);
    await post(webhooks, message());
    expect(await finished()).toHaveLength(1);
  });

  it("the hook alone (otelOutcomeHook) does not wrap handlers: their spans are not children", async () => {
    const client = provider.getTracer("http-client");
    const webhooks = createWebhooks({
      secret: SECRET,
      onOutcome: otelOutcomeHook({ tracerProvider: provider }),
      onMessage: () => void client.startSpan("GET /crm").end(),
    });
    await post(webhooks, message());
    const spans = await finished();
    expect(parentOf(byName(spans, "GET /crm"))).toBeUndefined();
  });

  it("a receiver wrapper with only onOutcome is still instrumented (spans after the answer)", async () => {
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    instrument({ onOutcome: webhooks.onOutcome }, { tracerProvider: provider });
    await post(webhooks, message());
    expect((await finished()).map((s) => s.attributes["fineguide.outcome"])).toEqual(["processed"]);
  });
});
