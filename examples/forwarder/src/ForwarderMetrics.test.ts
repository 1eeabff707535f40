import { describe, expect, it } from "vitest";
import { ForwarderMetrics } from "./ForwarderMetrics.js";

describe("ForwarderMetrics", () => {
  it("counts outcomes, outcomes per type, forwarded events per bot and downstream requests", () => {
    const metrics = new ForwarderMetrics();
    metrics.recordOutcome({ outcome: "processed", type: "MESSAGE" });
    metrics.recordOutcome({ outcome: "duplicate", type: "MESSAGE" });
    metrics.recordOutcome({ outcome: "unknown_type", type: "CALL_TRANSFERRED" });
    metrics.recordOutcome({ outcome: "unauthorized", type: undefined });
    metrics.recordRequest(1, 503);
    metrics.recordRequest(2, undefined);
    metrics.recordRequest(3, 200);
    metrics.recordForwarded("bot-a");
    metrics.recordForwarded("bot-a");

    const { since, ...counts } = metrics.snapshot();
    expect(Date.parse(since)).toBeLessThanOrEqual(Date.now());
    expect(counts).toEqual({
      deliveries: 4,
      outcomes: { processed: 1, duplicate: 1, unknown_type: 1, unauthorized: 1 },
      types: {
        MESSAGE: { processed: 1, duplicate: 1 },
        CALL_TRANSFERRED: { unknown_type: 1 },
        "-": { unauthorized: 1 },
      },
      forwarded: { "bot-a": 2 },
      downstream: { requests: 3, retries: 2, statuses: { "503": 1, error: 1, "200": 1 } },
    });
  });

  it("a type named __proto__ is counted like any other, and the snapshot survives JSON", () => {
    const metrics = new ForwarderMetrics();
    metrics.recordOutcome({ outcome: "unknown_type", type: "__proto__" });
    const parsed = JSON.parse(JSON.stringify(metrics.snapshot())) as {
      types: Record<string, unknown>;
    };
    expect(Object.getOwnPropertyNames(parsed.types)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(metrics.snapshot().types)).toBe(Object.prototype);
  });

  it("counts types beyond the 64th as (other)", () => {
    const metrics = new ForwarderMetrics();
    for (let i = 0; i < 70; i++) metrics.recordOutcome({ outcome: "unknown_type", type: `T${i}` });
    const { types } = metrics.snapshot();
    expect(Object.keys(types)).toHaveLength(65);
    expect(types["(other)"]).toEqual({ unknown_type: 6 });
    expect(types.T63).toEqual({ unknown_type: 1 });
  });

  it("writes Prometheus' text format, escaping label values", () => {
    const metrics = new ForwarderMetrics();
    metrics.recordOutcome({ outcome: "processed", type: "MESSAGE" });
    metrics.recordOutcome({ outcome: "unknown_type", type: 'odd"type\\\n' });
    metrics.recordRequest(1, 200);
    metrics.recordForwarded("bot-a");
    expect(metrics.prometheus()).toBe(
      [
        "# HELP fineguide_forwarder_deliveries_total Webhook deliveries answered, by outcome and event type.",
        "# TYPE fineguide_forwarder_deliveries_total counter",
        'fineguide_forwarder_deliveries_total{outcome="processed",type="MESSAGE"} 1',
        'fineguide_forwarder_deliveries_total{outcome="unknown_type",type="odd\\"type\\\\\\n"} 1',
        "# HELP fineguide_forwarder_forwarded_total Events the downstream accepted, by bot.",
        "# TYPE fineguide_forwarder_forwarded_total counter",
        'fineguide_forwarder_forwarded_total{bot="bot-a"} 1',
        "# HELP fineguide_forwarder_downstream_requests_total Requests made to the downstream, by status (error: no answer).",
        "# TYPE fineguide_forwarder_downstream_requests_total counter",
        'fineguide_forwarder_downstream_requests_total{status="200"} 1',
        "# HELP fineguide_forwarder_downstream_retries_total Retries within a delivery.",
        "# TYPE fineguide_forwarder_downstream_retries_total counter",
        "fineguide_forwarder_downstream_retries_total 0",
        "",
      ].join("\n"),
    );
  });
});
