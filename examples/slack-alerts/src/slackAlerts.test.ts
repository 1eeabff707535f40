import { createEvent } from "@fineguide-webhooks/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisServerAvailable } from "../../../packages/redis/src/test/redisServer.js";
import { localRedis, RedisServerMissing } from "./localRedis.js";
import { escapeMrkdwn, ticketMessage } from "./slackMessages.js";
import type { StandInAnswer } from "./slackStandIn.js";
import { type RunningSlackAlerts, startSlackAlerts } from "./startSlackAlerts.js";

const available = redisServerAvailable("examples/slack-alerts");

describe("escapeMrkdwn", () => {
  it("turns &, < and > into entities, so a customer's text cannot ping, mention or link", () => {
    expect(
      escapeMrkdwn("<!channel> <!here> <@U0123> <https://evil.example|bank> Tom & Jerry"),
    ).toBe(
      "&lt;!channel&gt; &lt;!here&gt; &lt;@U0123&gt; &lt;https://evil.example|bank&gt; Tom &amp; Jerry",
    );
    expect(escapeMrkdwn("&lt;")).toBe("&amp;lt;"); // already-escaped text stays as typed
  });

  it("is applied to every customer field of a ticket", () => {
    const text = ticketMessage(
      createEvent("TICKET", {
        customerName: "<!channel>",
        customerEmail: "<mailto:x@evil.example|boss>",
        customerMessage: "<!everyone> refund",
      }),
    ).text;
    expect(text).not.toMatch(/<[!@#]|<mailto|<!everyone/);
    expect(text).toContain("&lt;!channel&gt;");
  });
});

describe("localRedis", () => {
  it("names the Debian package when redis-server is missing", async () => {
    const missing = localRedis({ REDIS_SERVER: "/nonexistent/redis-server" });
    await expect(missing).rejects.toBeInstanceOf(RedisServerMissing);
    await expect(missing).rejects.toThrow(/apt-get install redis-server/);
  });
});

describe.skipIf(!available)("tickets and leads reach Slack through the queue", () => {
  let running: RunningSlackAlerts;
  const lines: string[] = [];
  /** Per message text: 429 first, then 500, then (for one in three) no answer, then 200. */
  const plan = (text: string, before: number): StandInAnswer => {
    if (before === 0) return "rate_limited";
    if (before === 1) return "server_error";
    if (before === 2 && text.length % 3 === 0) return "hang";
    return "ok";
  };

  beforeAll(async () => {
    // No REDIS_URL: the example starts its own redis-server, as `npm start` does.
    running = await startSlackAlerts({
      env: { FINEGUIDE_WEBHOOK_SECRET: "slack-alerts-test" },
      port: 0,
      print: (line) => lines.push(line),
      standIn: { plan, retryAfterSeconds: 1 },
      worker: { concurrency: 8, attempts: 10, backoff: 50, limiter: { max: 50, duration: 1_000 } },
      slackTimeoutMs: 1_500,
    });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
  });

  it("every ticket and lead is posted exactly once despite 429s, 500s and hangs; the vendor's duplicates change nothing", async () => {
    expect(running.redis.started).toBe(true);
    const slack = running.slack!;
    const events = [
      createEvent("TICKET", { customerName: "<!channel>" }),
      ...Array.from({ length: 11 }, () => createEvent("TICKET")),
      ...Array.from({ length: 4 }, () => createEvent("CREATE_LEAD")),
    ];
    const deliver = (event: object) =>
      fetch(running.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-secret": running.secret },
        body: JSON.stringify(event),
      }).then(async (res) => {
        await res.text();
        return res.status;
      });
    // Each event twice at once (a retry crossing the first delivery), then once more later.
    const first = await Promise.all(events.flatMap((event) => [deliver(event), deliver(event)]));
    expect(first.every((status) => status === 200 || status === 503)).toBe(true);
    for (const event of events) {
      for (let i = 0; i < 100 && (await deliver(event)) !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    // A session open is answered 200 and not handed off (no handler for it).
    expect(await deliver(createEvent("SESSION_OPEN"))).toBe(200);

    const sessionOf = (text: string) => /_session ([0-9a-f-]+)_/.exec(text)?.[1];
    const deadline = Date.now() + 30_000;
    while (new Set(slack.delivered.map(sessionOf)).size < events.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would show by now

    const perSession = new Map<string, number>();
    for (const text of slack.delivered) {
      perSession.set(sessionOf(text)!, (perSession.get(sessionOf(text)!) ?? 0) + 1);
    }
    expect(events.map((e) => perSession.get(e.sessionId))).toEqual(events.map(() => 1));
    expect(slack.delivered).toHaveLength(events.length);

    const answers = (kind: StandInAnswer) => slack.requests.filter((r) => r.answer === kind).length;
    expect(answers("rate_limited")).toBe(events.length);
    expect(answers("server_error")).toBe(events.length);
    expect(answers("hang")).toBeGreaterThan(0);
    // Slack's Retry-After (1 s) was waited out: the next post came at least a second after the
    // 429. (Not for every event on a loaded machine: a 429 the worker read too late for its
    // timeout counts as a timeout, retried with backoff; the package's tests pin the delay.)
    const waited = events.filter((event) => {
      const mine = slack.requests.filter((r) => sessionOf(r.text) === event.sessionId);
      return mine[1]!.at - mine[0]!.at >= 950;
    });
    expect(waited.length).toBeGreaterThanOrEqual(events.length * 0.75);

    const pinging = slack.delivered.find((text) => text.includes(events[0]!.sessionId))!;
    expect(pinging).toContain("&lt;!channel&gt;");
    expect(pinging).not.toContain("<!channel>");
    expect(await running.alerts.queue.status()).toMatchObject({
      failed: 0,
      completed: events.length,
    });
    expect(lines.some((line) => line.includes("duplicate TICKET"))).toBe(true);
  }, 60_000);
});
