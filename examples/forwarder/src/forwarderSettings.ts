import { randomBytes } from "node:crypto";

/** One assistant the forwarder accepts events from. */
export interface BotSettings {
  /** `A` or `B`: which environment variables set it. */
  readonly name: string;
  readonly botId: string;
  /** The Header Value set on this assistant's webhook in FineGuide. */
  readonly secret: string;
  /** `env`: from `secretEnv` (never printed); `generated`: a throwaway for this run. */
  readonly secretSource: "env" | "generated";
  /** The environment variable the secret is read from. */
  readonly secretEnv: string;
}

/** What `npm start` runs with. */
export interface ForwarderSettings {
  readonly bots: readonly BotSettings[];
  /** `DOWNSTREAM_URL`; `undefined`: start a local downstream. */
  readonly downstreamUrl: string | undefined;
}

/** Two sample assistants: the vendor page's botId, and another. */
const DEFAULT_BOT_IDS = {
  A: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  B: "2f9d7c1a-5e3b-4a8c-9d6e-1b0a3c5e7f92",
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the forwarder's settings: `FINEGUIDE_BOT_A_ID` / `FINEGUIDE_BOT_A_SECRET`,
 * the same for `B`, and `DOWNSTREAM_URL`. A bot id left unset is a sample one;
 * a secret left unset is random for this run, so a forwarder left running
 * somewhere never accepts a well-known secret. Throws a clear error on a bot
 * id that is not a UUID, two equal bot ids, or a `DOWNSTREAM_URL` that is not
 * an http(s) URL.
 *
 * @example
 * ```ts
 * const settings = forwarderSettings(process.env);
 * settings.bots.map((bot) => bot.botId); // ["6434515b-…", "2f9d7c1a-…"]
 * ```
 */
export function forwarderSettings(env: NodeJS.ProcessEnv): ForwarderSettings {
  const bots = (["A", "B"] as const).map((name): BotSettings => {
    const botId = env[`FINEGUIDE_BOT_${name}_ID`] || DEFAULT_BOT_IDS[name];
    if (!UUID.test(botId)) {
      throw new Error(`FINEGUIDE_BOT_${name}_ID must be the assistant's UUID (its botId).`);
    }
    const secretEnv = `FINEGUIDE_BOT_${name}_SECRET`;
    const fromEnv = env[secretEnv];
    return fromEnv
      ? { name, botId, secret: fromEnv, secretSource: "env", secretEnv }
      : {
          name,
          botId,
          secret: `dev-${randomBytes(12).toString("hex")}`,
          secretSource: "generated",
          secretEnv,
        };
  });
  if (bots[0]?.botId.toLowerCase() === bots[1]?.botId.toLowerCase()) {
    throw new Error(
      "FINEGUIDE_BOT_A_ID and FINEGUIDE_BOT_B_ID must name two different assistants.",
    );
  }
  const downstreamUrl = env.DOWNSTREAM_URL || undefined;
  if (downstreamUrl !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(downstreamUrl).protocol;
    } catch {}
    if (protocol !== "http:" && protocol !== "https:") {
      throw new Error("DOWNSTREAM_URL must be an http:// or https:// URL.");
    }
  }
  return { bots, downstreamUrl };
}
