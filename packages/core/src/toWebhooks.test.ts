import { describe, expect, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import { toWebhooks } from "./toWebhooks.js";

describe("toWebhooks", () => {
  it("keeps an instance and creates one from options", async () => {
    const webhooks = createWebhooks({ secret: "s" });
    expect(toWebhooks(webhooks)).toBe(webhooks);
    const created = toWebhooks({ secret: "s", maxBodyBytes: 10 });
    expect(created).not.toBe(webhooks);
    expect(created.maxBodyBytes).toBe(10);
    expect(() => toWebhooks({})).toThrow(/secret/);
  });
});
