import { describe, expect, it } from "vitest";
import { forwarderSettings } from "./forwarderSettings.js";

describe("forwarderSettings", () => {
  it("defaults: two sample assistants with secrets generated for this run, no DOWNSTREAM_URL", () => {
    const settings = forwarderSettings({});
    expect(settings.downstreamUrl).toBeUndefined();
    expect(
      settings.bots.map(({ name, botId, secretSource }) => [name, botId, secretSource]),
    ).toEqual([
      ["A", "6434515b-8541-4861-bb24-8acd6e77e8c4", "generated"],
      ["B", "2f9d7c1a-5e3b-4a8c-9d6e-1b0a3c5e7f92", "generated"],
    ]);
    const [a, b] = settings.bots;
    expect(a?.secret).toMatch(/^dev-[0-9a-f]{24}$/);
    expect(a?.secret).not.toBe(b?.secret);
    expect(forwarderSettings({}).bots[0]?.secret).not.toBe(a?.secret);
  });

  it("reads ids, secrets and DOWNSTREAM_URL from the environment", () => {
    const env = {
      FINEGUIDE_BOT_A_ID: "11111111-1111-4111-8111-111111111111",
      FINEGUIDE_BOT_A_SECRET: "a-secret",
      FINEGUIDE_BOT_B_SECRET: "b-secret",
      DOWNSTREAM_URL: "https://hooks.example.com/catch/1/abc",
    };
    const settings = forwarderSettings(env);
    expect(settings.downstreamUrl).toBe(env.DOWNSTREAM_URL);
    expect(settings.bots).toEqual([
      {
        name: "A",
        botId: env.FINEGUIDE_BOT_A_ID,
        secret: "a-secret",
        secretSource: "env",
        secretEnv: "FINEGUIDE_BOT_A_SECRET",
      },
      {
        name: "B",
        botId: "2f9d7c1a-5e3b-4a8c-9d6e-1b0a3c5e7f92",
        secret: "b-secret",
        secretSource: "env",
        secretEnv: "FINEGUIDE_BOT_B_SECRET",
      },
    ]);
  });

  it("rejects a bot id that is not a UUID, and the same bot twice", () => {
    expect(() => forwarderSettings({ FINEGUIDE_BOT_B_ID: "bot-b" })).toThrow(
      "FINEGUIDE_BOT_B_ID must be the assistant's UUID (its botId).",
    );
    expect(() =>
      forwarderSettings({ FINEGUIDE_BOT_B_ID: "6434515B-8541-4861-BB24-8ACD6E77E8C4" }),
    ).toThrow(/two different assistants/);
  });

  it("rejects a DOWNSTREAM_URL that is not http(s), without repeating it", () => {
    for (const url of ["hooks.example.com/catch?token=abc", "ftp://example.com/?token=abc"]) {
      expect(() => forwarderSettings({ DOWNSTREAM_URL: url })).toThrow(
        /^DOWNSTREAM_URL must be an http:\/\/ or https:\/\/ URL\.$/,
      );
    }
  });
});
