/** Request headers: Node's `IncomingHttpHeaders`, a plain record, or a Fetch `Headers`. */
export type HeadersInput =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads one header, case-insensitively. A header sent several times (an array)
 * yields its values joined by ", ", as Fetch `Headers` does.
 */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const record = headers;
  let value = record[name];
  if (value === undefined) {
    let lower: string | undefined; // made only for a key of the same length
    for (const key in record) {
      if (key.length !== name.length) continue;
      lower ??= name.toLowerCase();
      if (key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  return typeof value === "string" || value === undefined ? value : value.join(", ");
}

/** A plain lowercase-keyed copy of the headers, without the one named `omit`. */
export function headersToRecord(
  headers: HeadersInput,
  omit: string,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (isFetchHeaders(headers)) {
    headers.forEach((value, key) => {
      if (key !== omit) out[key] = value;
    });
    return out;
  }
  for (const [key, value] of Object.entries(headers)) {
    const lower = key.toLowerCase();
    if (lower === omit || value === undefined) continue;
    out[lower] = typeof value === "string" ? value : value.join(", ");
  }
  return out;
}

function isFetchHeaders(headers: HeadersInput): headers is Headers {
  return typeof (headers as Headers).get === "function";
}
