import type { ProbeRequest, ProbeResponse, Send } from "./types.js";

const lowercase = (headers: Iterable<[string, string]>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of headers) out[key.toLowerCase()] = value;
  return out;
};

const toResponse = async (res: Response): Promise<ProbeResponse> => ({
  status: res.status,
  headers: lowercase(res.headers),
  body: await res.text(),
});

const init = (req: ProbeRequest): RequestInit => ({
  method: req.method,
  headers: req.headers,
  ...(req.body === undefined ? {} : { body: req.body as BodyInit }),
});

/**
 * Sends probes with `fetch` to a URL (a receiver on a real socket).
 *
 * @example
 * ```ts
 * contractSuite("my server", () => fetchSender("http://127.0.0.1:3000/webhook"));
 * ```
 */
export function fetchSender(url: string): Send {
  return async (req) => toResponse(await fetch(url, init(req)));
}

/** Anything with Hono's `app.request(path, init)`. */
export interface RequestApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/**
 * Sends probes through Hono's `app.request()` (no socket).
 *
 * @example
 * ```ts
 * contractSuite("hono", (webhooks) => {
 *   const app = new Hono().all("/webhook", fineguideWebhook(webhooks));
 *   return requestSender(app, "/webhook");
 * });
 * ```
 */
export function requestSender(app: RequestApp, path: string): Send {
  return async (req) => toResponse(await app.request(path, init(req)));
}

/** Anything with Fastify's `app.inject({ method, url, headers, payload })`. */
export interface InjectApp {
  inject(options: {
    method: string;
    url: string;
    headers: Record<string, string>;
    payload?: string | Buffer;
  }): Promise<{
    statusCode: number;
    headers: Record<string, string | number | string[] | undefined>;
    body: string;
  }>;
}

/**
 * Sends probes through Fastify's `app.inject()` (no socket).
 *
 * @example
 * ```ts
 * contractSuite("fastify", async (webhooks) => {
 *   const app = Fastify();
 *   await app.register(fineguideWebhook, { path: "/webhook", webhooks });
 *   return { send: injectSender(app, "/webhook"), close: () => app.close() };
 * });
 * ```
 */
export function injectSender(app: InjectApp, path: string): Send {
  return async (req) => {
    const res = await app.inject({
      // Fastify's types accept only known methods; probes use standard ones.
      method: req.method,
      url: path,
      headers: { ...req.headers },
      ...(req.body === undefined
        ? {}
        : { payload: typeof req.body === "string" ? req.body : Buffer.from(req.body) }),
    });
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = String(value);
    }
    return { status: res.statusCode, headers, body: res.body };
  };
}
