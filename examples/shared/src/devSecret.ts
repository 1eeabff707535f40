import { randomBytes } from "node:crypto";

/** The secret the receiver checks, and where it came from. */
export interface DevSecret {
  readonly value: string;
  /** `env`: FINEGUIDE_WEBHOOK_SECRET (never printed); `generated`: a throwaway for this run. */
  readonly source: "env" | "generated";
}

/**
 * FINEGUIDE_WEBHOOK_SECRET when it is set, otherwise a random value for this run only,
 * so a receiver left running somewhere never accepts a well-known secret.
 *
 * @example
 * ```ts
 * const secret = devSecret(process.env); // { value: "dev-3f9c…", source: "generated" }
 * ```
 */
export function devSecret(env: NodeJS.ProcessEnv): DevSecret {
  const fromEnv = env.FINEGUIDE_WEBHOOK_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: "env" };
  return { value: `dev-${randomBytes(12).toString("hex")}`, source: "generated" };
}
