import { createWebhooks } from "@fineguide-webhooks/core";
import { createEvent } from "@fineguide-webhooks/testing";
import fc from "fast-check";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import {
  contractShapeProblems,
  hostileBodies,
} from "../../testing/src/testSupport/hostileBodies.js";
import { fineguideWebhook } from "./fineguideWebhook.js";

const SECRET = "fastify-test-secret";

describe("Fastify robustness (inject)", () => {
  it("never answers 5xx, always the contract's JSON, for authenticated hostile bodies, and keeps serving", async () => {
    const app = Fastify();
    try {
      await app.register(fineguideWebhook, {
        webhooks: createWebhooks({
          secret: SECRET,
          onAny: (event) => void Object.keys(event),
          onInvalid: (invalid) => void invalid.issues.length,
        }),
      });
      const send = async (payload: string) => {
        const res = await app.inject({
          method: "POST",
          url: "/webhook",
          headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
          payload,
        });
        const contentType = res.headers["content-type"];
        return {
          status: res.statusCode,
          contentType: typeof contentType === "string" ? contentType : undefined,
          body: res.body,
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
    } finally {
      await app.close();
    }
  });
});
