import { sha256 } from "./sha256.js";

/** JSON text with object keys sorted at every depth, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${out}]`;
  }
  return canonicalFields(value as Readonly<Record<string, unknown>>, Object.keys(value).sort());
}

/** `{"a":…,"b":…}` for the given (sorted) keys; undefined values are left out, as JSON does. */
function canonicalFields(
  record: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): string {
  let out = "{";
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${out}}`;
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
  const text = fields
    ? canonicalFields(event, isSorted(fields) ? fields : [...fields].sort())
    : canonicalJson(event);
  return sha256(text);
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}
