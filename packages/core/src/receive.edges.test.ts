import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import type { WebhooksOptions } from "./options.js";

const SECRET = "s3cr3t-for-receive-edges";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const message = { type: "MESSAGE", botId, sessionId, role: "USER", message: "Hi", messageId };
const text = JSON.stringify(message);
const bytes = Buffer.byteLength(text);

// A small store: the default one (100,000 keys) takes a while to allocate, many times over.
const make = (options: Partial<WebhooksOptions> = {}) =>
  createWebhooks({ secret: SECRET, dedupe: memoryStore({ max: 100 }), ...options });
const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "x-webhook-secret": SECRET, "content-type": "application/json", ...headers },
  body,
});

describe("row 4: the body limit, exactly", () => {
  const forms: [string, (s: string) => unknown][] = [
    ["a string", (s) => s],
    ["a Buffer", (s) => Buffer.from(s)],
    ["a Uint8Array", (s) => new TextEncoder().encode(s)],
    ["an ArrayBuffer", (s) => new TextEncoder().encode(s).buffer],
    ["a lazy reader", (s) => async () => s],
  ];

  it.each(forms)("takes %s of exactly maxBodyBytes and refuses one byte more", async (_, form) => {
    const atLimit = make({ maxBodyBytes: bytes });
    expect((await atLimit.receive(post(form(text)))).outcome).toBe("processed");
    const under = make({ maxBodyBytes: bytes - 1 });
    const res = await under.receive(post(form(text)));
    expect(res.status).toBe(413);
    expect(res.outcome).toBe("payload_too_large");
  });

  it("refuses a string of exactly maxBodyBytes two-byte characters", async () => {
    const padded = JSON.stringify({ ...message, message: "é".repeat(100) });
    const webhooks = make({ maxBodyBytes: padded.length });
    expect((await webhooks.receive(post(padded))).outcome).toBe("payload_too_large");
    const roomy = make({ maxBodyBytes: Buffer.byteLength(padded) });
    expect((await roomy.receive(post(padded))).outcome).toBe("processed");
  });

  it("takes a declared Content-Length equal to the limit and refuses one over it", async () => {
    const webhooks = make({ maxBodyBytes: bytes });
    const declared = (n: number) => post(text, { "content-length": String(n) });
    expect((await webhooks.receive(declared(bytes))).outcome).toBe("processed");
    expect((await webhooks.receive(declared(bytes + 1))).outcome).toBe("payload_too_large");
    expect(
      webhooks.preflight({ method: "POST", headers: declared(bytes).headers }),
    ).toBeUndefined();
    expect(
      webhooks.preflight({ method: "POST", headers: declared(bytes + 1).headers })?.outcome,
    ).toBe("payload_too_large");
  });

  it("does not count a body a framework already parsed", async () => {
    const webhooks = make({ maxBodyBytes: 10 });
    expect((await webhooks.receive(post({ ...message }))).outcome).toBe("processed");
  });
});

describe("row 3: content types", () => {
  it.each([
    "application/json ; charset=utf-8",
    "application/json;charset=utf-8",
    "application/cloudevents+json",
    "text/plain",
    "",
  ])("processes %j", async (type) => {
    const res = await make().receive(post(text, { "content-type": type }));
    expect(res.outcome).toBe("processed");
  });

  it("processes a request without a content type", async () => {
    const res = await make().receive({
      method: "POST",
      headers: { "x-webhook-secret": SECRET },
      body: text,
    });
    expect(res.outcome).toBe("processed");
  });

  it.each(["text/html", "application/x-www-form-urlencoded"])("answers %j 415", async (type) => {
    const res = await make().receive(post(text, { "content-type": type }));
    expect(res.status).toBe(415);
    expect(res.outcome).toBe("unsupported_media_type");
  });
});

describe("the order of rows 1 to 5", () => {
  it("answers the method before the secret, with Allow: POST", async () => {
    const res = await make().receive({ method: "GET", headers: {}, body: text });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST");
  });

  it("answers the secret before the content type and the length", async () => {
    const res = await make({ maxBodyBytes: 1 }).receive(
      post(text, { "x-webhook-secret": "wrong", "content-type": "text/html" }),
    );
    expect(res.status).toBe(401);
    expect(res.outcome).toBe("unauthorized");
  });

  it("answers the content type before the declared length", async () => {
    const res = await make({ maxBodyBytes: 1 }).receive(
      post(text, { "content-type": "text/html", "content-length": "999" }),
    );
    expect(res.outcome).toBe("unsupported_media_type");
  });

  it("answers the length before parsing", async () => {
    const res = await make({ maxBodyBytes: 3 }).receive(post("{not json"));
    expect(res.outcome).toBe("payload_too_large");
  });

  it.each([
    ["[1]", "not_an_object"],
    ["null", "not_an_object"],
    ["42", "not_an_object"],
    ['"text"', "not_an_object"],
    ["{", "invalid_json"],
    ["", "invalid_json"],
  ])("answers the body %j 400 %s", async (body, code) => {
    const res = await make().receive(post(body));
    expect(res.status).toBe(400);
    expect(res.outcome).toBe(code);
  });

  it("answers a missing body 400 invalid_json", async () => {
    const res = await make().receive({ method: "POST", headers: { "x-webhook-secret": SECRET } });
    expect(res.outcome).toBe("invalid_json");
  });
});

describe("rows 6 to 8: type and payload", () => {
  it("calls onInvalid with the code, the issues and the payload, and answers them", async () => {
    const seen: unknown[] = [];
    const webhooks = make({ onInvalid: (invalid) => void seen.push(invalid) });
    const noType = await webhooks.receive(post(JSON.stringify({ botId, type: 7 })));
    expect(noType.outcome).toBe("missing_type");
    expect(JSON.parse(noType.body).error.issues).toEqual([
      { path: ["type"], message: "Expected a string event type" },
    ]);
    const bad = await webhooks.receive(post(JSON.stringify({ ...message, messageId: "nope" })));
    expect(bad.status).toBe(400);
    expect(bad.outcome).toBe("invalid_payload");
    const issues = JSON.parse(bad.body).error.issues as { path: unknown[]; message: string }[];
    expect(issues.map((i) => i.path)).toEqual([["messageId"]]);
    expect(bad.body).not.toContain("nope");
    expect(seen).toEqual([
      {
        code: "missing_type",
        issues: [{ path: ["type"], message: "Expected a string event type" }],
        payload: { botId, type: 7 },
      },
      { code: "invalid_payload", issues, payload: { ...message, messageId: "nope" } },
    ]);
  });

  it("runs onUnknown and onAny for an undocumented type, and only onAny and the type's own for a documented one", async () => {
    const calls: string[] = [];
    const webhooks = make({
      onMessage: (e) => void calls.push(`message:${e.type}`),
      onAny: (e) => void calls.push(`any:${e.type}`),
      onUnknown: (e) => void calls.push(`unknown:${e.type}`),
    });
    const unknown = await webhooks.receive(post(JSON.stringify({ type: "NEW", botId })));
    expect(unknown.status).toBe(200);
    expect(unknown.outcome).toBe("unknown_type");
    expect((await webhooks.receive(post(text))).outcome).toBe("processed");
    expect(calls.sort()).toEqual(["any:MESSAGE", "any:NEW", "message:MESSAGE", "unknown:NEW"]);
  });

  it("keeps unknown fields and new roles unless strict", async () => {
    const body = JSON.stringify({ ...message, role: "SYSTEM", extra: { kept: true } });
    const seen: unknown[] = [];
    const lenient = make({ onMessage: (m) => void seen.push(m) });
    expect((await lenient.receive(post(body))).outcome).toBe("processed");
    expect(seen[0]).toMatchObject({ role: "SYSTEM", extra: { kept: true } });
    const strict = make({ strict: true });
    expect((await strict.receive(post(body))).outcome).toBe("invalid_payload");
  });
});

describe("dedupe keys from key functions", () => {
  it("takes a string as a once key and shows it and the fingerprint to handlers", async () => {
    const seen: [string, string | undefined][] = [];
    const webhooks = make({
      dedupeKeys: {
        MESSAGE: (m) => `custom:${m.messageId}`,
        RATE_MESSAGE: (r) => ({ key: `rating:${r.messageId}`, mode: "latest", fingerprint: "fp" }),
      },
      onAny: (_e, ctx) => void seen.push([ctx.dedupeKey, ctx.fingerprint]),
    });
    expect((await webhooks.receive(post(text))).outcome).toBe("processed");
    expect((await webhooks.receive(post(text))).outcome).toBe("duplicate");
    const rating = JSON.stringify({ type: "RATE_MESSAGE", botId, sessionId, messageId, rating: 1 });
    expect((await webhooks.receive(post(rating))).outcome).toBe("processed");
    expect((await webhooks.receive(post(rating))).outcome).toBe("duplicate");
    expect(seen).toEqual([
      [`custom:${messageId}`, undefined],
      [`rating:${messageId}`, "fp"],
    ]);
  });

  it("answers a key function returning an object without a string key like a failing handler", async () => {
    const errors: unknown[] = [];
    const webhooks = make({
      dedupeKeys: { MESSAGE: () => ({ key: 42, mode: "once" }) as unknown as string },
      onError: (error) => void errors.push(error),
    });
    expect((await webhooks.receive(post(text))).outcome).toBe("handler_failed");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });
});

describe("what onOutcome hears of a failure before the handlers", () => {
  it("hears the error of a body that could not be read, answered 400", async () => {
    const infos: { outcome: string; error: unknown }[] = [];
    const broken = new Error("socket closed mid-body");
    const webhooks = make({ onOutcome: (info) => void infos.push(info) });
    const res = await webhooks.receive(
      post(async () => {
        throw broken;
      }),
    );
    expect(res.outcome).toBe("invalid_json");
    await new Promise((resolve) => setImmediate(resolve));
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ outcome: "invalid_json" });
    expect(infos[0]?.error).toBe(broken);
  });

  it("hears the error that escaped the kit, answered 500", async () => {
    const infos: { outcome: string; error: unknown }[] = [];
    const webhooks = make({ onOutcome: (info) => void infos.push(info) });
    const broken = new Error("headers broke");
    const headers = new Proxy(
      {},
      {
        get: () => {
          throw broken;
        },
      },
    );
    const res = await webhooks.receive({ method: "POST", headers, body: "{}" });
    expect(res.status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ outcome: "internal_error" });
    expect(infos[0]?.error).toBe(broken);
  });
});

describe("a value read lazily that breaks the kit as it is checked", () => {
  it.each([
    ["read at once", (body: unknown) => body],
    ["read lazily", (body: unknown) => () => body],
  ])("is answered 500 internal_error, %s, and heard by onOutcome", async (_, form) => {
    const infos: { outcome: string; error: unknown }[] = [];
    const webhooks = make({ onOutcome: (info) => void infos.push(info) });
    const broken = new Error("getter broke");
    // A value a framework already parsed, whose field throws when the kit reads it.
    const parsed = {
      get type(): string {
        throw broken;
      },
    };
    const res = await webhooks.receive(post(form(parsed)));
    expect(res.status).toBe(500);
    expect(res.outcome).toBe("internal_error");
    await new Promise((resolve) => setImmediate(resolve));
    expect(infos).toEqual([expect.objectContaining({ outcome: "internal_error", error: broken })]);
  });
});

describe("what receive() logs of a refused or failed delivery", () => {
  const recording = () => {
    const lines: [string, string | undefined, Record<string, unknown>][] = [];
    const at = (level: string) => (obj: Record<string, unknown>, msg?: string) =>
      void lines.push([level, msg, obj]);
    return {
      lines,
      logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    };
  };

  it("warns of a body that could not be read, with the delivery id and the error", async () => {
    const { lines, logger } = recording();
    const broken = new Error("socket closed");
    await make({ logger }).receive(
      post(async () => {
        throw broken;
      }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toBe("warn");
    expect(lines[0]?.[1]).toBe("fineguide-webhooks: the body could not be read");
    expect(lines[0]?.[2]).toMatchObject({ err: broken, deliveryId: expect.any(String) });
  });

  it("warns of an event whose botId does not own the secret that matched", async () => {
    const { lines, logger } = recording();
    const webhooks = createWebhooks({
      secret: { "another-bot": SECRET },
      dedupe: memoryStore({ max: 10 }),
      logger,
    });
    expect((await webhooks.receive(post(text))).outcome).toBe("unauthorized");
    expect(lines.map(([level, msg]) => [level, msg])).toEqual([
      ["warn", "fineguide-webhooks: the event's botId does not own the secret that matched"],
    ]);
    expect(lines[0]?.[2]).toMatchObject({ deliveryId: expect.any(String) });
  });

  it("logs an invalid payload at info with its type and issues, never its values", async () => {
    const { lines, logger } = recording();
    const res = await make({ logger }).receive(post({ ...message, messageId: 42 }));
    expect(res.outcome).toBe("invalid_payload");
    expect(lines.map(([level, msg]) => [level, msg])).toEqual([
      ["info", "fineguide-webhooks: invalid payload"],
    ]);
    expect(lines[0]?.[2]).toMatchObject({
      type: "MESSAGE",
      issues: [expect.objectContaining({ path: ["messageId"] })],
      deliveryId: expect.any(String),
    });
  });

  it("logs a key function that threw, and hands onError the kit's error for a null key", async () => {
    const { lines, logger } = recording();
    const thrown = new Error("key broke");
    await make({
      logger,
      dedupeKeys: {
        MESSAGE: () => {
          throw thrown;
        },
      },
    }).receive(post(text));
    expect(lines.map(([level, msg]) => [level, msg])).toEqual([
      ["error", "fineguide-webhooks: the dedupe key function threw"],
    ]);
    expect(lines[0]?.[2]).toMatchObject({ err: thrown, type: "MESSAGE" });
    const errors: unknown[] = [];
    await make({
      dedupeKeys: { MESSAGE: () => null as unknown as string },
      onError: (error) => void errors.push(error),
    }).receive(post(text));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe(
      "A dedupe key function must return a string or { key, mode }.",
    );
  });
});
