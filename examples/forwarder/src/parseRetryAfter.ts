/**
 * How long a `Retry-After` header asks to wait, in milliseconds: delay-seconds
 * (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, 0 when already
 * past). `undefined` when the header is missing or neither form (RFC 9110,
 * section 10.2.3).
 *
 * @example
 * ```ts
 * parseRetryAfter("2"); // 2000
 * parseRetryAfter(new Date(Date.now() + 5_000).toUTCString()); // about 5000 (the date has whole seconds)
 * parseRetryAfter("soon"); // undefined
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday or month; this keeps numbers like
  // "1.5" or "-1", which Date.parse would read as years, out.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
