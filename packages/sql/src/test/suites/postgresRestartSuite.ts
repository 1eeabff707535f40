import { createWebhooks } from "@fineguide-webhooks/core";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { postgresStore } from "../../postgres/index.js";
import { mapLimit, messageEvent, sleep } from "../events.js";
import type { SharedPostgres } from "./shared.js";

type Event = ReturnType<typeof messageEvent>;

/**
 * Postgres stopped at once (as a crash) in the middle of a run and started
 * again. Restarts the file's server: run it last.
 */
export function postgresRestartTests(shared: SharedPostgres): void {
  let pool: pg.Pool | undefined;

  afterAll(async () => {
    await pool?.end();
  });

  it("deliveries get 503 (500 for those caught mid-transaction) and write nothing; once it is back, redelivering every non-2xx writes each event exactly once", async () => {
    const { server } = shared;
    pool = new pg.Pool({ connectionString: server.url, max: 20, connectionTimeoutMillis: 1000 });
    pool.on("error", () => {}); // idle connections die with the server
    const store = postgresStore({ pool });
    await store.migrate();
    await pool.query("CREATE TABLE down_effects (id serial PRIMARY KEY, message_id text NOT NULL)");
    const webhooks = createWebhooks({
      allowUnauthenticated: true,
      dedupe: store,
      // Long enough that no delivery hits its deadline on a loaded machine. A claim left
      // by a delivery the crash interrupted holds its key for a lease (see step 4).
      deadlineMs: 10_000,
      leaseMs: 15_000,
      onMessage: store.transactional(async (message, ctx) => {
        await ctx.tx.query("INSERT INTO down_effects (message_id) VALUES ($1)", [
          message.messageId,
        ]);
        await sleep(Math.random() * 5);
      }),
    });
    const events = Array.from({ length: 200 }, () => messageEvent());
    const first = new Map<string, string>();
    const deliver = async (event: Event) => {
      const answer = await webhooks.dispatch(event);
      first.set(event.messageId, answer.outcome);
      return answer.outcome;
    };

    // 1. Postgres stops at once (immediate shutdown, as a crash) while deliveries are in flight.
    let stopping: Promise<void> | undefined;
    await mapLimit(events.slice(0, 100), 10, async (event, i) => {
      if (i === 50) stopping = server.stop("SIGQUIT", true);
      return deliver(event);
    });
    await stopping;

    // 2. While it is down, every delivery is a 503 and no handler writes.
    const whileDown = await mapLimit(events.slice(100, 130), 10, deliver);
    expect(new Set(whileDown)).toEqual(new Set(["store_unavailable"]));

    // 3. It comes back (same data, same port, after crash recovery).
    shared.server = await server.restart();
    const afterRestart = await mapLimit(events.slice(130), 10, deliver);
    expect(new Set(afterRestart)).toEqual(new Set(["processed"]));

    const failed = events.filter((e) => first.get(e.messageId) !== "processed");
    expect(failed.length).toBeGreaterThanOrEqual(30);
    // A delivery caught between its claim and its commit failed (500): rolled back, retried.
    expect(
      failed.filter(
        (e) => !["store_unavailable", "handler_failed"].includes(first.get(e.messageId)!),
      ),
    ).toEqual([]);

    // 4. The vendor retries every delivery that got a non-2xx, until a 2xx, the first time a
    //    minute later. A claim committed just before the crash holds its key until its lease
    //    lapses (in_progress meanwhile); every delivery has settled, so no claim has a live
    //    owner: stand in for that minute by moving the leases into the past.
    await pool.query(
      "UPDATE fineguide_webhooks_dedupe SET lease_until = statement_timestamp() WHERE token IS NOT NULL AND key = ANY($1)",
      [failed.map((e) => `${e.botId}:MESSAGE:${e.messageId}`)],
    );
    let pending = failed;
    for (let round = 0; pending.length > 0 && round < 200; round++) {
      const outcomes = await mapLimit(
        pending,
        10,
        async (e) => (await webhooks.dispatch(e)).outcome,
      );
      expect(
        outcomes.filter((o) => !["processed", "duplicate", "in_progress"].includes(o)),
      ).toEqual([]);
      pending = pending.filter((_, i) => outcomes[i] === "in_progress");
      if (pending.length > 0) await sleep(250);
    }
    expect(pending).toEqual([]);

    // Nothing lost, nothing twice.
    const { rows } = await pool.query<{ message_id: string; n: string }>(
      "SELECT message_id, count(*) AS n FROM down_effects GROUP BY message_id",
    );
    const counts = new Map(rows.map((r) => [r.message_id, Number(r.n)]));
    const wrong = events.filter((e) => counts.get(e.messageId) !== 1);
    expect(wrong.map((e) => [first.get(e.messageId), counts.get(e.messageId) ?? 0])).toEqual([]);
    console.info(
      `Postgres down: ${failed.length} of 200 first deliveries failed ` +
        `(${failed.filter((e) => first.get(e.messageId) === "handler_failed").length} mid-transaction) ` +
        "and were written once on redelivery",
    );
  }, 90_000);
}
