import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";

/**
 * Builds a constant-time matcher of a header value against one or more
 * secrets: it answers the index of the secret that matched, or -1. Every
 * secret is compared, whatever matched. The candidate is written into a
 * buffer as wide as the longest secret, so `timingSafeEqual` always compares
 * equal lengths and the time taken does not depend on how much of a secret,
 * its length, or which one a guess got right. The secrets must differ.
 *
 * @example
 * ```ts
 * const match = createSecretMatcher(["bot-a-secret", "bot-b-secret"]);
 * match(req.headers["x-webhook-secret"]); // 0, 1 or -1
 * ```
 */
export function createSecretMatcher(
  secrets: readonly string[],
): (value: string | undefined) => number {
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
    if (value === undefined || value === "") return -1;
    // Zeroes past what the value filled: bytes of an earlier, longer value must not count.
    candidate.fill(0, candidate.write(value, 0, width, "utf8"));
    const length = Buffer.byteLength(value, "utf8");
    // Bitwise, not branches: every comparison runs and costs the same whatever the outcome.
    let found = -1;
    for (let i = 0; i < padded.length; i++) {
      const hit = Number(timingSafeEqual(candidate, padded[i]!)) & Number(length === lengths[i]);
      // -hit is all ones on a hit and 0 otherwise: keep i on a hit, found otherwise.
      found = (i & -hit) | (found & (hit - 1));
    }
    return found;
  };
}

/**
 * Builds a constant-time check of a header value against one or more secrets
 * (several during a rotation): {@link createSecretMatcher} answering yes or no.
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
  const match = createSecretMatcher(secrets);
  return (value) => match(value) !== -1;
}
