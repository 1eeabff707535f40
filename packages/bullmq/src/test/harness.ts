/**
 * Helpers of this package's tests. Redis comes from the Redis store's test
 * helpers (`startRedisServer`, a throw-away redis-server on a free port).
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";

export const SECRET = "bullmq-test-secret";

/** A queue name no other test uses. */
export const uniqueQueueName = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value other than `undefined`/`false`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A delivery as the vendor posts it. */
export const post = (event: object) => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
  body: JSON.stringify(event),
});

/** `processed`, `duplicate` or the error code of an answer. */
export const codeOf = (res: { status: number; body: string }): string =>
  res.status < 300
    ? (JSON.parse(res.body) as { duplicate?: true }).duplicate
      ? "duplicate"
      : "processed"
    : (JSON.parse(res.body) as { error: { code: string } }).error.code;

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * POSTs a delivery with node:http over kept-alive connections: a fraction of
 * `fetch`'s CPU per request, which matters with thousands of them on a
 * loaded machine.
 */
export function postDelivery(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-webhook-secret": SECRET,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
