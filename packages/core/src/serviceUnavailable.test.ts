import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { createFetchHandler } from "./fetch.js";
import type { OutcomeInfo } from "./handlers/types.js";
import { ServiceUnavailableError } from "./index.js";
import type { Logger } from "./logger.js";

const SECRET = "s3cr3t-for-unavailable-tests";
const body = JSON.stringify({
  type: "MESSAGE",
  botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
  role: "USER",
  message: "Hi",
  messageId: "733b7d55-61ea-450f-b585-27755b015596",
});
const post = { method: "POST", headers: { "x-webhook-secret": SECRET }, body };

/** A logger keeping each line's level and message. */
const lines = () => {
  const seen: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (_o, msg) => void seen.push(`warn ${msg}`),
    error: (_o, msg) => void seen.push(`error ${msg}`),
  };
  return { seen, logger };
};

describe("ServiceUnavailableError from a handler", () => {
  it("answers 503 handler_unavailable with Retry-After, releases the claim, and the retry runs", async () => {
    const outcomes: OutcomeInfo[] = [];
    const hooked: unknown[] = [];
    const { seen, logger } = lines();
    const cause = new Error("ECONNREFUSED 127.0.0.1:6379 with a secret-looking value");
    let calls = 0;
    const webhooks = createWebhooks({
      secret: SECRET,
      logger,
      onMessage: async () => {
        if (++calls === 1) throw new ServiceUnavailableError("the queue is away", { cause });
      },
      onError: (error) => void hooked.push(error),
      onOutcome: (info) => void outcomes.push(info),
    });
    const first = await webhooks.receive(post);
    expect(first.status).toBe(503);
    expect(first.outcome).toBe("handler_unavailable");
    expect(first.headers["retry-after"]).toBe("60");
    expect(JSON.parse(first.body)).toEqual({
      ok: false,
      error: {
        code: "handler_unavailable",
        message: "A handler could not process or store the event now; retry later.",
      },
    });
    expect(first.body).not.toContain("queue is away");
    expect(first.body).not.toContain("ECONNREFUSED");
    expect(hooked).toHaveLength(1);
    expect(outcomes[0]!.error).toBeInstanceOf(ServiceUnavailableError);
    expect(seen).toEqual(["warn fineguide-webhooks: a handler is unavailable; answering 503"]);
    // Released: the vendor's retry runs the handler again, as a retry.
    const second = await webhooks.receive(post);
    expect(second.outcome).toBe("processed");
    expect(calls).toBe(2);
    expect(outcomes[1]!.retry).toBe(true);
  });

  it("is 503 only when every failing handler said so; a plain throw beside it is 500", async () => {
    const mixed = createWebhooks({
      secret: SECRET,
      onMessage: () => {
        throw new ServiceUnavailableError();
      },
      onAny: () => {
        throw new Error("a bug");
      },
    });
    expect((await mixed.receive(post)).outcome).toBe("handler_failed");
    const both = createWebhooks({
      secret: SECRET,
      onMessage: () => Promise.reject(new ServiceUnavailableError()),
      onAny: () => {
        throw new ServiceUnavailableError();
      },
    });
    const res = await both.receive(post);
    expect([res.status, res.outcome]).toEqual([503, "handler_unavailable"]);
  });

  it("is told by its brand (another copy of the package), not by its name", async () => {
    const otherCopy = Object.assign(new Error("from the CommonJS build"), {
      [Symbol.for("fineguide-webhooks.ServiceUnavailableError")]: true,
    });
    const lookalike = Object.assign(new Error("x"), { name: "ServiceUnavailableError" });
    expect(ServiceUnavailableError.is(otherCopy)).toBe(true);
    expect(ServiceUnavailableError.is(lookalike)).toBe(false);
    expect(ServiceUnavailableError.is(undefined)).toBe(false);
    const answers: string[] = [];
    for (const error of [otherCopy, lookalike]) {
      const webhooks = createWebhooks({
        secret: SECRET,
        onMessage: () => {
          throw error;
        },
      });
      answers.push((await webhooks.receive(post)).outcome);
    }
    expect(answers).toEqual(["handler_unavailable", "handler_failed"]);
  });

  it("is reported by dispatch() and answered alike by the Fetch handler", async () => {
    const webhooks = createWebhooks({
      secret: SECRET,
      onMessage: () => {
        throw new ServiceUnavailableError();
      },
    });
    const info = await webhooks.dispatch(JSON.parse(body));
    expect([info.status, info.outcome]).toEqual([503, "handler_unavailable"]);
    const handler = createFetchHandler(webhooks);
    const res = await handler(
      new Request("http://localhost/webhook", {
        method: "POST",
        headers: { "x-webhook-secret": SECRET, "content-type": "application/json" },
        body,
      }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "handler_unavailable",
    );
  });

  it("is an Error with a name, a default message and a type guard", () => {
    const error = new ServiceUnavailableError();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ServiceUnavailableError");
    expect(error.message).toBe("A dependency of the handler is unavailable.");
    const unknownValue: unknown = error;
    if (ServiceUnavailableError.is(unknownValue)) {
      expectTypeOf(unknownValue).toEqualTypeOf<ServiceUnavailableError>();
    }
  });
});
