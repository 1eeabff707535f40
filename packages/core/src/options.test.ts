import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { WebhooksOptions } from "./options.js";

const make = (options: Partial<WebhooksOptions>) => () =>
  createWebhooks({ secret: "s", ...options });

describe("timing options", () => {
  it("refuses a deadline the vendor would not wait for, naming its 30 s", () => {
    expect(make({ deadlineMs: 40_000 })).toThrow(/`deadlineMs` must be under 30 seconds/);
    expect(make({ deadlineMs: 30_000, leaseMs: 45_000 })).toThrow(/30 s/);
    expect(make({ deadlineMs: 29_999 })).not.toThrow();
  });

  it("refuses a lease that outlives the vendor's first retry, naming its minute", () => {
    expect(make({ leaseMs: 120_000 })).toThrow(/`leaseMs` must be under 60 seconds/);
    expect(make({ leaseMs: 60_000 })).toThrow(/a minute after/);
    expect(make({ leaseMs: 59_999 })).not.toThrow();
  });

  it("refuses a lease not longer than the deadline", () => {
    expect(make({ leaseMs: 20_000 })).toThrow(/longer than `deadlineMs`/);
    expect(make({ leaseMs: 100, deadlineMs: 100 })).toThrow(/longer than `deadlineMs`/);
    expect(make({ leaseMs: 101, deadlineMs: 100 })).not.toThrow();
  });

  it("keeps short values for tests and time-scaled simulations", () => {
    expect(make({ leaseMs: 60, deadlineMs: 30 })).not.toThrow();
  });

  it("takes exactly 25 minutes of TTL and refuses a millisecond less", () => {
    expect(make({ dedupeTtlMs: 25 * 60_000 })).not.toThrow();
    expect(make({ dedupeTtlMs: 25 * 60_000 - 1 })).toThrow(/25 minutes/);
  });

  it("checks maxDepth, an empty header and non-string secrets", () => {
    expect(make({ maxDepth: 0 })).toThrow(RangeError);
    expect(make({ maxDepth: 1.5 })).toThrow(/whole number/);
    expect(make({ maxDepth: 1001 })).toThrow(/1 to 1000/);
    expect(make({ maxDepth: 1000 })).not.toThrow();
    expect(make({ header: "" })).toThrow(/`header` must not be empty/);
    expect(() => createWebhooks({ secret: 42 as unknown as string })).toThrow(/non-empty string/);
  });
});
