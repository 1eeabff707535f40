import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { type FineGuideEvent, fineGuideEventSchema } from "@fineguide-webhooks/core";
import { LRUCache } from "lru-cache";

/** What the hand-rolled receiver answers; the framework serialises `body` as JSON. */
export interface HandRolledAnswer {
  readonly status: 200 | 400 | 401;
  readonly body:
    | { readonly ok: true; readonly duplicate?: true }
    | { readonly ok: false; readonly error: { readonly code: "unauthorized" | "invalid_payload" } };
}

/** The receiver: the secret header's value and the body the framework parsed as JSON. */
export type HandRolledReceiver = (
  secretHeader: string | readonly string[] | undefined,
  body: unknown,
) => Promise<HandRolledAnswer>;

/**
 * (c) of the adapter bench: the receiver a careful integrator writes without
 * our kit, from the same building blocks, shared by every framework module so
 * that each only adds a route (the framework parses the JSON body, as in the
 * bare route, and sends the answer):
 * - the secret header compared with `node:crypto` `timingSafeEqual` after a
 *   length check; missing, repeated or wrong: 401;
 * - the body validated with zod against our published `fineGuideEventSchema`
 *   (the discriminated union of the documented types): invalid, 400;
 * - dedupe in memory with `lru-cache` (100 000 keys, 30 min), key
 *   `botId:type:messageId` (`sessionId` for types without a messageId): a key
 *   already there answers 200 `{ ok: true, duplicate: true }`; otherwise the
 *   handler runs, then the key is set and the answer is 200 `{ ok: true }`.
 *   A handler that throws sets no key (the framework answers 500, the vendor
 *   retries).
 *
 * It is the minimum, and less than the receiver contract asks for: no lease or
 * in-progress state (two concurrent deliveries of one event both run the
 * handler), no handler deadline, no hooks, no logger, no method / content-type
 * / size rows beyond what the framework does itself, unknown event types
 * rejected 400 instead of accepted 200, TICKET and CREATE_LEAD keyed by session
 * only (no fingerprint). Whatever it costs, a receiver that checks the secret,
 * validates and deduplicates costs at least that.
 *
 * @example
 * ```ts
 * const receive = createHandRolled("bench-secret-0123456789");
 * app.post("/webhook", express.json(), async (req, res) => {
 *   const answer = await receive(req.headers["x-webhook-secret"], req.body);
 *   res.status(answer.status).json(answer.body);
 * });
 * ```
 */
export function createHandRolled(
  secret: string,
  handler: (event: FineGuideEvent) => void | Promise<void> = () => {},
): HandRolledReceiver {
  const expected = Buffer.from(secret, "utf8");
  const seen = new LRUCache<string, true>({ max: 100_000, ttl: 30 * 60_000 });
  return async (secretHeader, body) => {
    const given = typeof secretHeader === "string" ? Buffer.from(secretHeader, "utf8") : undefined;
    if (given?.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 401, body: { ok: false, error: { code: "unauthorized" } } };
    }
    const parsed = fineGuideEventSchema.safeParse(body);
    if (!parsed.success) {
      return { status: 400, body: { ok: false, error: { code: "invalid_payload" } } };
    }
    const event = parsed.data;
    const key = `${event.botId}:${event.type}:${"messageId" in event ? event.messageId : event.sessionId}`;
    if (seen.has(key)) return { status: 200, body: { ok: true, duplicate: true } };
    await handler(event);
    seen.set(key, true);
    return { status: 200, body: { ok: true } };
  };
}
