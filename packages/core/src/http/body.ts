/**
 * Returned by a body reader that stopped because the body passed the limit;
 * `receive()` answers 413 for it.
 */
export const BODY_TOO_LARGE: unique symbol = Symbol.for("fineguide-webhooks.bodyTooLarge");

/**
 * The body as an adapter hands it over: text, bytes, a value a framework
 * already parsed, {@link BODY_TOO_LARGE}, or a function reading one of those
 * lazily (called only after the secret and content type passed).
 */
export type BodyInput = unknown;

/** Whether a content type may carry the event (the contract's row 3). */
export function acceptsContentType(contentType: string | undefined): boolean {
  // What FineGuide sends, answered without copying the value to lowercase it.
  if (contentType === undefined || contentType === "application/json") return true;
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === "" || media === "application/json" || media === "text/plain") return true;
  return media.startsWith("application/") && media.endsWith("+json");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The byte length of a raw body, or undefined for a value a framework already parsed. */
export function rawByteLength(body: unknown, limit: number): number | undefined {
  if (typeof body === "string") {
    // A UTF-16 code unit takes 1 to 3 UTF-8 bytes: only encode when it matters.
    if (body.length > limit || body.length * 3 <= limit) return body.length;
    return encoder.encode(body).byteLength;
  }
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength;
  return undefined;
}

/** What {@link parseBody} answers for a body that is not JSON (or no body at all). */
export const INVALID_JSON: unique symbol = Symbol("fineguide-webhooks.invalidJson");

/**
 * Parses text or bytes as JSON (a leading BOM is ignored); a parsed value
 * passes through. Answers {@link INVALID_JSON} for what is not JSON, rather
 * than a result object, so a valid body allocates nothing beyond its value.
 */
export function parseBody(body: unknown): unknown {
  let text: string;
  if (typeof body === "string") text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  else if (body instanceof Uint8Array || body instanceof ArrayBuffer) text = decoder.decode(body);
  else if (body === undefined) return INVALID_JSON;
  else return body;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

/**
 * Reads a stream up to `limit` bytes, for adapters that read the body
 * themselves. Stops at the first chunk past the limit and returns
 * {@link BODY_TOO_LARGE}. Stopping ends the iteration: pass a Node request as
 * `req.iterator({ destroyOnReturn: false })` (and `req.resume()` after
 * answering) so the client reads the 413 rather than a connection reset.
 *
 * @example
 * ```ts
 * const body = await readLimited(req.iterator({ destroyOnReturn: false }), webhooks.maxBodyBytes);
 * ```
 */
export async function readLimited(
  source: AsyncIterable<Uint8Array | string>,
  limit: number,
): Promise<Uint8Array | typeof BODY_TOO_LARGE> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > limit) return BODY_TOO_LARGE;
    chunks.push(bytes);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
