/** What {@link curlCommand} puts together. */
export interface CurlParts {
  readonly url: string;
  /** The secret header's name. */
  readonly header: string;
  /**
   * The header's value as the shell should see it: a literal (quoted here) or,
   * with `fromShell`, the name of an environment variable (never printed).
   */
  readonly secret: { readonly literal: string } | { readonly fromShell: string };
  /** A JSON body to POST, as FineGuide does; without it, a GET. */
  readonly body?: string;
}

/**
 * Quotes a value for a POSIX shell.
 *
 * @example
 * ```ts
 * shellQuote("it's"); // 'it'\''s'
 * ```
 */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * A one-line `curl`: with `body`, a delivery the way FineGuide makes it (POST,
 * JSON, secret header); without, a GET carrying the secret header.
 *
 * @example
 * ```ts
 * curlCommand({ url, header: "x-webhook-secret", secret: { fromShell: "FINEGUIDE_WEBHOOK_SECRET" }, body });
 * // curl -sS -i -X POST 'http://…/webhook' -H 'content-type: application/json' -H "x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET" --data '{…}'
 * ```
 */
export function curlCommand(parts: CurlParts): string {
  const secretHeader =
    "literal" in parts.secret
      ? shellQuote(`${parts.header}: ${parts.secret.literal}`)
      : `"${parts.header}: $${parts.secret.fromShell}"`;
  if (parts.body === undefined) return `curl -sS -i ${shellQuote(parts.url)} -H ${secretHeader}`;
  return [
    "curl -sS -i -X POST",
    shellQuote(parts.url),
    "-H 'content-type: application/json'",
    `-H ${secretHeader}`,
    `--data ${shellQuote(parts.body)}`,
  ].join(" ");
}
