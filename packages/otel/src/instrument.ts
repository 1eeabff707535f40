import {
  type AroundHandlers,
  EVENT_TYPES,
  isEventType,
  type WebhookContext,
  type Webhooks,
} from "@fineguide-webhooks/core";
import {
  type Attributes,
  context,
  type Exception,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { VERSION } from "./version.js";

/**
 * Core's `OutcomeHook`: what `webhooks.onOutcome()` and the `onOutcome` option
 * accept (core does not export the name).
 */
type OutcomeHook = Parameters<Webhooks["onOutcome"]>[0];
/** Core's `OutcomeInfo`: what one delivery (or `dispatch()`) came to. */
type OutcomeInfo = Parameters<OutcomeHook>[0];

/**
 * The instrumentation scope's name, of the tracer and the meter: what a View
 * or a backend filters on.
 *
 * @example
 * ```ts
 * import { INSTRUMENTATION_NAME } from "@fineguide-webhooks/otel";
 * import { AggregationType, MeterProvider } from "@opentelemetry/sdk-metrics";
 *
 * // other histogram buckets (seconds) than the package's
 * new MeterProvider({
 *   views: [
 *     {
 *       meterName: INSTRUMENTATION_NAME,
 *       instrumentName: "fineguide.webhook.duration",
 *       aggregation: {
 *         type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
 *         options: { boundaries: [0.01, 0.1, 1, 10] },
 *       },
 *     },
 *   ],
 * });
 * ```
 */
export const INSTRUMENTATION_NAME = "@fineguide-webhooks/otel";

/** Options of `instrument()` and `otelOutcomeHook()`. */
export interface InstrumentOptions {
  /**
   * Where spans go. Default: the global tracer provider (`trace` of
   * `@opentelemetry/api`), as the OpenTelemetry SDK registers it; a no-op
   * until one is registered.
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where measurements go. Default: the global meter provider (`metrics` of
   * `@opentelemetry/api`) as it is when `instrument()` is called: start the
   * SDK first, the API has no proxy for meters.
   */
  readonly meterProvider?: MeterProvider;
  /** A tracer to use as it is (takes precedence over `tracerProvider`). */
  readonly tracer?: Tracer;
  /** A meter to use as it is (takes precedence over `meterProvider`). */
  readonly meter?: Meter;
  /**
   * The spans' kind. Default `SpanKind.INTERNAL`: the span is made a child of
   * the context active when `receive()` was called, which is the HTTP server
   * span when an HTTP instrumentation runs (and a queue's consumer span for
   * `dispatch()`); pass `SpanKind.SERVER` when nothing else traces requests.
   */
  readonly spanKind?: SpanKind;
}

/** Attribute names, on spans and (type and outcome only) on metrics. */
const ATTR_TYPE = "fineguide.event.type";
const ATTR_OUTCOME = "fineguide.outcome";
const ATTR_DEDUPE_KEY = "fineguide.dedupe_key";
const ATTR_EVENT_ID = "fineguide.event_id";
const ATTR_DELIVERY_ID = "fineguide.delivery_id";
const ATTR_INVALID_PATHS = "fineguide.invalid_paths";
const ATTR_RETRY = "fineguide.retry";
const ATTR_STATUS = "http.response.status_code";
const ATTR_ERROR_TYPE = "error.type";

const SPAN_NAME = "fineguide.webhook";
/** Undocumented types in metric attributes, as semantic conventions spell "anything else". */
const OTHER_TYPE = "_OTHER";
/** Validation paths kept on a span at most. */
const MAX_INVALID_PATHS = 10;
/**
 * Histogram buckets in seconds: OpenTelemetry's HTTP server buckets, with 1 ms
 * and 2.5 ms below (most deliveries take less than 5 ms) and 15 to 30 s
 * above (the deadline is 25 s, the vendor's timeout 30 s).
 */
const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 20,
  25, 30,
];

const SPAN_NAMES: ReadonlyMap<string, string> = new Map(
  EVENT_TYPES.map((type) => [type, `${SPAN_NAME} ${type}`]),
);

/**
 * Makes an `onOutcome` hook that records every delivery it is called with:
 * one span (from arrival to the answer), one count and one duration. Use it
 * where a hook is wanted rather than a receiver (the `onOutcome` option of
 * `createWebhooks` or an adapter); `instrument()` registers it for you. The
 * hook alone makes each span once the answer is known, so spans the handlers
 * start are not its children: `instrument()` also runs the handlers inside
 * the span.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 * import { otelOutcomeHook } from "@fineguide-webhooks/otel";
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.FINEGUIDE_WEBHOOK_SECRET,
 *   onOutcome: otelOutcomeHook(),
 * });
 * ```
 */
export function otelOutcomeHook(options: InstrumentOptions = {}): OutcomeHook {
  return recorder(options).outcome;
}

/** A span name per type: `fineguide.webhook <TYPE>` for documented types. */
const spanName = (type: string | undefined): string =>
  (isEventType(type) && SPAN_NAMES.get(type)) || SPAN_NAME;

/**
 * The outcome hook, and the wrapper that opens the delivery's span before its
 * handlers run (so their spans are its children); the hook then ends that
 * span instead of making one.
 */
function recorder(options: InstrumentOptions): {
  readonly outcome: OutcomeHook;
  readonly around: AroundHandlers<WebhookContext<unknown, unknown>>;
  /** Ends the spans still open (a receiver uninstrumented mid-delivery). */
  readonly endOpen: () => void;
} {
  const tracer =
    options.tracer ??
    (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME, VERSION);
  const meter =
    options.meter ??
    (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME, VERSION);
  const kind = options.spanKind ?? SpanKind.INTERNAL;
  const deliveries = meter.createCounter("fineguide.webhook.deliveries", {
    description: "FineGuide webhook deliveries answered, per event type and outcome.",
    unit: "{delivery}",
  });
  const duration = meter.createHistogram("fineguide.webhook.duration", {
    description: "Time from a delivery's arrival to its answer, per event type and outcome.",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });

  /** Spans opened for handlers, by delivery id, until their outcome ends them. */
  const open = new Map<string, Span>();

  const around: AroundHandlers<WebhookContext<unknown, unknown>> = (run, event, ctx) => {
    const parent = context.active();
    let span: Span;
    try {
      span = tracer.startSpan(
        spanName(event.type),
        {
          kind,
          startTime: ctx.receivedAt,
          attributes: { [ATTR_TYPE]: event.type, [ATTR_DELIVERY_ID]: ctx.deliveryId },
        },
        parent,
      );
    } catch {
      // A broken tracer: the handlers run as they would untraced; the outcome hook reports it.
      run();
      return;
    }
    open.set(ctx.deliveryId, span);
    context.with(trace.setSpan(parent, span), run);
  };

  const outcome = (info: OutcomeInfo): void => {
    const end = Date.now();
    const elapsedMs = Math.max(0, info.durationMs);
    const { type, outcome, status } = info;
    const documented = isEventType(type);

    const measured: Attributes = { [ATTR_OUTCOME]: outcome };
    if (type !== undefined) measured[ATTR_TYPE] = documented ? type : OTHER_TYPE;
    deliveries.add(1, measured);
    duration.record(elapsedMs / 1000, measured);

    const opened = open.get(info.deliveryId);
    if (opened) {
      open.delete(info.deliveryId);
      // A span that records nothing (no SDK, or sampled out) drops whatever is set on it:
      // its attributes are not built.
      if (!opened.isRecording()) {
        opened.end(end);
        return;
      }
    }
    const attributes: Attributes = {
      [ATTR_OUTCOME]: outcome,
      [ATTR_STATUS]: status,
      [ATTR_DELIVERY_ID]: info.deliveryId,
    };
    if (type !== undefined) attributes[ATTR_TYPE] = type;
    if (info.dedupeKey !== undefined) attributes[ATTR_DEDUPE_KEY] = info.dedupeKey;
    if (info.eventId !== undefined) attributes[ATTR_EVENT_ID] = info.eventId;
    if (info.retry) attributes[ATTR_RETRY] = true;
    if (info.issues !== undefined && info.issues.length > 0) {
      attributes[ATTR_INVALID_PATHS] = info.issues
        .slice(0, MAX_INVALID_PATHS)
        .map((issue) => issue.path.join("."));
    }
    const failed = status >= 500;
    if (failed) attributes[ATTR_ERROR_TYPE] = outcome;

    let span = opened;
    if (span) {
      span.setAttributes(attributes);
    } else {
      span = tracer.startSpan(spanName(type), { kind, startTime: end - elapsedMs, attributes });
    }
    try {
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      if (info.error !== undefined && span.isRecording()) recordErrors(span, info.error, end);
    } finally {
      span.end(end);
    }
  };

  const endOpen = () => {
    for (const span of open.values()) span.end();
    open.clear();
  };
  return { outcome, around, endOpen };
}

/** One exception event per error; an `AggregateError` (several handlers failed) as each of its errors. */
function recordErrors(span: Span, error: unknown, time: number): void {
  const errors =
    error instanceof AggregateError && Array.isArray(error.errors) && error.errors.length > 0
      ? (error.errors as unknown[])
      : [error];
  for (const each of errors) span.recordException(toException(each), time);
}

/** What `recordException` takes: errors and error-like objects as they are, anything else as text. */
function toException(value: unknown): Exception {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return value as Exception;
  return String(value); // a number, a symbol...: never throws for a primitive
}

/**
 * Instruments a receiver with OpenTelemetry through `@opentelemetry/api`: for
 * every delivery (and `dispatch()`), once it is answered, one span named
 * `fineguide.webhook <TYPE>` from its arrival to its answer, with the type,
 * outcome, status, dedupe key, event id and delivery id as attributes, one
 * count on `fineguide.webhook.deliveries` and one duration (seconds) on
 * `fineguide.webhook.duration`, both per type and outcome. Answers 5xx mark
 * the span as an error; a handler's error is recorded as an exception event.
 * The handlers run inside the span (core's `aroundHandlers`, with
 * `context.with`), so spans they start (an HTTP client's, a database's) are
 * its children, with a context manager registered (the Node SDK's is).
 * Nothing is registered before this is called. Returns a function that stops
 * recording.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@fineguide-webhooks/core";
 * import { instrument } from "@fineguide-webhooks/otel";
 *
 * const webhooks = createWebhooks({ secret: process.env.FINEGUIDE_WEBHOOK_SECRET });
 * const uninstrument = instrument(webhooks); // the global providers the SDK registered
 * // later, if ever:
 * uninstrument();
 * ```
 */
export function instrument(
  webhooks: Pick<Webhooks, "onOutcome"> & {
    aroundHandlers?(wrapper: AroundHandlers<WebhookContext<unknown, unknown>>): () => void;
  },
  options: InstrumentOptions = {},
): () => void {
  const { outcome, around, endOpen } = recorder(options);
  const offOutcome = webhooks.onOutcome(outcome);
  const offAround = webhooks.aroundHandlers?.(around);
  return () => {
    offAround?.();
    offOutcome();
    endOpen();
  };
}
