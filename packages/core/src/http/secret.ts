import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Builds a constant-time check of a header value against one or more secrets
 * (several during a rotation). Every secret is compared, whatever matched, and
 * values are compared as SHA-256 digests so their lengths leak nothing.
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
  const digests = secrets.map(digest);
  return (value) => {
    if (value === undefined || value === "") return false;
    const candidate = digest(value);
    let ok = false;
    for (const expected of digests) ok = timingSafeEqual(candidate, expected) || ok;
    return ok;
  };
}
