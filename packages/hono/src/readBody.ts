import {
  type BODY_TOO_LARGE,
  getHeader,
  type HeadersInput,
  readLimited,
} from "@fineguide-webhooks/core";
import type { HonoRequest } from "hono";

/**
 * Reads a Fetch `ReadableStream` chunk by chunk with its reader (portable:
 * not every runtime makes streams async-iterable), and cancels it when the
 * consumer stops early (past the size limit).
 */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * The request body, read at most `limit` bytes far.
 *
 * - With a `Content-Length` (and no `Transfer-Encoding`), the runtime's HTTP
 *   parser stops the body at the declared length, which core's preflight has
 *   already compared with the limit: `text()` is bounded and, on
 *   `@hono/node-server`, reads the socket directly without building a Fetch
 *   stream or an extra `ArrayBuffer` copy. Core checks the real size again.
 * - Without one (chunked uploads), the stream is read with a reader and the
 *   read stops at the first chunk past the limit ({@link BODY_TOO_LARGE}).
 * - A body another middleware already read comes from Hono's body cache
 *   (see {@link cachedBody}).
 *
 * @example
 * ```ts
 * const body = await readBody(c.req, c.req.raw.headers, webhooks.maxBodyBytes);
 * ```
 */
export function readBody(
  req: HonoRequest,
  headers: HeadersInput,
  limit: number,
): Promise<unknown> | undefined {
  const raw = req.raw;
  const declared =
    getHeader(headers, "content-length") !== undefined &&
    getHeader(headers, "transfer-encoding") === undefined;
  if (raw.bodyUsed) return cachedBody(req);
  if (declared) return req.text();
  const stream = raw.body;
  if (stream === null) return undefined;
  return readLimited(chunksOf(stream), limit);
}

/** Hono's per-request body cache (`HonoRequest.bodyCache`): promises of what was read. */
interface BodyCache {
  readonly arrayBuffer?: Promise<ArrayBuffer>;
  readonly text?: Promise<string>;
  readonly json?: Promise<unknown>;
}

/**
 * The body an earlier middleware already read, from Hono's cache: the bytes
 * or text when those were read, else the value `c.req.json()` parsed (handed
 * to core as a body a framework already parsed). Read from the cache first
 * because Hono 4.0 and 4.1 cannot derive one form from another (`text()`
 * after `json()` reads the spent stream again; after `arrayBuffer()` it
 * yields "[object Promise]"); 4.2 and later can, and `text()` serves the rest.
 */
async function cachedBody(req: HonoRequest): Promise<unknown> {
  const cache = (req as { bodyCache?: BodyCache }).bodyCache;
  if (cache?.arrayBuffer) return new Uint8Array(await cache.arrayBuffer);
  if (cache?.text) return await cache.text;
  if (cache?.json) return await cache.json;
  return await req.text();
}
