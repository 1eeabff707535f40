import type { IncomingMessage } from "node:http";
import { BODY_TOO_LARGE } from "@fineguide-webhooks/core";
import getRawBody from "raw-body";

/** A request as Express hands it over: Node's request, plus what a body parser left. */
export type BodyRequest = IncomingMessage & { body?: unknown };

/**
 * The body to hand to core `receive()`.
 *
 * - Something upstream consumed the stream (`express.json()`, `express.raw()`,
 *   `express.text()`, ...): what it left in `req.body` (or `""` when the
 *   request declared an empty body, which `express.json()` turns into `{}`).
 * - Nothing read the stream (no parser, or a parser skipped this content type,
 *   leaving `req.body` undefined in Express 5 and `{}` in Express 4): a function
 *   reading it up to `limit` bytes, which core calls only after the secret and
 *   content type passed, so an unauthenticated body is never read.
 *
 * The stream, not `req.body`, tells the two apart: Express 4 parsers set
 * `req.body = {}` even when they skip a request.
 */
export function requestBody(req: BodyRequest, limit: number): unknown {
  if (req.readableDidRead || req.readableEnded) {
    // express.json() turns an empty body into `{}`; a declared length of 0 says what was sent.
    return req.headers["content-length"] === "0" ? "" : req.body;
  }
  // raw-body (what Express's own parsers read with) pauses the request when it
  // passes the limit rather than destroying it: the rest is discarded by
  // `drain()` after the 413, so the client reads the 413, not a reset. Any
  // other read error (an aborted request) is thrown: core answers invalid_json.
  return () =>
    getRawBody(req, { limit }).catch((error: { type?: string }) => {
      if (error.type === "entity.too.large") return BODY_TOO_LARGE;
      throw error;
    });
}

/**
 * Discards what is left of a request body after the answer, as Node does for a
 * body nobody read, so a keep-alive connection stays usable and a client still
 * sending a large body reads the answer instead of a reset.
 */
export function drain(req: IncomingMessage): void {
  if (!req.readableEnded && !req.destroyed) req.resume();
}
