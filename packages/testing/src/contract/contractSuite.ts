import {
  createWebhooks,
  type DedupeStore,
  ERRORS,
  type ErrorCode,
  EVENT_TYPES,
  type EventType,
  HANDLER_NAMES,
  memoryStore,
  ServiceUnavailableError,
  type Webhooks,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEvent as sampleEvent } from "../factories/createEvent.js";
import { CONTRACT_HEADER, CONTRACT_SECRET, ROTATED_SECRET } from "./secrets.js";
import type { Mount, MountedReceiver, ProbeRequest, ProbeResponse, Send } from "./types.js";

/** Options of {@link contractSuite}. */
export interface ContractSuiteOptions {
  /** Rows to leave out, by the contract's row number (say why in your test). */
  readonly skipRows?: readonly number[];
}

type Deferred = { promise: Promise<void>; open: () => void };
const gate = (): Deferred => {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
};

const json = (body: unknown) => JSON.stringify(body);

/** A store that cannot be reached, as a Redis that is down looks to the receiver. */
const unreachableStore = (): DedupeStore => {
  const down = async (): Promise<never> => {
    throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
  };
  return { claim: down, complete: down, release: down, renew: down };
};

/**
 * Registers one vitest test per case of the receiver contract (method,
 * secret, content type, size, JSON, type, schema, unknown types, duplicates,
 * in-progress duplicates, store outage, handler failure, deadline, success)
 * against a receiver you mount. For each test the suite creates a `Webhooks`
 * instance with its own handlers and options and calls `mount(webhooks)`:
 * mount it so that every HTTP method reaches it (e.g. `app.all` / `app.use`).
 *
 * @example
 * ```ts
 * import { contractSuite, fetchSender } from "@fineguide-webhooks/testing/contract";
 *
 * contractSuite("express", (webhooks) => {
 *   const app = express();
 *   app.use("/webhook", fineguideWebhook(webhooks));
 *   const server = app.listen(0);
 *   const { port } = server.address() as AddressInfo;
 *   return { send: fetchSender(`http://127.0.0.1:${port}/webhook`), close: () => server.close() };
 * });
 * ```
 */
export function contractSuite(
  name: string,
  mount: Mount,
  options: ContractSuiteOptions = {},
): void {
  const row = (n: number, title: string, fn: () => Promise<void>) =>
    (options.skipRows?.includes(n) ? it.skip : it)(`row ${n}: ${title}`, fn);

  describe(`receiver contract: ${name}`, () => {
    const mounted: MountedReceiver[] = [];
    afterEach(async () => {
      for (const receiver of mounted.splice(0)) await receiver.close?.();
    });

    const start = async (
      extra: Partial<WebhooksOptions> = {},
    ): Promise<Send & { webhooks: Webhooks }> => {
      const webhooks = createWebhooks({
        secret: [CONTRACT_SECRET, ROTATED_SECRET],
        header: CONTRACT_HEADER,
        dedupe: memoryStore(),
        ...extra,
      });
      const result = await mount(webhooks);
      const receiver = typeof result === "function" ? { send: result } : result;
      mounted.push(receiver);
      const send = async (req: ProbeRequest) => {
        const res = await receiver.send(req);
        // Whatever happened, no answer may echo a secret.
        expect(res.body).not.toContain(CONTRACT_SECRET);
        expect(res.body).not.toContain(ROTATED_SECRET);
        expect(JSON.stringify(res.headers)).not.toContain(CONTRACT_SECRET);
        return res;
      };
      return Object.assign(send, { webhooks });
    };

    const post = (
      send: Send,
      body: string | Uint8Array,
      headers: Record<string, string> = {},
    ): Promise<ProbeResponse> =>
      send({
        method: "POST",
        headers: {
          "content-type": "application/json",
          [CONTRACT_HEADER]: CONTRACT_SECRET,
          ...headers,
        },
        body,
      });

    const expectOk = (res: ProbeResponse, extra: Record<string, unknown> = {}) => {
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ ok: true, ...extra });
    };

    const expectError = (res: ProbeResponse, code: ErrorCode) => {
      expect(res.status, res.body).toBe(ERRORS[code].status);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ ok: false, error: { code, message: ERRORS[code].message } });
      return body as { error: { issues?: { path: unknown[]; message: string }[] } };
    };

    row(1, "a method other than POST is 405 with Allow: POST", async () => {
      let ran = 0;
      const send = await start({ onAny: () => void ran++ });
      for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
        const res = await send({
          method,
          headers: { [CONTRACT_HEADER]: CONTRACT_SECRET, "content-type": "application/json" },
          ...(method === "GET" ? {} : { body: json(sampleEvent("MESSAGE")) }),
        });
        expectError(res, "method_not_allowed");
        expect(res.headers.allow).toBe("POST");
      }
      const noSecret = await send({ method: "GET", headers: {} });
      expectError(noSecret, "method_not_allowed");
      expect(ran).toBe(0);
    });

    row(2, "a missing or wrong secret is 401, checked before the body", async () => {
      let ran = 0;
      const send = await start({ onAny: () => void ran++ });
      const body = json(sampleEvent("TICKET"));
      expectError(
        await send({ method: "POST", headers: { "content-type": "application/json" }, body }),
        "unauthorized",
      );
      expectError(await post(send, body, { [CONTRACT_HEADER]: "wrong" }), "unauthorized");
      expectError(
        await post(send, body, { [CONTRACT_HEADER]: `${CONTRACT_SECRET}x` }),
        "unauthorized",
      );
      expectError(await post(send, body, { [CONTRACT_HEADER]: "" }), "unauthorized");
      // The body is not parsed, its type not checked, before the secret passed.
      expectError(await post(send, "{not json", { [CONTRACT_HEADER]: "wrong" }), "unauthorized");
      expectError(
        await post(send, body, { [CONTRACT_HEADER]: "wrong", "content-type": "text/html" }),
        "unauthorized",
      );
      expect(ran).toBe(0);
      // Rotation: every configured secret is accepted.
      expectOk(await post(send, body, { [CONTRACT_HEADER]: ROTATED_SECRET }));
      expect(ran).toBe(1);
    });

    row(
      3,
      "a content type present and not JSON is 415; text/plain and none are parsed",
      async () => {
        let ran = 0;
        const send = await start({ onAny: () => void ran++ });
        for (const type of ["text/html", "application/xml", "application/x-www-form-urlencoded"]) {
          expectError(
            await post(send, json(sampleEvent("MESSAGE")), { "content-type": type }),
            "unsupported_media_type",
          );
        }
        expect(ran).toBe(0);
        for (const type of [
          "application/json; charset=utf-8",
          "application/vnd.fineguide.event+json",
          "text/plain",
          "text/plain; charset=utf-8",
        ]) {
          expectOk(await post(send, json(sampleEvent("MESSAGE")), { "content-type": type }));
        }
        const noType = await send({
          method: "POST",
          headers: { [CONTRACT_HEADER]: CONTRACT_SECRET },
          body: new TextEncoder().encode(json(sampleEvent("MESSAGE"))),
        });
        expectOk(noType);
        expect(ran).toBe(5);
      },
    );

    row(4, "a body larger than the limit is 413", async () => {
      let ran = 0;
      const send = await start({ maxBodyBytes: 1024, onAny: () => void ran++ });
      const event = sampleEvent("MESSAGE");
      const big = json({ ...event, message: "x".repeat(2048) });
      expectError(await post(send, big), "payload_too_large");
      const fits = json({
        ...event,
        message: "x".repeat(1024 - json({ ...event, message: "" }).length),
      });
      expect(new TextEncoder().encode(fits).byteLength).toBe(1024);
      expectOk(await post(send, fits));
      expect(ran).toBe(1);
    });

    row(5, "a body that is not JSON, or not a JSON object, is 400", async () => {
      let ran = 0;
      const send = await start({ onAny: () => void ran++, onInvalid: () => void ran++ });
      for (const body of ["{not json", '{"type":"MESSAGE"', ""]) {
        expectError(await post(send, body), "invalid_json");
      }
      for (const body of ["[1,2]", '"MESSAGE"', "42", "null", "true"]) {
        expectError(await post(send, body), "not_an_object");
      }
      expect(ran).toBe(0);
    });

    row(6, "a missing or non-string type is 400 and onInvalid is called", async () => {
      const invalid: string[] = [];
      let ran = 0;
      const send = await start({
        onAny: () => void ran++,
        onInvalid: (i) => void invalid.push(i.code),
      });
      const { type: _type, ...untyped } = sampleEvent("MESSAGE");
      expectError(await post(send, json(untyped)), "missing_type");
      expectError(await post(send, json({ ...untyped, type: 7 })), "missing_type");
      expectError(await post(send, json({ ...untyped, type: null })), "missing_type");
      expect(invalid).toEqual(["missing_type", "missing_type", "missing_type"]);
      expect(ran).toBe(0);
    });

    row(7, "a known type failing its schema is 400 with paths, never values", async () => {
      const invalid: string[] = [];
      let ran = 0;
      const send = await start({
        onAny: () => void ran++,
        onInvalid: (i) => void invalid.push(i.code),
      });
      const cases: [unknown, string][] = [
        [{ ...sampleEvent("MESSAGE"), messageId: "leaked-value-1" }, "messageId"],
        [{ ...sampleEvent("RATE_MESSAGE"), rating: 5 }, "rating"],
        [{ ...sampleEvent("VARIABLE_UPDATE"), variables: "leaked-value-2" }, "variables"],
        [{ ...sampleEvent("TICKET"), botId: "leaked-value-3" }, "botId"],
        [{ ...sampleEvent("SESSION_OPEN"), sessionId: undefined }, "sessionId"],
      ];
      for (const [event, path] of cases) {
        const res = await post(send, json(event));
        const body = expectError(res, "invalid_payload");
        expect(body.error.issues?.map((i) => i.path.join("."))).toContain(path);
        expect(res.body).not.toMatch(/leaked-value/);
      }
      expect(invalid).toEqual(cases.map(() => "invalid_payload"));
      expect(ran).toBe(0);
    });

    row(7, "people's words, new roles and unknown fields are accepted unless strict", async () => {
      const seen: unknown[] = [];
      const send = await start({ onAny: (event) => void seen.push(event) });
      const lenient = [
        { ...sampleEvent("TICKET"), customerEmail: "not an email" },
        { ...sampleEvent("MESSAGE"), role: "SUPERVISOR" },
        { ...sampleEvent("SESSION_OPEN"), addedByVendorLater: { nested: true } },
      ];
      for (const event of lenient) expectOk(await post(send, json(event)));
      expect(seen).toEqual(lenient);

      const strict = await start({ strict: true });
      for (const event of lenient) {
        expectError(await post(strict, json(event)), "invalid_payload");
      }
    });

    row(8, "an unknown type is 200 and runs onUnknown and onAny only", async () => {
      const calls: string[] = [];
      const send = await start({
        onUnknown: (event) => void calls.push(`unknown:${event.type}`),
        onAny: (event) => void calls.push(`any:${event.type}`),
        onMessage: () => void calls.push("message"),
      });
      const event = {
        type: "BRAND_NEW_EVENT",
        botId: sampleEvent("MESSAGE").botId,
        sessionId: "s",
        extra: 1,
      };
      expectOk(await post(send, json(event)));
      expect(calls.sort()).toEqual(["any:BRAND_NEW_EVENT", "unknown:BRAND_NEW_EVENT"]);
    });

    row(9, "a duplicate of a processed event is 200 duplicate, handlers do not run", async () => {
      let ran = 0;
      const duplicates: string[] = [];
      const send = await start({
        onMessage: () => void ran++,
        onRateMessage: () => void ran++,
        onDuplicate: (_event, ctx) => void duplicates.push(ctx.dedupeKey),
      });
      const message = sampleEvent("MESSAGE");
      expectOk(await post(send, json(message)));
      expectOk(await post(send, json(message)), { duplicate: true });
      // An extra field on a retry does not defeat it.
      expectOk(await post(send, json({ ...message, retriedAt: 1 })), { duplicate: true });
      expect(ran).toBe(1);
      expect(duplicates).toHaveLength(2);
      expectOk(await post(send, json(sampleEvent("MESSAGE"))));
      expect(ran).toBe(2);

      // `latest` mode: a rating changed 1, -1, 1 runs three times; a retry of the last does not.
      const rating = sampleEvent("RATE_MESSAGE");
      for (const value of [1, -1, 1])
        expectOk(await post(send, json({ ...rating, rating: value })));
      expectOk(await post(send, json({ ...rating, rating: 1 })), { duplicate: true });
      expect(ran).toBe(5);
    });

    row(10, "a duplicate of an event still being processed is 503 with Retry-After", async () => {
      const release = gate();
      let ran = 0;
      const send = await start({
        onTicket: async () => {
          ran++;
          await release.promise;
        },
      });
      const ticket = json(sampleEvent("TICKET"));
      const first = post(send, ticket);
      await expect.poll(() => ran).toBe(1);
      const second = await post(send, ticket);
      expectError(second, "in_progress");
      expect(Number(second.headers["retry-after"])).toBeGreaterThan(0);
      release.open();
      expectOk(await first);
      expectOk(await post(send, ticket), { duplicate: true });
      expect(ran).toBe(1);
    });

    row(11, "an unreachable dedupe store is 503 and no handler runs (fail closed)", async () => {
      let ran = 0;
      const send = await start({ dedupe: unreachableStore(), onAny: () => void ran++ });
      const res = await post(send, json(sampleEvent("CREATE_LEAD")));
      expectError(res, "store_unavailable");
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.body).not.toContain("ECONNREFUSED");
      expect(ran).toBe(0);

      const open = await start({
        dedupe: unreachableStore(),
        onStoreError: "open",
        onAny: () => void ran++,
      });
      expectOk(await post(open, json(sampleEvent("CREATE_LEAD"))));
      expect(ran).toBe(1);
    });

    row(
      12,
      "a failing handler is 500 with a generic body (503 when it throws ServiceUnavailableError); the retry runs",
      async () => {
        const errors: unknown[] = [];
        let attempts = 0;
        const send = await start({
          onTicket: () => {
            attempts++;
            if (attempts === 1) throw new Error("db password=hunter2 failed");
          },
          onError: (error) => void errors.push(error),
        });
        const ticket = json(sampleEvent("TICKET"));
        const res = await post(send, ticket);
        expectError(res, "handler_failed");
        expect(res.body).not.toContain("hunter2");
        expect(res.body).not.toContain("at ");
        expect(errors).toHaveLength(1);
        expect((errors[0] as Error).message).toContain("hunter2");
        expectOk(await post(send, ticket));
        expect(attempts).toBe(2);

        // Several failing handlers arrive as one AggregateError.
        const many = await start({
          onAny: () => Promise.reject(new Error("a")),
          onMessage: () => Promise.reject(new Error("b")),
          onError: (error) => void errors.push(error),
        });
        expectError(await post(many, json(sampleEvent("MESSAGE"))), "handler_failed");
        expect(errors[1]).toBeInstanceOf(AggregateError);
        expect((errors[1] as AggregateError).errors).toHaveLength(2);

        // Row 12b: a handler that says "not stored, come back later" (a queue down)
        // is 503 with Retry-After, the claim released: the retry runs.
        let tries = 0;
        const later = await start({
          onTicket: () => {
            tries++;
            if (tries === 1) throw new ServiceUnavailableError("queue down");
          },
        });
        const unstored = json(sampleEvent("TICKET"));
        const unavailable = await post(later, unstored);
        expectError(unavailable, "handler_unavailable");
        expect(unavailable.headers["retry-after"]).toBeDefined();
        expectOk(await post(later, unstored));
        expect(tries).toBe(2);
      },
    );

    row(13, "a handler still running at the deadline is 503; the claim stays held", async () => {
      const release = gate();
      let signal: AbortSignal | undefined;
      let ran = 0;
      const send = await start({
        deadlineMs: 100,
        onSessionClosed: async (_event, ctx) => {
          ran++;
          signal = ctx.signal;
          await release.promise;
        },
      });
      const event = json(sampleEvent("SESSION_CLOSED"));
      const res = await post(send, event);
      expectError(res, "handler_timeout");
      expect(res.headers["retry-after"]).toBeDefined();
      expect(signal?.aborted).toBe(true);
      // Still running: a retry now waits for the outcome.
      expectError(await post(send, event), "in_progress");
      release.open();
      await expect
        .poll(async () => (await post(send, event)).body, { timeout: 2000 })
        .toBe(json({ ok: true, duplicate: true }));
      expect(ran).toBe(1);
    });

    row(14, "every documented type is 200 { ok: true } and reaches its typed handler", async () => {
      const seen: Partial<Record<EventType, unknown>> = {};
      const handlers = Object.fromEntries(
        EVENT_TYPES.map((type) => [
          HANDLER_NAMES[type],
          (event: { type: EventType }) => {
            seen[event.type] = event;
          },
        ]),
      );
      const send = await start(handlers);
      for (const type of EVENT_TYPES) {
        const event = sampleEvent(type);
        expectOk(await post(send, json(event)));
        expect(seen[type]).toEqual(event);
      }
    });
  });
}
