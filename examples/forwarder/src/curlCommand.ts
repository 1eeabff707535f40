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
  /** The JSON body to POST. */
  readonly body: string;
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
 * A one-line `curl` delivering `body` the way FineGuide does (POST, JSON,
 * secret header).
 *
 * @example
 * ```ts
 * curlCommand({ url, header: "x-webhook-secret", secret: { fromShell: "FINEGUIDE_BOT_A_SECRET" }, body });
 * // curl -sS -i -X POST 'http://…/webhook' -H 'content-type: application/json' -H "x-webhook-secret: $FINEGUIDE_BOT_A_SECRET" --data '{…}'
 * ```
 */
export function curlCommand(parts: CurlParts): string {
  const secretHeader =
    "literal" in parts.secret
      ? shellQuote(`${parts.header}: ${parts.secret.literal}`)
      : `"${parts.header}: $${parts.secret.fromShell}"`;
  return [
    "curl -sS -i -X POST",
    shellQuote(parts.url),
    "-H 'content-type: application/json'",
    `-H ${secretHeader}`,
    `--data ${shellQuote(parts.body)}`,
  ].join(" ");
}
