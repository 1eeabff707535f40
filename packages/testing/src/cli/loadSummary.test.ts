import { describe, expect, it } from "vitest";
import type { LoadDelivery } from "./loadMix.js";
import { percentile, summarizeLoad } from "./loadSummary.js";
import type { LoadAnswer } from "./runLoad.js";

const limits = { maxLatencyMs: 30_000, maxLate: 0, max5xx: 0, maxLost: 0 };
let next = 0;
const delivery = (
  event: number,
  label: string,
  kind: LoadDelivery["kind"] = "first",
  valid = true,
): LoadDelivery => ({
  id: next++,
  event,
  label,
  valid,
  kind,
  body: "{}",
});
const reply = (status: number, body: object | string, latencyMs = 5, sentAt = 0): LoadAnswer => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  latencyMs,
  sentAt,
});
const error = (code: string) => ({ ok: false, error: { code } });

describe("summarizeLoad", () => {
  it("counts answers by status and code per type and passes a clean run", () => {
    const ds = [
      delivery(0, "TICKET"),
      delivery(0, "TICKET", "twin"),
      delivery(0, "TICKET", "retry"),
      delivery(1, "(malformed) bad JSON", "first", false),
    ];
    const answers = new Map<number, LoadAnswer>([
      [ds[0]!.id, reply(200, { ok: true }, 4, 1)],
      [ds[1]!.id, reply(503, error("in_progress"), 3, 2)],
      [ds[2]!.id, reply(200, { ok: true, duplicate: true }, 2, 900)],
      [ds[3]!.id, reply(400, error("invalid_json"), 1, 3)],
    ]);
    const s = summarizeLoad(ds, answers, limits);
    expect(s.rows).toEqual([
      {
        label: "TICKET",
        valid: true,
        sent: 3,
        answers: { "200": 1, "503 in_progress": 1, "200 duplicate": 1 },
      },
      { label: "(malformed) bad JSON", valid: false, sent: 1, answers: { "400 invalid_json": 1 } },
    ]);
    expect(s.repeats).toEqual({ total: 2, duplicate: 1, inProgress: 1, otherOk: 0, other: 0 });
    expect(s).toMatchObject({
      valid5xx: 0,
      lostEvents: 0,
      malformedOk: 0,
      late: 0,
      noAnswer: 0,
      pass: true,
      failures: [],
    });
    expect(s.latencyMs).toEqual({ p50: 2, p95: 4, p99: 4, max: 4 });
  });

  it("fails on 5xx to valid events, on late and missing answers, on lost events; thresholds relax it", () => {
    const ds = [
      delivery(0, "MESSAGE"),
      delivery(1, "TICKET"),
      delivery(2, "TICKET"),
      delivery(3, "(malformed) no type", "first", false),
    ];
    const answers = new Map<number, LoadAnswer>([
      [ds[0]!.id, reply(200, { ok: true }, 40_000)],
      [ds[1]!.id, reply(500, "oops")],
      [ds[2]!.id, { error: "no answer", sentAt: 0 }],
      [ds[3]!.id, reply(204, "")],
    ]);
    const s = summarizeLoad(ds, answers, limits);
    expect(s).toMatchObject({
      valid5xx: 1,
      late: 1,
      noAnswer: 1,
      lostEvents: 2,
      malformedOk: 1,
      pass: false,
    });
    expect(s.failures).toEqual([
      "1 valid event deliveries were answered 5xx (allowed: 0).",
      "1 answers took over 30000 ms and 1 got no answer (allowed: 0).",
      "2 valid events never got a 2xx (allowed: 0).",
    ]);
    expect(s.rows.find((r) => r.label === "TICKET")?.answers).toEqual({ "500": 1, "no answer": 1 });
    expect(
      summarizeLoad(ds, answers, { maxLatencyMs: 50_000, maxLate: 1, max5xx: 1, maxLost: 2 }).pass,
    ).toBe(true);
  });

  it("counts an in_progress to a twin as a 5xx when no delivery of its event got a 2xx", () => {
    const ds = [delivery(0, "MESSAGE"), delivery(0, "MESSAGE", "twin")];
    const answers = new Map<number, LoadAnswer>([
      [ds[0]!.id, reply(500, error("handler_failed"))],
      [ds[1]!.id, reply(503, error("in_progress"))],
    ]);
    expect(summarizeLoad(ds, answers, limits)).toMatchObject({ valid5xx: 2, lostEvents: 1 });
  });

  it("tells repeats processed again (a 2xx without duplicate) from duplicates", () => {
    const ds = [
      delivery(0, "MESSAGE"),
      delivery(0, "MESSAGE", "twin"),
      delivery(0, "MESSAGE", "retry"),
    ];
    const answers = new Map<number, LoadAnswer>(ds.map((d, i) => [d.id, reply(204, "", 1, i)]));
    expect(summarizeLoad(ds, answers, limits).repeats).toEqual({
      total: 2,
      duplicate: 0,
      inProgress: 0,
      otherOk: 2,
      other: 0,
    });
  });
});

describe("percentile", () => {
  it("is the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)]).toEqual([
      50, 95, 99,
    ]);
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([7], 0.99)).toBe(7);
  });
});
