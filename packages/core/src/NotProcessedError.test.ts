import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { OutcomeInfo } from "./handlers/types.js";
import { NotProcessedError } from "./NotProcessedError.js";
import { errorLogger, messageJson } from "./test/samples.js";

const SECRET = "s3cr3t-for-not-processed";
const post = { method: "POST", headers: { "x-webhook-secret": SECRET }, body: messageJson };

/**
 * A transactional store in miniature: the first `complete()` finds the
 * handlers' work rolled back and says so, as the SQL stores do (the receiver
 * releases the claim); later ones complete. `fail` says how it says so.
 */
function rollingBackOnce(fail: () => unknown): DedupeStore {
  const inner = memoryStore({ max: 10 });
  let first = true;
  return {
    claim: (key, request) => inner.claim(key, request),
    release: (key, token) => inner.release(key, token),
    renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
    complete(key, token, options) {
      if (!first) return inner.complete(key, token, options);
      first = false;
      return fail() as boolean;
    },
  };
}

describe("NotProcessedError from a store's complete()", () => {
  it.each([
    [
      "thrown",
      () => {
        throw new NotProcessedError("rolled back");
      },
    ],
    [
      "rejected",
      async () => {
        throw new NotProcessedError("rolled back");
      },
    ],
  ])(
    "%s: answers 500 handler_failed as a failed handler (log, onError, onOutcome); the retry runs the handler",
    async (_, fail) => {
      const { logger, errors } = errorLogger();
      const outcomes: OutcomeInfo[] = [];
      const hooked: unknown[] = [];
      let ran = 0;
      const webhooks = createWebhooks({
        secret: SECRET,
        dedupe: rollingBackOnce(fail),
        logger,
        onMessage: () => void ran++,
        onOutcome: (info) => void outcomes.push(info),
        onError: (error) => void hooked.push(error),
      });
      const first = await webhooks.receive(post);
      expect([first.status, first.outcome]).toEqual([500, "handler_failed"]);
      expect(JSON.parse(first.body)).toMatchObject({
        ok: false,
        error: { code: "handler_failed" },
      });
      expect(outcomes[0]).toMatchObject({ outcome: "handler_failed", status: 500 });
      expect(NotProcessedError.is(outcomes[0]!.error)).toBe(true);
      expect(errors).toEqual([
        {
          obj: expect.objectContaining({
            err: outcomes[0]!.error,
            deliveryId: outcomes[0]!.deliveryId,
          }),
          msg: "fineguide-webhooks: handler failed",
        },
      ]);
      // As a failed handler: onError hooks hear of it.
      expect(hooked).toEqual([outcomes[0]!.error]);
      // The claim was given back: FineGuide's retry runs the handler, and then it is done.
      const retry = await webhooks.receive(post);
      expect([retry.status, retry.outcome]).toEqual([200, "processed"]);
      expect((await webhooks.receive(post)).outcome).toBe("duplicate");
      expect(ran).toBe(2);
    },
  );

  it("any other error from complete() still answers 200: the work took hold, only its mark is lost", async () => {
    const { logger, errors } = errorLogger();
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: rollingBackOnce(async () => {
        throw new Error("connection reset");
      }),
      logger,
      onMessage: () => {},
    });
    const res = await webhooks.receive(post);
    expect([res.status, res.outcome]).toEqual([200, "processed"]);
    expect(errors.map((e) => e.msg)).toEqual(["fineguide-webhooks: complete failed after success"]);
  });

  it("dispatch() reports it as handler_failed with the error, for a queue to retry", async () => {
    const webhooks = createWebhooks({
      secret: SECRET,
      dedupe: rollingBackOnce(() => {
        throw new NotProcessedError();
      }),
      onMessage: () => {},
    });
    const result = await webhooks.dispatch(messageJson);
    expect(result).toMatchObject({ outcome: "handler_failed", status: 500 });
    expect(result.error).toBeInstanceOf(NotProcessedError);
    expect((await webhooks.dispatch(messageJson)).outcome).toBe("processed");
  });
});

describe("NotProcessedError", () => {
  it("is an Error with its name and a default message", () => {
    const error = new NotProcessedError();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("NotProcessedError");
    expect(error.message).toBe("The event's work did not take hold.");
    const cause = new Error("ROLLBACK");
    expect(new NotProcessedError("rolled back", { cause }).cause).toBe(cause);
  });

  it("is recognised from another copy of the package by its brand, and nothing else is", () => {
    const fromAnotherCopy = Object.defineProperty(
      new Error("x"),
      Symbol.for("fineguide-webhooks.NotProcessedError"),
      {
        value: true,
      },
    );
    expect(NotProcessedError.is(fromAnotherCopy)).toBe(true);
    expect(NotProcessedError.is(new NotProcessedError())).toBe(true);
    for (const other of [
      new Error("x"),
      { name: "NotProcessedError" },
      null,
      undefined,
      "NotProcessedError",
    ]) {
      expect(NotProcessedError.is(other)).toBe(false);
    }
    const unknownError: unknown = new NotProcessedError();
    if (NotProcessedError.is(unknownError))
      expectTypeOf(unknownError).toEqualTypeOf<NotProcessedError>();
  });
});
