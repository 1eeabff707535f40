import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { OutcomeInfo } from "./handlers/types.js";
import type { Logger } from "./logger.js";

const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const rating = { type: "RATE_MESSAGE", botId, sessionId, messageId, rating: 1 };

const recordingLogger = () => {
  const errors: { obj: unknown; msg: string | undefined }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj: unknown, msg?: string) => void errors.push({ obj, msg }),
  };
  return { logger, errors };
};

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
    const { logger, errors } = recordingLogger();
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
    expect((await webhooks.dispatch(rating)).outcome).toBe("processed");
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
    const result = await webhooks.dispatch(rating, { signal: AbortSignal.abort() });
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
    const result = await webhooks.dispatch(rating, { signal: shutdown.signal });
    expect(result.outcome).toBe("processed");
    expect(seen).toEqual([false, true]);
  });
});
