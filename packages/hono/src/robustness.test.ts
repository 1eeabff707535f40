import { createWebhooks } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import {
  contractShapeProblems,
  hostileBodies,
} from "../../testing/src/testSupport/hostileBodies.js";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "hono-test-secret";

describe("Hono robustness (app.request)", () => {
  it("never answers 5xx, always the contract's JSON, for authenticated hostile bodies, and keeps serving", async () => {
    const app = new Hono().post(
      "/webhook",
      fineguideWebhook(
        createWebhooks({
          secret: SECRET,
          onAny: (event) => void Object.keys(event),
          onInvalid: (invalid) => void invalid.issues.length,
        }),
      ),
    );
    const send = async (body: string) => {
      const res = await app.request("/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
        body,
      });
      return {
        status: res.status,
        contentType: res.headers.get("content-type"),
        body: await res.text(),
      };
    };

    await fc.assert(
      fc.asyncProperty(hostileBodies(), async (body) => {
        const answer = await send(body);
        expect(answer.status).toBeLessThan(500);
        expect(contractShapeProblems(answer)).toEqual([]);
        expect(answer.body).not.toContain(SECRET);
      }),
      { numRuns: 200 },
    );
    expect((await send(JSON.stringify(createEvent("MESSAGE")))).status).toBe(200);
  });
});
