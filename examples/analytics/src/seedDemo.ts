import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { type AnalyticsEvent, recordEvent } from "./recordEvent.js";

/** The assistants of the demo data: the vendor page's botId, and a second one. */
export const DEMO_BOTS = {
  sales: "6434515b-8541-4861-bb24-8acd6e77e8c4",
  support: "2f1c9a7e-3b5d-4c8e-9a61-0d4b7e2c5f18",
} as const;

/** A UUID-shaped id derived from `seed`, so the demo is the same on every run. */
const demoId = (seed: string) => {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** One conversation: minutes ago it opened, its length, its turns, its ratings. */
interface Script {
  readonly bot: keyof typeof DEMO_BOTS;
  readonly startedMinAgo: number;
  /** Minutes it lasted; undefined while still open. */
  readonly minutes?: number;
  readonly turns: number;
  /** Operator messages (a human took over). */
  readonly operator?: number;
  /** Ratings of assistant messages, each a list of versions (up, down, up: changed twice). */
  readonly ratings?: readonly (readonly (1 | -1)[])[];
}

const SCRIPTS: readonly Script[] = [
  { bot: "sales", startedMinAgo: 6, turns: 3, ratings: [[1]] },
  { bot: "sales", startedMinAgo: 19, minutes: 7.2, turns: 6, ratings: [[1], [1, -1, 1]] },
  { bot: "sales", startedMinAgo: 34, minutes: 4.5, turns: 4, ratings: [[-1]] },
  { bot: "sales", startedMinAgo: 52, minutes: 12.8, turns: 9, operator: 3, ratings: [[1], [1]] },
  { bot: "sales", startedMinAgo: 75, minutes: 2.1, turns: 2 },
  { bot: "sales", startedMinAgo: 96, minutes: 5.6, turns: 5, ratings: [[-1, 1]] },
  { bot: "sales", startedMinAgo: 121, minutes: 3.3, turns: 3, ratings: [[1]] },
  { bot: "support", startedMinAgo: 11, minutes: 9.4, turns: 7, operator: 2, ratings: [[1]] },
  { bot: "support", startedMinAgo: 27, turns: 5, ratings: [[-1]] },
  { bot: "support", startedMinAgo: 63, minutes: 15.1, turns: 10, operator: 4, ratings: [[1, -1]] },
  { bot: "support", startedMinAgo: 88, minutes: 6.0, turns: 4, ratings: [[1]] },
];

/**
 * Fills the analytics tables with a few conversations of two assistants over
 * the last two hours, through the same {@link recordEvent} the webhook uses,
 * with times spread as real conversations would be (a webhook can only
 * record the present). For `ANALYTICS_DEMO=1 npm start` and the README's
 * screenshot. It writes only into a database without the demo assistants,
 * and answers whether it wrote.
 *
 * @example
 * ```ts
 * seedDemo(db, Date.now()); // true, then false
 * ```
 */
export function seedDemo(db: Database.Database, now: number): boolean {
  const minute = 60_000;
  return db.transaction(() => {
    const seeded = db
      .prepare<[string, string], { n: number }>(
        "SELECT count(*) AS n FROM analytics_sessions WHERE bot_id IN (?, ?)",
      )
      .get(DEMO_BOTS.sales, DEMO_BOTS.support);
    if (seeded && seeded.n > 0) return false;
    SCRIPTS.forEach((script, n) => {
      const botId = DEMO_BOTS[script.bot];
      const sessionId = demoId(`session-${n}`);
      const start = now - script.startedMinAgo * minute;
      const end = script.minutes === undefined ? now - 30_000 : start + script.minutes * minute;
      const events: [AnalyticsEvent, number][] = [
        [{ type: "SESSION_OPEN", botId, sessionId }, start],
      ];
      const turns = script.turns * 2 + (script.operator ?? 0);
      const step = (end - start) / (turns + 1);
      const assistantMessages: string[] = [];
      for (let i = 0; i < turns; i++) {
        const messageId = demoId(`message-${n}-${i}`);
        const operator = i >= script.turns * 2;
        const role = operator ? "OPERATOR" : i % 2 === 0 ? "USER" : "ASSISTANT";
        if (role === "ASSISTANT") assistantMessages.push(messageId);
        events.push([
          { type: "MESSAGE", botId, sessionId, role, message: "", messageId },
          start + (i + 1) * step,
        ]);
      }
      (script.ratings ?? []).forEach((versions, r) => {
        const messageId = assistantMessages[r] ?? demoId(`message-${n}-rated-${r}`);
        versions.forEach((rating, v) => {
          events.push([
            { type: "RATE_MESSAGE", botId, sessionId, messageId, rating },
            start + (r + 1) * 2 * step + (v + 1) * 5_000,
          ]);
        });
      });
      if (script.minutes !== undefined) {
        events.push([{ type: "SESSION_CLOSED", botId, sessionId }, end]);
      }
      for (const [event, at] of events) recordEvent(db, event, at);
    });
    return true;
  })();
}
