import { createHash } from "node:crypto";

/** JSON text with object keys sorted at every depth, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  }
  return `{${parts.join(",")}}`;
}

/**
 * SHA-256 (base64url) of the canonical JSON of `fields` of an event, or of the
 * whole event when `fields` is not given.
 *
 * @example
 * ```ts
 * fingerprint({ b: 1, a: 2 }) === fingerprint({ a: 2, b: 1 }); // true
 * fingerprint(rating, ["type", "botId", "sessionId", "messageId", "rating"]);
 * ```
 */
export function fingerprint(
  event: Readonly<Record<string, unknown>>,
  fields?: readonly string[],
): string {
  let picked: Readonly<Record<string, unknown>> = event;
  if (fields) {
    const out: Record<string, unknown> = {};
    for (const field of fields) out[field] = event[field];
    picked = out;
  }
  return createHash("sha256").update(canonicalJson(picked)).digest("base64url");
}
