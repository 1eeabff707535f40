import { describe, expect, it } from "vitest";
import { createWebhooks } from "../createWebhooks.js";
import { resolveSecrets } from "./resolveSecrets.js";
import { createSecretMatcher } from "./secret.js";

const botA = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const botB = "1f0e3dad-9990-4c3b-8a7e-6b1c2d3e4f50";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const open = (botId: string) => JSON.stringify({ type: "SESSION_OPEN", botId, sessionId });
const post = (secret: string, body: string) => ({
  method: "POST",
  headers: { "x-webhook-secret": secret },
  body,
});

describe("createSecretMatcher", () => {
  it("answers which secret matched, or -1", () => {
    const match = createSecretMatcher(["alpha", "a-longer-beta", "gamma"]);
    expect(match("alpha")).toBe(0);
    expect(match("a-longer-beta")).toBe(1);
    expect(match("gamma")).toBe(2);
    for (const wrong of [undefined, "", "alph", "alphaX", "a-longer-betb", "GAMMA"]) {
      expect(match(wrong)).toBe(-1);
    }
  });

  it("does not carry a long header into the next, shorter check", () => {
    const match = createSecretMatcher(["short", "a-much-longer-secret"]);
    expect(match("a-much-longer-secret")).toBe(1);
    expect(match("short")).toBe(0);
    expect(match("a-much-longer-secreX")).toBe(-1);
    expect(match("short")).toBe(0);
  });
});

describe("a secret per bot", () => {
  const make = () => {
    const seen: { botId: string; verified: string | undefined }[] = [];
    const webhooks = createWebhooks({
      secret: { [botA]: "secret-of-a", [botB]: ["new-secret-of-b", "old-secret-of-b"] },
      onSessionOpen: (event, ctx) =>
        void seen.push({ botId: event.botId, verified: ctx.verifiedBotId }),
    });
    return { webhooks, seen };
  };

  it("accepts each bot's events with its own secret and says which bot it was", async () => {
    const { webhooks, seen } = make();
    expect((await webhooks.receive(post("secret-of-a", open(botA)))).status).toBe(200);
    expect((await webhooks.receive(post("old-secret-of-b", open(botB)))).status).toBe(200);
    expect(seen).toEqual([
      { botId: botA, verified: botA },
      { botId: botB, verified: botB },
    ]);
  });

  it("answers 401 to an event claiming another bot than the secret's, and runs nothing", async () => {
    const { webhooks, seen } = make();
    for (const [secret, body] of [
      ["secret-of-a", open(botB)],
      ["new-secret-of-b", open(botA)],
      ["secret-of-a", JSON.stringify({ type: "SESSION_OPEN", sessionId })],
      ["secret-of-a", JSON.stringify({ type: "NEW", botId: { toString: botA } })],
    ] as const) {
      const res = await webhooks.receive(post(secret, body));
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe("unauthorized");
    }
    expect((await webhooks.receive(post("nobody's", open(botA)))).status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("checks the bot after preflight() too (the Fastify path)", async () => {
    const { webhooks } = make();
    const request = post("secret-of-a", open(botB));
    expect(webhooks.preflight(request)).toBeUndefined();
    expect((await webhooks.receive(request)).status).toBe(401);
  });

  it("leaves ctx.verifiedBotId undefined with plain secrets", async () => {
    let verified: string | undefined = "unset";
    const webhooks = createWebhooks({
      secret: ["one", "two"],
      onSessionOpen: (_e, ctx) => {
        verified = ctx.verifiedBotId;
      },
    });
    expect((await webhooks.receive(post("two", open(botB)))).status).toBe(200);
    expect(verified).toBeUndefined();
  });

  it("refuses one value for two bots, and empty values, without echoing them", () => {
    expect(() => resolveSecrets({ [botA]: "same-value", [botB]: "same-value" })).toThrow(
      /its own value/,
    );
    expect(() => resolveSecrets({ [botA]: ["ok", ""] })).toThrow(/non-empty/);
    try {
      resolveSecrets({ [botA]: "leak-me", [botB]: ["leak-me"] });
    } catch (error) {
      expect(String(error)).not.toContain("leak-me");
    }
    expect(resolveSecrets({})).toBeUndefined();
  });
});
