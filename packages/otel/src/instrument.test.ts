import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { createWebhooks, type WebhookContext, type Webhooks } from "@fineguide-webhooks/core";
import {
  type Context,
  type ContextManager,
  context,
  type HrTime,
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { INSTRUMENTATION_NAME, type InstrumentOptions, instrument, VERSION } from "./index.js";

const SECRET = "otel-test-secret";
const BOT = "11111111-1111-4111-8111-111111111111";
const SESSION = "22222222-2222-4222-8222-222222222222";
let nextMessage = 0;
const messageId = () => `33333333-3333-4333-8333-${String(++nextMessage).padStart(12, "0")}`;
const message = (id = messageId()) => ({
  type: "MESSAGE",
  botId: BOT,
  sessionId: SESSION,
  role: "user",
  message: "hello",
  messageId: id,
});
const ticket = () => ({
  type: "TICKET",
  botId: BOT,
  sessionId: SESSION,
  customerName: "Ada",
  customerEmail: "ada@example.com",
  customerMessage: `help ${++nextMessage}`,
});

const post = (
  webhooks: Pick<Webhooks, "receive">,
  body: unknown,
  { secret = SECRET, receivedAt }: { secret?: string; receivedAt?: number } = {},
) =>
  webhooks.receive({
    method: "POST",
    headers: { "x-webhook-secret": secret, "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(receivedAt === undefined ? {} : { receivedAt }),
  });

const ms = (t: HrTime) => t[0] * 1000 + t[1] / 1e6;

/** A real SDK tracer and meter provider exporting to memory. */
function telemetry({ sampler }: { sampler?: Sampler } = {}) {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
    ...(sampler ? { sampler } : {}),
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000, // exported by forceFlush() only
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]));

  const spans = async (): Promise<ReadableSpan[]> => {
    await tracerProvider.forceFlush();
    return spanExporter.getFinishedSpans();
  };
  /** The latest export of one instrument. */
  const metric = async (name: string) => {
    metricExporter.reset();
    await reader.forceFlush();
    const exported = metricExporter.getMetrics().at(-1);
    const scopes = exported?.scopeMetrics ?? [];
    return scopes.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  };
  const countOf = async (attributes: Record<string, string>) => {
    const counter = await metric("fineguide.webhook.deliveries");
    return counter?.dataPoints.find((p) => sameAttributes(p.attributes, attributes))?.value ?? 0;
  };
  const histogramOf = async (attributes: Record<string, string>) => {
    const histogram = await metric("fineguide.webhook.duration");
    const point = histogram?.dataPoints.find((p) => sameAttributes(p.attributes, attributes));
    return point?.value as Histogram | undefined;
  };
  const options: InstrumentOptions = { tracerProvider, meterProvider };
  return { tracerProvider, meterProvider, options, spans, metric, countOf, histogramOf };
}

const sameAttributes = (actual: Record<string, unknown>, expected: Record<string, unknown>) =>
  Object.keys(actual).length === Object.keys(expected).length &&
  Object.entries(expected).every(([k, v]) => actual[k] === v);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("instrument(): spans", () => {
  it("one span per processed delivery, from arrival to answer, with type, outcome and ids", async () => {
    const otel = telemetry();
    const seen: WebhookContext[] = [];
    const webhooks = createWebhooks({ secret: SECRET, onMessage: (_m, ctx) => seen.push(ctx) });
    instrument(webhooks, otel.options);

    const receivedAt = Date.now() - 1500;
    const res = await post(webhooks, message(), { receivedAt });
    expect(res.status).toBe(200);

    const spans = await otel.spans();
    expect(spans).toHaveLength(1);
    const [span] = spans as [ReadableSpan];
    const ctx = seen[0]!;
    expect(span.name).toBe("fineguide.webhook MESSAGE");
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toEqual({
      "fineguide.event.type": "MESSAGE",
      "fineguide.outcome": "processed",
      "fineguide.dedupe_key": ctx.dedupeKey,
      "fineguide.event_id": ctx.eventId,
      "fineguide.delivery_id": ctx.deliveryId,
      "http.response.status_code": 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
    // Starts when the delivery arrived (receivedAt), not when the hook ran.
    // Within what a loaded machine takes between the answer and the hook.
    expect(Math.abs(ms(span.startTime) - receivedAt)).toBeLessThanOrEqual(100);
    expect(ms(span.duration)).toBeGreaterThanOrEqual(1500);
    expect(ms(span.endTime)).toBeLessThanOrEqual(Date.now());
    expect(span.instrumentationScope).toMatchObject({
      name: INSTRUMENTATION_NAME,
      version: VERSION,
    });
  });

  it("sampled out: no span, the same answers, and every delivery still counted", async () => {
    const otel = telemetry({ sampler: new AlwaysOffSampler() });
    let handled = 0;
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => void handled++ });
    instrument(webhooks, otel.options);
    const event = message();
    expect((await post(webhooks, event)).outcome).toBe("processed");
    expect((await post(webhooks, event)).outcome).toBe("duplicate");
    expect((await post(webhooks, message(), { secret: "wrong" })).status).toBe(401);
    expect(handled).toBe(1);
    expect(await otel.spans()).toEqual([]);
    expect(
      await otel.countOf({ "fineguide.outcome": "processed", "fineguide.event.type": "MESSAGE" }),
    ).toBe(1);
    expect(
      await otel.countOf({ "fineguide.outcome": "duplicate", "fineguide.event.type": "MESSAGE" }),
    ).toBe(1);
    expect(await otel.countOf({ "fineguide.outcome": "unauthorized" })).toBe(1);
  });

  it("a duplicate: outcome duplicate, the same dedupe key and event id, a new delivery id", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    instrument(webhooks, otel.options);
    const event = message();
    await post(webhooks, event);
    const res = await post(webhooks, event);
    expect(res.outcome).toBe("duplicate");

    const [first, second] = (await otel.spans()) as [ReadableSpan, ReadableSpan];
    expect(second.name).toBe("fineguide.webhook MESSAGE");
    expect(second.attributes["fineguide.outcome"]).toBe("duplicate");
    expect(second.attributes["http.response.status_code"]).toBe(200);
    expect(second.attributes["fineguide.dedupe_key"]).toBe(
      first.attributes["fineguide.dedupe_key"],
    );
    expect(second.attributes["fineguide.event_id"]).toBe(first.attributes["fineguide.event_id"]);
    expect(second.attributes["fineguide.delivery_id"]).not.toBe(
      first.attributes["fineguide.delivery_id"],
    );
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("401: no type, no key, named without a type, not an error", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks, otel.options);
    const res = await post(webhooks, message(), { secret: "wrong" });
    expect(res.status).toBe(401);

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.name).toBe("fineguide.webhook");
    expect(span.attributes).toEqual({
      "fineguide.outcome": "unauthorized",
      "fineguide.delivery_id": expect.any(String),
      "http.response.status_code": 401,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it("400 invalid_payload: the type, the failing paths (no values), no key", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks, otel.options);
    const res = await post(webhooks, { ...message(), messageId: "not-a-uuid" });
    expect(res.outcome).toBe("invalid_payload");

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.name).toBe("fineguide.webhook MESSAGE");
    expect(span.attributes).toEqual({
      "fineguide.event.type": "MESSAGE",
      "fineguide.outcome": "invalid_payload",
      "fineguide.delivery_id": expect.any(String),
      "fineguide.invalid_paths": ["messageId"],
      "http.response.status_code": 400,
    });
    expect(JSON.stringify(span.attributes)).not.toContain("not-a-uuid");
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("400 missing_type: no type attribute, the path `type`", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks, otel.options);
    await post(webhooks, { botId: BOT });

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.name).toBe("fineguide.webhook");
    expect(span.attributes["fineguide.outcome"]).toBe("missing_type");
    expect(span.attributes["fineguide.event.type"]).toBeUndefined();
    expect(span.attributes["fineguide.invalid_paths"]).toEqual(["type"]);
  });

  it("an undocumented type: the type on the span, a name without it", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET, onUnknown: () => {} });
    instrument(webhooks, otel.options);
    await post(webhooks, { type: "NEW_THING", botId: BOT, sessionId: SESSION });

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.name).toBe("fineguide.webhook");
    expect(span.attributes["fineguide.event.type"]).toBe("NEW_THING");
    expect(span.attributes["fineguide.outcome"]).toBe("unknown_type");
    expect(span.attributes["fineguide.dedupe_key"]).toEqual(expect.any(String));
  });

  it("500 handler_failed: status ERROR, error.type, the handler's error as an exception event", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({
      secret: SECRET,
      onTicket: () => {
        throw new TypeError("helpdesk down");
      },
    });
    instrument(webhooks, otel.options);
    const res = await post(webhooks, ticket());
    expect(res.status).toBe(500);

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.name).toBe("fineguide.webhook TICKET");
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "handler_failed" });
    expect(span.attributes["error.type"]).toBe("handler_failed");
    expect(span.attributes["http.response.status_code"]).toBe(500);
    expect(span.attributes["fineguide.dedupe_key"]).toEqual(expect.any(String));
    expect(span.events).toHaveLength(1);
    expect(span.events[0]).toMatchObject({
      name: "exception",
      attributes: {
        "exception.type": "TypeError",
        "exception.message": "helpdesk down",
        "exception.stacktrace": expect.stringContaining("helpdesk down"),
      },
    });
    expect(ms(span.events[0]!.time)).toBeLessThanOrEqual(ms(span.endTime));
  });

  it("several handlers failed: one exception event each; thrown non-errors as text", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    webhooks.onMessage(() => {
      throw new Error("first");
    });
    webhooks.onMessage(() => Promise.reject("second"));
    webhooks.onAny(() => {
      throw 42;
    });
    instrument(webhooks, otel.options);
    await post(webhooks, message());

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    const messages = span.events.map((e) => e.attributes?.["exception.message"]);
    expect(messages.sort()).toEqual(["42", "first", "second"]);
  });

  it("503 in_progress: the same event while it runs is an error span without an exception", async () => {
    const otel = telemetry();
    let release = () => {};
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => running });
    instrument(webhooks, otel.options);
    const event = message();
    const first = post(webhooks, event);
    const second = await post(webhooks, event);
    expect(second.outcome).toBe("in_progress");
    release();
    expect((await first).outcome).toBe("processed");

    const spans = await otel.spans();
    const busy = spans.find((s) => s.attributes["fineguide.outcome"] === "in_progress")!;
    expect(busy.attributes["http.response.status_code"]).toBe(503);
    expect(busy.status).toEqual({ code: SpanStatusCode.ERROR, message: "in_progress" });
    expect(busy.events).toEqual([]);
    const done = spans.find((s) => s.attributes["fineguide.outcome"] === "processed")!;
    expect(busy.attributes["fineguide.dedupe_key"]).toBe(done.attributes["fineguide.dedupe_key"]);
  });

  it("503 handler_timeout: a handler still running at the deadline", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({
      secret: SECRET,
      deadlineMs: 50,
      onMessage: (_m, ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)),
    });
    instrument(webhooks, otel.options);
    const res = await post(webhooks, message());
    expect(res.outcome).toBe("handler_timeout");

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "handler_timeout" });
    expect(span.attributes["http.response.status_code"]).toBe(503);
    expect(ms(span.duration)).toBeGreaterThanOrEqual(45);
  });

  it("dispatch(): the same span per outcome, without HTTP", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    instrument(webhooks, otel.options);
    const event = message();
    const results = [
      await webhooks.dispatch(event),
      await webhooks.dispatch(JSON.stringify(event)),
      await webhooks.dispatch({ ...event, messageId: "nope" }),
    ];
    expect(results.map((r) => r.outcome)).toEqual(["processed", "duplicate", "invalid_payload"]);

    const spans = await otel.spans();
    expect(spans.map((s) => s.name)).toEqual([
      "fineguide.webhook MESSAGE",
      "fineguide.webhook MESSAGE",
      "fineguide.webhook MESSAGE",
    ]);
    expect(spans.map((s) => s.attributes["fineguide.outcome"])).toEqual([
      "processed",
      "duplicate",
      "invalid_payload",
    ]);
    expect(spans.map((s) => s.attributes["fineguide.delivery_id"])).toEqual(
      results.map((r) => r.deliveryId),
    );
    expect(spans[0]!.attributes["fineguide.dedupe_key"]).toBe(results[0]!.dedupeKey);
    expect(spans[0]!.attributes["fineguide.event_id"]).toBe(results[0]!.eventId);
  });

  it("the span is a child of the span active when receive() was called", async () => {
    const otel = telemetry();
    const manager = new AsyncLocalStorageContextManager();
    context.setGlobalContextManager(manager);
    cleanups.push(() => context.disable());
    const webhooks = createWebhooks({ secret: SECRET, onMessage: async () => {} });
    instrument(webhooks, otel.options);

    const server = otel.tracerProvider.getTracer("http").startSpan("POST /webhook");
    const body = JSON.stringify(message());
    await context.with(trace.setSpan(context.active(), server), () =>
      webhooks.receive({
        method: "POST",
        headers: { "x-webhook-secret": SECRET },
        body: async () => body, // read asynchronously, as adapters do
      }),
    );
    server.end();

    const span = (await otel.spans()).find((s) => s.name === "fineguide.webhook MESSAGE")!;
    expect(span.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it("spanKind: SERVER when asked", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks, { ...otel.options, spanKind: SpanKind.SERVER });
    await post(webhooks, message());
    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.kind).toBe(SpanKind.SERVER);
  });
});

describe("instrument(): metrics", () => {
  it("counts deliveries and records durations in seconds per type and outcome", async () => {
    const otel = telemetry();
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: () => {},
      onTicket: () => {
        throw new Error("no");
      },
      onUnknown: () => {},
    });
    instrument(webhooks, otel.options);
    const event = message();
    await post(webhooks, event, { receivedAt: Date.now() - 1200 });
    await post(webhooks, event);
    await post(webhooks, message());
    await post(webhooks, ticket());
    await post(webhooks, message(), { secret: "wrong" });
    await post(webhooks, { type: "NEW_THING", botId: BOT, sessionId: SESSION });
    await post(webhooks, { type: `NEW_${"X".repeat(100)}`, botId: BOT, sessionId: SESSION });
    await webhooks.dispatch(message());

    const processed = { "fineguide.event.type": "MESSAGE", "fineguide.outcome": "processed" };
    expect(await otel.countOf(processed)).toBe(3);
    expect(
      await otel.countOf({ "fineguide.event.type": "MESSAGE", "fineguide.outcome": "duplicate" }),
    ).toBe(1);
    expect(
      await otel.countOf({
        "fineguide.event.type": "TICKET",
        "fineguide.outcome": "handler_failed",
      }),
    ).toBe(1);
    expect(await otel.countOf({ "fineguide.outcome": "unauthorized" })).toBe(1);
    // Undocumented types are one series, whatever their name (bounded cardinality).
    expect(
      await otel.countOf({ "fineguide.event.type": "_OTHER", "fineguide.outcome": "unknown_type" }),
    ).toBe(2);

    const counter = await otel.metric("fineguide.webhook.deliveries");
    expect(counter?.descriptor).toMatchObject({ unit: "{delivery}" });
    expect(counter?.dataPointType).toBe(DataPointType.SUM);
    expect(counter?.dataPoints).toHaveLength(5);

    const histogram = await otel.metric("fineguide.webhook.duration");
    expect(histogram?.descriptor).toMatchObject({ unit: "s" });
    expect(histogram?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(histogram?.dataPoints).toHaveLength(5);
    const durations = await otel.histogramOf(processed);
    expect(durations?.count).toBe(3);
    expect(durations?.sum).toBeGreaterThanOrEqual(1.2); // seconds
    expect(durations?.sum).toBeLessThan(10);
    expect(durations?.buckets.boundaries).toEqual([
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15,
      20, 25, 30,
    ]);
    // The one delivery that arrived 1.2 s earlier sits in (1, 2.5].
    const slow = durations!.buckets.boundaries.indexOf(2.5);
    expect(durations?.buckets.counts[slow]).toBe(1);
    expect((await otel.histogramOf({ "fineguide.outcome": "unauthorized" }))?.count).toBe(1);
    expect(
      (await otel.metric("fineguide.webhook.deliveries"))?.dataPoints.every(
        (p) => Object.keys(p.attributes).length <= 2,
      ),
    ).toBe(true);
  });
});

describe("instrument(): lifecycle and defaults", () => {
  it("the returned function stops recording; other onOutcome hooks keep running", async () => {
    const otel = telemetry();
    const outcomes: string[] = [];
    const webhooks = createWebhooks({ secret: SECRET, onOutcome: (o) => outcomes.push(o.outcome) });
    const uninstrument = instrument(webhooks, otel.options);
    await post(webhooks, message());
    uninstrument();
    uninstrument(); // twice is harmless
    await post(webhooks, message());
    await webhooks.dispatch(message());

    expect(await otel.spans()).toHaveLength(1);
    expect(
      await otel.countOf({ "fineguide.event.type": "MESSAGE", "fineguide.outcome": "processed" }),
    ).toBe(1);
    expect(outcomes).toEqual(["processed", "processed", "processed"]);
  });

  it("by default uses the global providers, with this package's scope name and version", async () => {
    const otel = telemetry();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    cleanups.push(() => {
      trace.disable();
      metrics.disable();
    });
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks);
    await post(webhooks, message());

    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.instrumentationScope).toEqual({ name: INSTRUMENTATION_NAME, version: VERSION });
    const counter = await otel.metric("fineguide.webhook.deliveries");
    expect(counter?.dataPoints[0]?.value).toBe(1);
  });

  it("a given tracer and meter take precedence over the providers", async () => {
    const otel = telemetry();
    const other = telemetry();
    const webhooks = createWebhooks({ secret: SECRET });
    instrument(webhooks, {
      ...other.options,
      tracer: otel.tracerProvider.getTracer("mine"),
      meter: otel.meterProvider.getMeter("mine"),
    });
    await post(webhooks, message());
    expect(await other.spans()).toEqual([]);
    const [span] = (await otel.spans()) as [ReadableSpan];
    expect(span.instrumentationScope.name).toBe("mine");
    expect(
      await otel.countOf({ "fineguide.event.type": "MESSAGE", "fineguide.outcome": "processed" }),
    ).toBe(1);
  });

  it("without an SDK (the API's no-ops) deliveries are answered as before", async () => {
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    instrument(webhooks);
    expect((await post(webhooks, message())).outcome).toBe("processed");
    expect((await post(webhooks, message(), { secret: "x" })).outcome).toBe("unauthorized");
  });

  it("a tracer that throws changes no answer", async () => {
    const otel = telemetry();
    const broken = {
      startSpan: () => {
        throw new Error("tracer broke");
      },
    } as unknown as Tracer;
    const logged: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (o: unknown) => logged.push(o) };
    const webhooks = createWebhooks({ secret: SECRET, logger, onMessage: () => {} });
    instrument(webhooks, { ...otel.options, tracer: broken });
    expect((await post(webhooks, message())).status).toBe(200);
    expect(logged).toHaveLength(1);
    // Measured before the span was attempted.
    expect(
      await otel.countOf({ "fineguide.event.type": "MESSAGE", "fineguide.outcome": "processed" }),
    ).toBe(1);
  });

  it("VERSION is the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
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
