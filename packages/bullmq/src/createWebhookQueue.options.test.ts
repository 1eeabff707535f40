import { describe, expect, it } from "vitest";
import { createWebhookQueue } from "./createWebhookQueue.js";

// Refused before any connection is made: no Redis needed.
const connection = { host: "127.0.0.1", port: 1 };

describe("createWebhookQueue options", () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses enqueueTimeoutMs %s", (value) => {
    expect(() => createWebhookQueue({ connection, enqueueTimeoutMs: value })).toThrow(
      new RangeError("createWebhookQueue: `enqueueTimeoutMs` must be a positive number."),
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses keepCompletedMs %s", (value) => {
    expect(() => createWebhookQueue({ connection, keepCompletedMs: value })).toThrow(
      new RangeError("createWebhookQueue: `keepCompletedMs` must be 0 or more."),
    );
  });
});
