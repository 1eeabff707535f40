import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks, type DispatchOptions } from "./createWebhooks.js";
import type { DedupeStore } from "./dedupe/DedupeStore.js";
import { memoryStore } from "./dedupe/memoryStore.js";
import { eventIdOf } from "./handlers/DeliveryContext.js";
import type { OutcomeInfo } from "./handlers/types.js";
import type { RateMessageEvent } from "./types.js";

const SECRET = "s3cr3t-for-event-id-tests";
const botId = "6434515b-8541-4861-bb24-8acd6e77e8c4";
const sessionId = "b8e034be-90d8-477d-b919-8fcfcf37dc10";
const messageId = "733b7d55-61ea-450f-b585-27755b015596";
const rate = (rating: 1 | -1) =>
  JSON.stringify({ type: "RATE_MESSAGE", botId, sessionId, messageId, rating });
const post = (body: string) => ({ method: "POST", headers: { "x-webhook-secret": SECRET }, body });
const UP = rate(1);
const DOWN = rate(-1);

/**
 * A downstream service that applies each rating once per idempotency key, as
 * an API with `Idempotency-Key` does: a key seen before is dropped.
 */
function downstream() {
  const seen = new Set<string>();
  let rating: number | undefined;
  return {
    apply(eventId: string, value: number) {
      if (seen.has(eventId)) return;
      seen.add(eventId);
      rating = value;
    },
    get rating() {
      return rating;
    },
  };
}

/** A receiver forwarding ratings downstream by `ctx.eventId`, failing the runs listed. */
function forwarder(dedupe: DedupeStore, failOn: readonly number[] = []) {
  const target = downstream();
  const ids: string[] = [];
  const outcomes: OutcomeInfo[] = [];
  let run = 0;
  const webhooks = createWebhooks({
    secret: SECRET,
    dedupe,
    onRateMessage: (event: RateMessageEvent, ctx) => {
      ids.push(ctx.eventId);
      if (failOn.includes(run++)) throw new Error("downstream timed out after applying");
      target.apply(ctx.eventId, event.rating);
    },
    onDuplicate: (_e, ctx) => void ids.push(`duplicate:${ctx.eventId}`),
    onOutcome: (info) => void outcomes.push(info),
  });
  return { webhooks, target, ids, outcomes };
}

describe("eventId of the versions of a latest key", () => {
  it("up, down, up: three ids, and the downstream ends on up", async () => {
    const { webhooks, target, ids } = forwarder(memoryStore());
    for (const body of [UP, DOWN, UP])
      expect((await webhooks.receive(post(body))).status).toBe(200);
    expect(new Set(ids).size).toBe(3);
    expect(target.rating).toBe(1);
  });

  it("up, down, up, down: four ids, and the downstream ends on down", async () => {
    const { webhooks, target, ids } = forwarder(memoryStore());
    for (const body of [UP, DOWN, UP, DOWN]) await webhooks.receive(post(body));
    expect(new Set(ids).size).toBe(4);
    expect(target.rating).toBe(-1);
  });

  it("keeps the first version's id what it was: key and fingerprint alone", async () => {
    const fingerprints: (string | undefined)[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      onRateMessage: (_e, ctx) => void fingerprints.push(ctx.fingerprint),
      onOutcome: (info) => void outcomes.push(info),
    });
    const outcomes: OutcomeInfo[] = [];
    await webhooks.receive(post(UP));
    await webhooks.receive(post(DOWN));
    const key = `${botId}:RATE_MESSAGE:${messageId}`;
    expect(outcomes[0]!.eventId).toBe(eventIdOf(key, fingerprints[0]));
    expect(outcomes[1]!.eventId).toBe(eventIdOf(key, fingerprints[1], 1));
  });

  it("is stable across retries of one version, and names it in a duplicate", async () => {
    // Run 2 (the second "up") fails after the downstream applied nothing: the vendor retries it.
    const { webhooks, target, ids, outcomes } = forwarder(memoryStore(), [2]);
    for (const body of [UP, DOWN, UP, UP, UP]) await webhooks.receive(post(body));
    expect(outcomes.map((o) => o.outcome)).toEqual([
      "processed",
      "processed",
      "handler_failed",
      "processed",
      "duplicate",
    ]);
    const [v0, v1, v2, v2retry, v2duplicate] = ids;
    expect(new Set([v0, v1, v2]).size).toBe(3);
    expect(v2retry).toBe(v2);
    expect(v2duplicate).toBe(`duplicate:${v2}`);
    expect(outcomes[4]!.eventId).toBe(v2);
    expect(target.rating).toBe(1);
  });

  it("dispatch() takes the caller's eventId (a queue's job id) as it is", async () => {
    const { webhooks, ids, outcomes } = forwarder(memoryStore());
    const info = await webhooks.dispatch(JSON.parse(DOWN), { eventId: "job-42" });
    expect(ids).toEqual(["job-42"]);
    expect(info.eventId).toBe("job-42");
    expect(outcomes[0]!.eventId).toBe("job-42");
    expectTypeOf<DispatchOptions["eventId"]>().toEqualTypeOf<string | undefined>();
  });

  it("with a store that cannot count versions: up, down, up repeats the first id (the documented limit)", async () => {
    const inner = memoryStore();
    const uncounted: DedupeStore = {
      claim: (key, { versions: _v, ...request }) => inner.claim(key, request),
      complete: (key, token, options) => inner.complete(key, token, options),
      release: (key, token) => inner.release(key, token),
      renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
    };
    const { webhooks, target, ids } = forwarder(uncounted);
    for (const body of [UP, DOWN, UP]) await webhooks.receive(post(body));
    expect(ids[2]).toBe(ids[0]);
    expect(target.rating).toBe(-1);
  });

  it("a store answering { result, version: 0 } is read as the plain answer (the first version's id)", async () => {
    const inner = memoryStore();
    const zeroes: DedupeStore = {
      claim: (key, request) => {
        const answer = inner.claim(key, request);
        return typeof answer === "string" && answer !== "in_progress"
          ? { result: answer, version: 0 }
          : answer;
      },
      complete: (key, token, options) => inner.complete(key, token, options),
      release: (key, token) => inner.release(key, token),
      renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
    };
    const plain = forwarder(memoryStore());
    const zero = forwarder(zeroes);
    expect((await plain.webhooks.receive(post(UP))).status).toBe(200);
    const res = await zero.webhooks.receive(post(UP));
    expect(res).toMatchObject({ status: 200, outcome: "processed" });
    expect(zero.ids).toEqual(plain.ids);
  });

  it("eventIdOf: version 0 is the key and fingerprint alone; each version differs", () => {
    expect(eventIdOf("k", "fp", 0)).toBe(eventIdOf("k", "fp"));
    const ids = [0, 1, 2, 3].map((v) => eventIdOf("k", "fp", v));
    expect(new Set(ids).size).toBe(4);
    // Once-mode keys have no fingerprint and no versions.
    expect(eventIdOf("k", undefined, 3)).toBe(eventIdOf("k", undefined));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
