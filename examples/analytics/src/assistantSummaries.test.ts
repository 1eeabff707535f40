import { createEvent, uuid } from "@fineguide-webhooks/testing";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assistantSummaries } from "./assistantSummaries.js";
import { openAnalyticsDatabase } from "./openAnalyticsDatabase.js";
import { recordEvent } from "./recordEvent.js";
import { sessionSummaries } from "./sessionSummaries.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

describe("the analytics queries", () => {
  let db: Database.Database;
  beforeEach(() => {
    db = openAnalyticsDatabase(":memory:");
  });
  afterEach(() => db.close());

  /** A session of `botId` opened at `open` and closed at `close` (minutes after T0). */
  const session = (botId: string, open?: number, close?: number) => {
    const sessionId = uuid();
    if (open !== undefined) {
      recordEvent(db, createEvent("SESSION_OPEN", { botId, sessionId }), T0 + open * MIN);
    }
    if (close !== undefined) {
      recordEvent(db, createEvent("SESSION_CLOSED", { botId, sessionId }), T0 + close * MIN);
    }
    return sessionId;
  };

  it("counts messages per session and role, a new role as other, a message once", () => {
    const botId = uuid();
    const a = session(botId, 0);
    const b = session(botId, 1);
    const roles: [string, string][] = [
      [a, "USER"],
      [a, "ASSISTANT"],
      [a, "USER"],
      [a, "OPERATOR"],
      [b, "USER"],
      [b, "SUPERVISOR"], // a role FineGuide may add
    ];
    roles.forEach(([sessionId, role], i) => {
      recordEvent(db, createEvent("MESSAGE", { botId, sessionId, role }), T0 + (i + 2) * MIN);
    });
    const again = createEvent("MESSAGE", { botId, sessionId: b, role: "ASSISTANT" });
    expect(recordEvent(db, again, T0 + 9 * MIN)).toEqual({ changed: true });
    expect(recordEvent(db, again, T0 + 10 * MIN)).toEqual({ changed: false });

    const [summary] = assistantSummaries(db);
    expect(summary).toMatchObject({
      botId,
      sessions: 2,
      messages: 7,
      messagesByRole: { USER: 3, ASSISTANT: 2, OPERATOR: 1, other: 1 },
    });
    const byId = new Map(sessionSummaries(db, botId).map((s) => [s.sessionId, s]));
    expect(byId.get(a)?.messagesByRole).toEqual({ USER: 2, ASSISTANT: 1, OPERATOR: 1, other: 0 });
    expect(byId.get(b)?.messagesByRole).toEqual({ USER: 1, ASSISTANT: 1, OPERATOR: 0, other: 1 });
    expect(byId.get(a)?.messages).toBe(4);
  });

  it("counts a rating changed up, down and up again as three changes, the current one up", () => {
    const botId = uuid();
    const sessionId = session(botId, 0);
    const up = createEvent("RATE_MESSAGE", { botId, sessionId, rating: 1 });
    const down = { ...up, rating: -1 as const };
    const other = createEvent("RATE_MESSAGE", { botId, sessionId, rating: -1 });

    expect(recordEvent(db, up, T0 + MIN)).toEqual({ changed: true });
    expect(recordEvent(db, down, T0 + 2 * MIN)).toEqual({ changed: true });
    expect(recordEvent(db, up, T0 + 3 * MIN)).toEqual({ changed: true });
    // The same value again (a retry the kit no longer remembers) is not a change.
    expect(recordEvent(db, up, T0 + 4 * MIN)).toEqual({ changed: false });
    recordEvent(db, other, T0 + 5 * MIN);

    expect(assistantSummaries(db, botId)[0]).toMatchObject({
      ratedMessages: 2,
      thumbsUp: 1,
      thumbsDown: 1,
      ratingChanges: 4,
      changedRatings: 1,
    });
    expect(sessionSummaries(db, botId)[0]).toMatchObject({
      thumbsUp: 1,
      thumbsDown: 1,
      ratingChanges: 4,
    });
  });

  it("times sessions from SESSION_OPEN to SESSION_CLOSED: median, average, longest", () => {
    const botId = uuid();
    session(botId, 0, 2); // 2 min
    session(botId, 0, 4); // 4 min
    session(botId, 0, 10); // 10 min
    session(botId, 0, 12); // 12 min
    const open = session(botId, 20); // still open
    const closedOnly = session(botId, undefined, 3); // its SESSION_OPEN never came
    const backwards = session(botId, 9, 5); // closed before opened (a late retry): no duration

    const [summary] = assistantSummaries(db);
    expect(summary).toMatchObject({
      sessions: 7,
      openSessions: 1,
      timedSessions: 4,
      medianDurationMs: 7 * MIN,
      averageDurationMs: 7 * MIN,
      longestDurationMs: 12 * MIN,
    });
    const byId = new Map(sessionSummaries(db, botId).map((s) => [s.sessionId, s]));
    expect(byId.get(open)).toMatchObject({ openedAt: T0 + 20 * MIN, closedAt: null });
    expect(byId.get(open)?.durationMs).toBeNull();
    expect(byId.get(closedOnly)).toMatchObject({ openedAt: null, durationMs: null });
    expect(byId.get(backwards)?.durationMs).toBeNull();

    session(botId, 0, 1); // five timed: the median is the middle one
    expect(assistantSummaries(db)[0]?.medianDurationMs).toBe(4 * MIN);
  });

  it("keeps the earliest SESSION_OPEN and SESSION_CLOSED when one arrives twice", () => {
    const botId = uuid();
    const sessionId = session(botId, 5, 9);
    const open = createEvent("SESSION_OPEN", { botId, sessionId });
    expect(recordEvent(db, open, T0 + 7 * MIN)).toEqual({ changed: false });
    expect(recordEvent(db, open, T0 + 2 * MIN)).toEqual({ changed: true });
    expect(sessionSummaries(db, botId)[0]).toMatchObject({ durationMs: 7 * MIN });
  });

  it("answers one row per assistant, newest activity first, or the one asked for", () => {
    const [quiet, busy] = [uuid(), uuid()];
    session(quiet, 0, 1);
    session(busy, 5, 8);
    session(busy, 30);

    expect(assistantSummaries(db).map((s) => [s.botId, s.sessions])).toEqual([
      [busy, 2],
      [quiet, 1],
    ]);
    expect(assistantSummaries(db, quiet)).toEqual([
      {
        botId: quiet,
        sessions: 1,
        openSessions: 0,
        timedSessions: 1,
        averageDurationMs: MIN,
        medianDurationMs: MIN,
        longestDurationMs: MIN,
        messages: 0,
        messagesByRole: { USER: 0, ASSISTANT: 0, OPERATOR: 0, other: 0 },
        ratedMessages: 0,
        thumbsUp: 0,
        thumbsDown: 0,
        ratingChanges: 0,
        changedRatings: 0,
        firstSeenAt: T0,
        lastSeenAt: T0 + MIN,
      },
    ]);
    expect(assistantSummaries(db, uuid())).toEqual([]);
    expect(sessionSummaries(db, busy, 1)).toHaveLength(1);
  });

  it("answers nothing for an empty database", () => {
    expect(assistantSummaries(db)).toEqual([]);
  });
});
