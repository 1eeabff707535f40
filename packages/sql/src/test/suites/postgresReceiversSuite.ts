import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postgresStore } from "../../postgres/index.js";
import { BOT_ID, mapLimit, messageEvent, until } from "../events.js";
import {
  deliverUntilOk,
  kill,
  post,
  type Receiver,
  startReceiver,
  stopReceiver,
} from "../receivers.js";
import type { SharedPostgres } from "./shared.js";

/** Two receiver processes on one Postgres, started early (see {@link bootReceivers}). */
export interface ReceiverProcesses {
  readonly started: Promise<Receiver[]>;
  /** Where a hanging handler marks that it wrote. */
  readonly marks: string;
}

/**
 * Starts two receiver processes on `url` without waiting for them: each
 * costs a Node start and a TypeScript compile (seconds on a loaded
 * machine), better spent while other suites run.
 */
export function bootReceivers(url: string): ReceiverProcesses {
  const marks = mkdtempSync(join(tmpdir(), "fgw-marks-"));
  const env = { KIND: "postgres", DATABASE_URL: url, MARK_DIR: marks };
  const started = Promise.all([startReceiver(env), startReceiver(env)]);
  started.catch(() => {}); // reported by the suite's beforeAll
  return { started, marks };
}

/** Receivers in child processes sharing the file's Postgres. */
export function postgresReceiverTests(
  shared: SharedPostgres,
  processes: () => ReceiverProcesses,
): void {
  let pool: pg.Pool;
  let marks: string;
  const receivers: Receiver[] = [];

  const effects = async (messageId: string) =>
    Number(
      (
        await pool.query("SELECT count(*) AS n FROM proc_effects WHERE message_id = $1", [
          messageId,
        ])
      ).rows[0].n,
    );

  beforeAll(async () => {
    pool = shared.pool;
    await postgresStore({ pool }).migrate();
    await pool.query(
      "CREATE TABLE proc_effects (id serial PRIMARY KEY, message_id text NOT NULL, pid int NOT NULL)",
    );
    await pool.query("CREATE TABLE proc_attempts (message_id text PRIMARY KEY, n int NOT NULL)");
    marks = processes().marks;
    receivers.push(...(await processes().started));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(receivers.map(stopReceiver));
    if (marks) rmSync(marks, { recursive: true, force: true });
  });

  it("100 events delivered to both receivers, concurrently, one in ten failing once after its write: every effect exactly once", async () => {
    const events = Array.from({ length: 100 }, (_, i) =>
      messageEvent(i % 10 === 0 ? "fail-first" : "hello"),
    );
    const [a, b] = receivers as [Receiver, Receiver];
    // Both deliveries of an event sit side by side, so with 16 in flight they overlap.
    const deliveries = events.flatMap((event, i) =>
      i % 2
        ? [[event, a] as const, [event, b] as const]
        : [[event, b] as const, [event, a] as const],
    );
    const seen = (
      await mapLimit(deliveries, 16, ([event, to]) => deliverUntilOk(to.url, event))
    ).flat();

    const { rows } = await pool.query<{ message_id: string; n: string; pids: string }>(
      `SELECT message_id, count(*) AS n, count(DISTINCT pid) AS pids FROM proc_effects
       WHERE message_id = ANY($1) GROUP BY message_id`,
      [events.map((e) => e.messageId)],
    );
    expect(rows).toHaveLength(100);
    expect(rows.filter((r) => r.n !== "1")).toEqual([]);
    const count = (answer: string) => seen.filter((s) => s === answer).length;
    expect(count("processed")).toBe(100);
    expect(count("duplicate")).toBe(100);
    // The first attempt of each "fail-first" event failed after its write, and was rolled back.
    expect(count("handler_failed")).toBe(10);
    // Both processes did some of the work.
    const pids = await pool.query("SELECT DISTINCT pid FROM proc_effects");
    expect(pids.rowCount).toBe(2);
    console.info(
      "two Postgres receivers, answers seen:",
      Object.fromEntries([...new Set(seen)].map((s) => [s, count(s)])),
    );
  }, 120_000);

  it("a receiver SIGKILLed after its handler wrote and before the commit: nothing of that run remains; the retry writes exactly one row", async () => {
    const [a, b] = receivers as [Receiver, Receiver];
    const event = messageEvent("hang");
    const key = `${BOT_ID}:MESSAGE:${event.messageId}`;
    const answer = post(a.url, event).catch((error: unknown) => error);
    await until(() => existsSync(join(marks, event.messageId)));
    // The row is written inside the open transaction: nobody else sees it.
    expect(await effects(event.messageId)).toBe(0);
    await kill(a);
    // The process died before it answered (no 503 from its deadline: a crash).
    expect(await answer).toBeInstanceOf(Error);
    // The server rolled the dead connection's transaction back: no row, no open transaction.
    await until(async () => {
      const open = await pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND query LIKE '%proc_effects%'",
      );
      return open.rowCount === 0;
    });
    expect(await effects(event.messageId)).toBe(0);
    // The claim was committed before the handler ran: the key is held until its lease lapses.
    const claim = await pool.query(
      "SELECT token IS NOT NULL AS held FROM fineguide_webhooks_dedupe WHERE key = $1",
      [key],
    );
    expect(claim.rows).toEqual([{ held: true }]);
    const retry = { ...event, message: "hello" }; // the same event (its key is the messageId)
    expect(await post(b.url, retry)).toBe("in_progress");
    // FineGuide retries a minute later, when the dead claim's lease (30 s here) has lapsed:
    // stand in for that wait by moving the lease into the past, on the server's clock.
    await pool.query(
      "UPDATE fineguide_webhooks_dedupe SET lease_until = statement_timestamp() WHERE key = $1",
      [key],
    );
    expect(await post(b.url, retry)).toBe("processed");
    expect(await effects(event.messageId)).toBe(1);
    expect(await post(b.url, retry)).toBe("duplicate");
    expect(await effects(event.messageId)).toBe(1);
  }, 60_000);
}
