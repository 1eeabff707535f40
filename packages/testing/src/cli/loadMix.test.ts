import { createWebhooks, EVENT_TYPES } from "@fineguide-webhooks/core";
import { describe, expect, it } from "vitest";
import { type LoadDelivery, loadMix } from "./loadMix.js";

const receiver = () => {
  const handled: unknown[] = [];
  const webhooks = createWebhooks({ secret: "s", onAny: (event) => void handled.push(event) });
  const post = (d: LoadDelivery) =>
    webhooks.receive({
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": "s" },
      body: new TextEncoder().encode(d.body),
    });
  return { handled, post };
};

const shape = (d: LoadDelivery) => [d.event, d.label, d.valid, d.kind];

describe("loadMix", () => {
  it("mixes all eight types over many sessions, a share twinned and retried, a share broken", () => {
    const plan = loadMix({ events: 400, duplicates: 0.1, malformed: 0.05, seed: 7 });
    const firsts = plan.first.filter((d) => d.kind === "first");
    expect(firsts).toHaveLength(400);
    expect(plan.sessions).toBe(34);
    const valid = firsts.filter((d) => d.valid);
    expect(valid).toHaveLength(380);
    for (const type of EVENT_TYPES) expect(valid.some((d) => d.label === type)).toBe(true);
    const messages = valid.filter((d) => d.label === "MESSAGE").length;
    expect(messages).toBeGreaterThan(valid.length / 3);
    const sessions = new Set(
      valid.map((d) => (JSON.parse(d.body) as { sessionId: string }).sessionId),
    );
    expect(sessions.size).toBeGreaterThan(30);

    // Each twin follows its original, with the same body; each twinned event is retried once.
    const twins = plan.first.filter((d) => d.kind === "twin");
    expect(twins).toHaveLength(38);
    for (const twin of twins) {
      const original = plan.first[twin.id - 1]!;
      expect([original.kind, original.body, original.event]).toEqual([
        "first",
        twin.body,
        twin.event,
      ]);
    }
    expect(plan.retries.map((d) => d.body).sort()).toEqual(twins.map((d) => d.body).sort());
    expect(plan.retries.every((d) => d.kind === "retry" && d.valid)).toBe(true);
    const ids = [...plan.first, ...plan.retries].map((d) => d.id);
    expect(ids).toEqual(ids.map((_, i) => i));

    const broken = firsts.filter((d) => !d.valid).map((d) => d.label.split(" ")[0]);
    expect(new Set(broken)).toEqual(new Set(["(malformed)", "(invalid)"]));
  });

  it("is the same mix for the same seed (ids aside), another for another seed", () => {
    const a = loadMix({ events: 100, seed: 3 });
    expect(loadMix({ events: 100, seed: 3 }).first.map(shape)).toEqual(a.first.map(shape));
    expect(loadMix({ events: 100, seed: 4 }).first.map(shape)).not.toEqual(a.first.map(shape));
  });

  it("keeps each conversation in order: open first, close last", () => {
    const plan = loadMix({ events: 200, sessions: 10, malformed: 0, seed: 5 });
    const bySession = new Map<string, string[]>();
    for (const d of plan.first.filter((x) => x.kind === "first")) {
      const { sessionId, type } = JSON.parse(d.body) as { sessionId: string; type: string };
      bySession.set(sessionId, [...(bySession.get(sessionId) ?? []), type]);
    }
    expect(bySession.size).toBe(10);
    for (const types of bySession.values()) {
      expect(types[0]).toBe("SESSION_OPEN");
      expect(types.at(-1)).toBe("SESSION_CLOSED");
      expect(types.filter((t) => t.startsWith("SESSION_"))).toHaveLength(2);
    }
  });

  it("is answered by the kit's receiver as meant: every valid event processed once, repeats duplicates, broken ones 400", async () => {
    const plan = loadMix({ events: 300, duplicates: 0.2, malformed: 0.1, seed: 11 });
    const { handled, post } = receiver();
    for (const d of plan.first) {
      const answer = await post(d);
      if (!d.valid) expect([d.label, answer.status]).toEqual([d.label, 400]);
      else
        expect([d.label, d.kind, answer.outcome]).toEqual([
          d.label,
          d.kind,
          d.kind === "twin" ? "duplicate" : "processed",
        ]);
    }
    for (const d of plan.retries) expect((await post(d)).outcome).toBe("duplicate");
    expect(handled).toHaveLength(270);
  });

  it("copes with tiny runs", () => {
    expect(loadMix({ events: 1, seed: 1 }).first.map((d) => d.label)).toEqual(["SESSION_OPEN"]);
    const eight = loadMix({ events: 8, malformed: 0, duplicates: 0, seed: 1 });
    expect(new Set(eight.first.map((d) => d.label))).toEqual(new Set(EVENT_TYPES));
  });
});
