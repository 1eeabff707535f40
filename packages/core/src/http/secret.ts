import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";

/**
 * Builds a constant-time check of a header value against one or more secrets
 * (several during a rotation). Every secret is compared, whatever matched.
 * The candidate is written into a buffer as wide as the longest secret, so
 * `timingSafeEqual` always compares equal lengths and the time taken does not
 * depend on how much of a secret, or of its length, a guess got right.
 *
 * @example
 * ```ts
 * const verify = createSecretVerifier(["new-secret", "old-secret"]);
 * verify(req.headers["x-webhook-secret"]); // true or false
 * ```
 */
export function createSecretVerifier(
  secrets: readonly string[],
): (value: string | undefined) => boolean {
  const encoded = secrets.map((secret) => Buffer.from(secret, "utf8"));
  const width = Math.max(...encoded.map((b) => b.length));
  const padded = encoded.map((b) => {
    const out = Buffer.alloc(width);
    b.copy(out);
    return out;
  });
  const lengths = encoded.map((b) => b.length);
  // Reused across calls: the check is synchronous, so no two calls share it at once.
  const candidate = Buffer.alloc(width);
  return (value) => {
    if (value === undefined || value === "") return false;
    candidate.fill(0);
    candidate.write(value, 0, width, "utf8");
    const length = Buffer.byteLength(value, "utf8");
    let ok = 0;
    for (let i = 0; i < padded.length; i++) {
      // Bitwise, not &&: every comparison runs whatever the outcome.
      ok |= Number(timingSafeEqual(candidate, padded[i]!)) & Number(length === lengths[i]);
    }
    return ok === 1;
  };
}
