import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { OutcomeInfo } from "./handlers/types.js";
import { BOT_ID as botId, errorLogger, rating } from "./test/samples.js";

const rated = rating(1);

describe("dispatch() edges", () => {
  it("answers 500 internal_error, without rejecting, when reading the event throws", async () => {
    const trap = new Error("getter trap");
    // A hostile event: an object whose property throws when read (a Proxy, a getter).
    const event = Object.defineProperty({ type: "RATE_MESSAGE", botId }, "sessionId", {
      enumerable: true,
      get() {
        throw trap;
      },
    });
    const { logger, errors } = errorLogger();
    const outcomes: OutcomeInfo[] = [];
    let handled = 0;
    const webhooks = createWebhooks({
      secret: "s",
      logger,
      onRateMessage: () => void handled++,
      onOutcome: (info) => void outcomes.push(info),
    });
    const result = await webhooks.dispatch(event);
    expect(result).toMatchObject({ outcome: "internal_error", status: 500, error: trap });
    expect(handled).toBe(0);
    expect(outcomes).toEqual([result]);
    expect(errors).toEqual([{ obj: { err: trap }, msg: "fineguide-webhooks: unexpected error" }]);
    // The receiver is fine afterwards.
    expect((await webhooks.dispatch(rated)).outcome).toBe("processed");
    expect(handled).toBe(1);
  });

  it("with an already-aborted signal, runs the handlers with ctx.signal fired from their start", async () => {
    const seen: { aborted: boolean; reason: unknown }[] = [];
    const webhooks = createWebhooks({
      secret: "s",
      onRateMessage: async (_event, ctx) => {
        seen.push({ aborted: ctx.signal.aborted, reason: ctx.signal.reason });
      },
    });
    const result = await webhooks.dispatch(rated, { signal: AbortSignal.abort() });
    // The handlers ran (they decide what an abort means to them) and completed.
    expect(result.outcome).toBe("processed");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBeInstanceOf(DOMException);
    expect((seen[0]!.reason as DOMException).name).toBe("AbortError");
    expect((seen[0]!.reason as DOMException).message).toMatch(/shutting down/);
  });

  it("fires ctx.signal for a signal aborted while the handlers start", async () => {
    const shutdown = new AbortController();
    const seen: boolean[] = [];
    const webhooks = createWebhooks({
      secret: "s",
      onRateMessage: async (_event, ctx) => {
        seen.push(ctx.signal.aborted);
        shutdown.abort(); // synchronously, before dispatch() listens to the signal
        await null;
        seen.push(ctx.signal.aborted);
      },
    });
    const result = await webhooks.dispatch(rated, { signal: shutdown.signal });
    expect(result.outcome).toBe("processed");
    expect(seen).toEqual([false, true]);
  });
});
