import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhooks, type Webhooks } from "./createWebhooks.js";
import type { WebhookResponse } from "./http/response.js";
import { createNodeListener, type NodeListenerOptions } from "./node.js";
import { sessionOpenJson as event, INTERNAL_ERROR_BODY as INTERNAL_ERROR } from "./test/samples.js";

// The listener's own error paths, over a real socket: a receiver that throws, an answer
// Node refuses to write, and `onResponse` (called, and harmless when it throws).
const secret = "s3cret";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Serves the listener on port 0, keeping the promise each call returns. */
const serve = async (
  webhooks: Webhooks,
  options?: NodeListenerOptions,
): Promise<{ url: string; calls: Promise<void>[] }> => {
  const listener = createNodeListener(webhooks, options);
  const calls: Promise<void>[] = [];
  const server = createServer((req, res) => void calls.push(listener(req, res)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhook`, calls };
};

const post = (url: string) =>
  fetch(url, {
    method: "POST",
    headers: { "x-webhook-secret": secret, "content-type": "application/json" },
    body: event,
  });

/** The process warnings this file's code emits, from now until `stop()`. */
const watchWarnings = () => {
  const messages: string[] = [];
  const listener = (warning: Error) => {
    if (warning.message.startsWith("fineguide-webhooks")) messages.push(warning.message);
  };
  process.on("warning", listener);
  closers.push(async () => void process.off("warning", listener));
  return messages;
};

/** A user's receiver object (what `toWebhooks` takes as an instance) answering as told. */
const answering = (receive: Webhooks["receive"]): Webhooks => ({
  ...createWebhooks({ secret }),
  receive,
});

const recordAnswers = () => {
  const seen: { answer: WebhookResponse; req: IncomingMessage }[] = [];
  const onResponse = (answer: WebhookResponse, req: IncomingMessage) =>
    void seen.push({ answer, req });
  return { seen, onResponse };
};

describe("createNodeListener error paths", () => {
  it("answers 500 internal_error when the receiver throws, and reports it as a warning", async () => {
    const warnings = watchWarnings();
    const { seen, onResponse } = recordAnswers();
    const { url, calls } = await serve(
      answering(() => {
        throw new Error("receiver exploded");
      }),
      { onResponse },
    );
    const res = await post(url);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    expect(seen.map((s) => s.answer.outcome)).toEqual(["internal_error"]);
    await expect
      .poll(() => warnings)
      .toEqual(["fineguide-webhooks: unexpected error, answered 500: receiver exploded"]);
  });

  it("answers 500 internal_error when the receiver rejects, with a non-Error too", async () => {
    const warnings = watchWarnings();
    const { url, calls } = await serve(answering(() => Promise.reject("plain string")));
    const res = await post(url);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    await expect
      .poll(() => warnings)
      .toEqual(["fineguide-webhooks: unexpected error, answered 500: plain string"]);
  });

  it("answers core's 500, without the refused headers, when Node refuses the answer's head", async () => {
    const warnings = watchWarnings();
    const { seen, onResponse } = recordAnswers();
    const refused: WebhookResponse = {
      status: 200,
      headers: { "content-type": "application/json", "x-injected": "a\r\nset-cookie: x=1" },
      body: '{"ok":true}',
      outcome: "processed",
    };
    const { url, calls } = await serve(
      answering(async () => refused),
      { onResponse },
    );
    const res = await post(url);
    expect(res.status).toBe(500);
    expect(res.headers.get("x-injected")).toBeNull();
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    // onResponse is told what went out, not what the receiver answered.
    expect(seen.map((s) => [s.answer.status, s.answer.outcome])).toEqual([[500, "internal_error"]]);
    await expect.poll(() => warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^fineguide-webhooks: unexpected error, answered 500: .*x-injected/,
    );
  });

  it("destroys the connection when writing fails after the head went out, and reports it", async () => {
    const warnings = watchWarnings();
    const { seen, onResponse } = recordAnswers();
    // A body Node cannot write (not a string): the head is sent, then `end()` throws.
    const unwritable = {
      status: 200,
      headers: { "content-type": "application/json" },
      body: 42 as unknown as string,
      outcome: "processed",
    } satisfies WebhookResponse;
    const { url, calls } = await serve(
      answering(async () => unwritable),
      { onResponse },
    );
    // No 500 can follow a 200 already sent: the client sees the connection cut.
    await expect(post(url).then((res) => res.text())).rejects.toThrow();
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    expect(seen.map((s) => s.answer)).toEqual([unwritable]);
    await expect.poll(() => warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^fineguide-webhooks: the answer could not be written, connection closed: /,
    );
  });
});

describe("createNodeListener onResponse", () => {
  it("is called once per answer with the answer and the request", async () => {
    const { seen, onResponse } = recordAnswers();
    const { url, calls } = await serve(createWebhooks({ secret }), { onResponse });
    const res = await post(url);
    expect(res.status).toBe(200);
    await res.text();
    const unauthorized = await fetch(url, { method: "POST", body: event });
    expect(unauthorized.status).toBe(401);
    await unauthorized.text();
    await Promise.all(calls);
    expect(seen.map((s) => [s.answer.status, s.answer.outcome])).toEqual([
      [200, "processed"],
      [401, "unauthorized"],
    ]);
    expect(seen[0]!.answer.body).toBe('{"ok":true}');
    expect(seen[0]!.req.method).toBe("POST");
    expect(seen[0]!.req.url).toBe("/webhook");
    expect(seen[0]!.req.headers["x-webhook-secret"]).toBe(secret);
  });

  it("changes nothing when it throws: the answer goes out, a warning is reported", async () => {
    const warnings = watchWarnings();
    let handled = 0;
    const { url, calls } = await serve(
      createWebhooks({ secret, onSessionOpen: () => void handled++ }),
      {
        onResponse: () => {
          throw new Error("metrics backend down");
        },
      },
    );
    const res = await post(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    expect(handled).toBe(1);
    await expect
      .poll(() => warnings)
      .toEqual(["fineguide-webhooks: onResponse threw: metrics backend down"]);
  });

  it("never rejects, even when what it throws cannot be turned into a message", async () => {
    const warnings = watchWarnings();
    const { url, calls } = await serve(createWebhooks({ secret }), {
      onResponse: () => {
        throw Object.create(null); // String() of it throws too
      },
    });
    const res = await post(url);
    expect(res.status).toBe(200);
    await res.text();
    await expect(Promise.all(calls)).resolves.toEqual([undefined]);
    // Nothing to report it with: it is dropped rather than thrown at the server.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(warnings).toEqual([]);
  });
});
