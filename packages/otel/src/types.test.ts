import { createWebhooks, type WebhookContext, type Webhooks } from "@fineguide-webhooks/core";
import type { Meter, MeterProvider, SpanKind, Tracer, TracerProvider } from "@opentelemetry/api";
import { describe, expectTypeOf, it } from "vitest";
import { type InstrumentOptions, instrument, otelOutcomeHook } from "./index.js";

describe("types", () => {
  it("instrument() takes any receiver, whatever its context, and returns an unsubscribe", () => {
    interface Req {
      readonly url: string;
    }
    const typed = createWebhooks<WebhookContext<Req, { tenant: string }>>({ secret: "s" });
    expectTypeOf(instrument).toBeCallableWith(typed);
    expectTypeOf(instrument).toBeCallableWith(createWebhooks({ secret: "s" }), {});
    expectTypeOf(instrument).returns.toEqualTypeOf<() => void>();
    // Only `onOutcome` is needed: a wrapper exposing just that is enough.
    expectTypeOf(instrument).toBeCallableWith({ onOutcome: typed.onOutcome });
    expectTypeOf<{ receive: Webhooks["receive"] }>().not.toExtend<
      Parameters<typeof instrument>[0]
    >();
  });

  it("otelOutcomeHook() fits the onOutcome option and method", () => {
    const hook = otelOutcomeHook();
    createWebhooks({ secret: "s", onOutcome: hook });
    createWebhooks({ secret: "s", onOutcome: [hook, (o) => o.outcome] });
    expectTypeOf(hook).toEqualTypeOf<Parameters<Webhooks["onOutcome"]>[0]>();
  });

  it("options are exactly typed, without any", () => {
    expectTypeOf<InstrumentOptions>().toEqualTypeOf<{
      readonly tracerProvider?: TracerProvider;
      readonly meterProvider?: MeterProvider;
      readonly tracer?: Tracer;
      readonly meter?: Meter;
      readonly spanKind?: SpanKind;
    }>();
    expectTypeOf<{ spanKind: "server" }>().not.toExtend<InstrumentOptions>();
    expectTypeOf<{ tracer: { name: string } }>().not.toExtend<InstrumentOptions>();
  });
});
