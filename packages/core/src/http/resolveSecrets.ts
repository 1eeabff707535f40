import { createSecretMatcher } from "./secret.js";

/** The `secret` option: one value, several (rotation), or per bot: `{ [botId]: value(s) }`. */
export type SecretOption =
  | string
  | readonly string[]
  | Readonly<Record<string, string | readonly string[]>>;

/** Secrets ready for the header check. */
export interface ResolvedSecrets {
  /** The index of the secret the header holds, or -1. */
  readonly match: (value: string | undefined) => number;
  /** With a secret per bot: the bot owning each secret, by index. */
  readonly owners: readonly string[] | undefined;
}

const isRecord = (
  secret: SecretOption,
): secret is Readonly<Record<string, string | readonly string[]>> =>
  typeof secret === "object" && secret !== null && !Array.isArray(secret);

/**
 * Checks the `secret` option and prepares the constant-time match. Throws a
 * `TypeError` that never contains a secret on an empty or non-string value,
 * or on one value given to two bots (the bot could not be told then).
 */
export function resolveSecrets(secret: SecretOption | undefined): ResolvedSecrets | undefined {
  if (secret === undefined) return undefined;
  const values: string[] = [];
  let owners: string[] | undefined;
  if (isRecord(secret)) {
    owners = [];
    for (const [botId, own] of Object.entries(secret)) {
      for (const value of [own].flat()) {
        values.push(value);
        owners.push(botId);
      }
    }
    if (new Set(values).size !== values.length) {
      throw new TypeError(
        "createWebhooks: each bot in `secret` needs its own value; one value is given twice.",
      );
    }
  } else values.push(...[secret].flat());
  if (values.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new TypeError("createWebhooks: every `secret` must be a non-empty string.");
  }
  return values.length === 0 ? undefined : { match: createSecretMatcher(values), owners };
}
