import type { Io } from "./output.js";

/** A mistake in the command line: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit codes: 0 all good, 1 a delivery or probe failed, 2 a usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The environment variable read when `--secret` is not given. */
export const SECRET_ENV = "FINEGUIDE_WEBHOOK_SECRET";

/**
 * Runs a `parseArgs` call, turning its errors (unknown option, missing value)
 * into {@link UsageError}s.
 */
export function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The secret from `--secret`, else from `FINEGUIDE_WEBHOOK_SECRET`. */
export function secretFrom(value: string | undefined, io: Io): string | undefined {
  const secret = value ?? io.env[SECRET_ENV];
  return secret === "" ? undefined : secret;
}

/** A URL that `fetch` can reach (http or https), or a usage error. */
export function httpUrl(value: string | undefined, flag = "--url"): string {
  if (value === undefined) throw new UsageError(`${flag} is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL (e.g. http://127.0.0.1:3000/webhook).`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an http:// or https:// URL.`);
  }
  return url.href;
}

/** A positive integer option, or a usage error. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer.`);
  return n;
}

/** Options every command that talks to an endpoint takes. */
export const endpointOptions = {
  url: { type: "string" },
  secret: { type: "string" },
  header: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
