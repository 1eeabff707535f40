/** Headers that belong to one connection and are not passed on. */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
]);

/** What the forward target answered, or why it did not. */
export interface ForwardResult {
  readonly url: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly error?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Node's incoming headers, as `req.headers` has them. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Sends a delivery on to `target` as it was received (method, headers but the
 * hop-by-hop ones, body), without following redirects, and returns the
 * answer. Never rejects: a failure is in `error`.
 *
 * @example
 * ```ts
 * const res = await forward("http://127.0.0.1:3000/webhook", "POST", req.headers, body, 30_000);
 * ```
 */
export async function forward(
  target: string,
  method: string,
  incoming: IncomingHeaders,
  body: Uint8Array,
  timeoutMs: number,
): Promise<ForwardResult> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(key)) continue;
    headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  const started = performance.now();
  try {
    const res = await fetch(target, {
      method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      ...(method === "GET" || method === "HEAD" ? {} : { body: body as BodyInit }),
    });
    const text = await res.text();
    const out: Record<string, string> = {};
    const contentType = res.headers.get("content-type");
    if (contentType) out["content-type"] = contentType;
    return {
      url: target,
      status: res.status,
      durationMs: performance.now() - started,
      headers: out,
      body: text,
    };
  } catch (error) {
    const err = error as Error;
    return {
      url: target,
      durationMs: performance.now() - started,
      error:
        err.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ""}`,
    };
  }
}
