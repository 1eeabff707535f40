import { randomUUID } from "node:crypto";
import {
  createWebhooks,
  type DedupeStore,
  isKnownEvent,
  type Logger,
  memoryStore,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import pg from "pg";
import { beforeAll, expect, it } from "vitest";
import { type PostgresStore, postgresStore, SqlStoreError } from "../../postgres/index.js";
import { messageEvent, sleep, ticketEvent, until, variableUpdate } from "../events.js";
import { pgRows } from "../pgRows.js";
import type { PostgresServer } from "../postgresServer.js";
import type { SharedPostgres } from "./shared.js";

/** A gate a test opens when it wants a waiting handler to go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** The transactional mode through core's receiver, on the file's Postgres. */
export function postgresTransactionalTests(shared: SharedPostgres): void {
  let server: PostgresServer;
  let pool: pg.Pool;
  let store: PostgresStore;

  const receiver = (options: Omit<WebhooksOptions, "secret" | "dedupe"> = {}, dedupe = store) =>
    createWebhooks({ allowUnauthenticated: true, dedupe, ...options });
  // Rows the handlers wrote for a note, as others see them (committed only), and dedupe rows.
  const { effects, dedupeRow } = pgRows(() => pool, "tx_effects");
  const insert = (tx: pg.PoolClient, handler: string, note: string) =>
    tx.query("INSERT INTO tx_effects (handler, note, txid) VALUES ($1, $2, txid_current())", [
      handler,
      note,
    ]);

  beforeAll(async () => {
    ({ server, pool } = shared);
    store = postgresStore({ pool });
    await store.migrate();
    // No unique constraint: the table counts every write that committed.
    await pool.query(
      "CREATE TABLE tx_effects (id serial PRIMARY KEY, handler text NOT NULL, note text NOT NULL, txid bigint)",
    );
  }, 60_000);

  it("the handler's writes and the done mark commit together; the retry is a duplicate", async () => {
    const event = messageEvent();
    let key = "";
    const webhooks = receiver({
      onMessage: store.transactional(async (message, ctx) => {
        key = ctx.dedupeKey;
        await insert(ctx.tx, "a", message.messageId);
      }),
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect(await effects(event.messageId)).toEqual(["a"]);
    expect(await dedupeRow(key)).toEqual({ token: null, done: true });
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(await effects(event.messageId)).toEqual(["a"]);
  });

  it("while the handler runs, another instance sees the claim (in_progress) and not the write", async () => {
    const event = messageEvent();
    const wrote = gate();
    const finish = gate();
    const webhooks = receiver({
      onMessage: store.transactional(async (message, ctx) => {
        await insert(ctx.tx, "a", message.messageId);
        wrote.open();
        await finish.opened;
      }),
    });
    const other = new pg.Pool({ connectionString: server.url, max: 2 });
    other.on("error", () => {});
    try {
      const elsewhere = receiver({ onMessage: () => {} }, postgresStore({ pool: other }));
      const first = webhooks.dispatch(event);
      await wrote.opened;
      const second = await elsewhere.dispatch(event);
      expect(second.outcome).toBe("in_progress");
      expect(second.status).toBe(503);
      expect(await effects(event.messageId)).toEqual([]); // not committed yet
      finish.open();
      expect((await first).outcome).toBe("processed");
      expect(await effects(event.messageId)).toEqual(["a"]);
      expect((await elsewhere.dispatch(event)).outcome).toBe("duplicate");
    } finally {
      await other.end();
    }
  });

  it("a handler failing after its write: rolled back, claim released; the retry writes once", async () => {
    const event = messageEvent();
    let attempts = 0;
    let key = "";
    const webhooks = receiver({
      onMessage: store.transactional(async (message, ctx) => {
        key = ctx.dedupeKey;
        await insert(ctx.tx, "a", message.messageId);
        if (++attempts === 1) throw new Error("fails after its write");
      }),
    });
    const first = await webhooks.dispatch(event);
    expect(first.outcome).toBe("handler_failed");
    expect(first.status).toBe(500);
    expect(await effects(event.messageId)).toEqual([]);
    expect(await dedupeRow(key)).toBeUndefined(); // released: absent again
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(await effects(event.messageId)).toEqual(["a"]);
    expect(attempts).toBe(2);
  });

  it("every transactional handler of a delivery shares one transaction: one failing rolls all back", async () => {
    const event = messageEvent();
    let attempts = 0;
    const webhooks = receiver({
      onMessage: [
        store.transactional(async (message, ctx) => {
          await insert(ctx.tx, "a", message.messageId);
        }),
        store.transactional(async (message, ctx) => {
          await sleep(20); // finishes last: its failure comes after the others' writes
          await insert(ctx.tx, "b", message.messageId);
          if (++attempts === 1) throw new Error("b fails the first time");
        }),
      ],
      onAny: store.transactional(async (event, ctx) => {
        if (isKnownEvent(event) && event.type === "MESSAGE") {
          await insert(ctx.tx, "c", event.messageId);
        }
      }),
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("handler_failed");
    expect(await effects(event.messageId)).toEqual([]);
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect(await effects(event.messageId)).toEqual(["a", "b", "c"]);
    const txids = await pool.query("SELECT DISTINCT txid FROM tx_effects WHERE note = $1", [
      event.messageId,
    ]);
    expect(txids.rowCount).toBe(1);
  });

  it("the deadline rolls the transaction back at once; a late query fails; the retry writes once", async () => {
    const event = messageEvent();
    let attempts = 0;
    let late: unknown;
    const settled = gate();
    const webhooks = receiver({
      // Long enough for the first write on a loaded machine; the handler then waits
      // for the deadline itself, so nothing here depends on how fast anything runs.
      deadlineMs: 2000,
      leaseMs: 3000,
      onMessage: store.transactional(async (message, ctx) => {
        try {
          await insert(ctx.tx, "a", message.messageId);
          if (++attempts > 1) return;
          // Past the deadline: it writes again after ctx.signal fired, ignoring it.
          if (!ctx.signal.aborted) {
            await new Promise((resolve) =>
              ctx.signal.addEventListener("abort", resolve, { once: true }),
            );
          }
          await insert(ctx.tx, "late", message.messageId);
        } catch (error) {
          late = error;
          throw error;
        } finally {
          settled.open();
        }
      }),
    });
    const first = await webhooks.dispatch(event);
    expect(first.outcome).toBe("handler_timeout");
    expect(first.status).toBe(503);
    // Rolled back by then: the connection was destroyed when the signal fired.
    expect(await effects(event.messageId)).toEqual([]);
    await settled.opened;
    expect(late).toBeInstanceOf(SqlStoreError);
    expect((late as SqlStoreError).code).toBe("transaction_aborted");
    // The late failure released the claim, so the retry runs (the vendor's comes a minute later).
    await until(async () => (await webhooks.dispatch(event)).outcome === "processed");
    expect(await effects(event.messageId)).toEqual(["a"]);
  });

  it("a claim lost before the commit (lease lapsed, taken over): rolled back, answered 500", async () => {
    const event = messageEvent();
    const wrote = gate();
    const tookOver = gate();
    const webhooks = receiver({
      onError: () => {},
      onMessage: store.transactional(async (message, ctx) => {
        await insert(ctx.tx, "first", message.messageId);
        wrote.open();
        await tookOver.opened;
      }),
    });
    const first = webhooks.dispatch(event);
    await wrote.opened;
    // Another instance takes the event over after the lease lapsed (forced here).
    const key = `${event.botId}:MESSAGE:${event.messageId}`;
    await pool.query(
      "UPDATE fineguide_webhooks_dedupe SET lease_until = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const taker = postgresStore({ pool });
    expect(await taker.claim(key, { token: "taker", leaseMs: 60_000, mode: "once" })).toBe(
      "claimed",
    );
    tookOver.open();
    const answer = await first;
    expect(answer.outcome).toBe("handler_failed");
    expect((answer.error as SqlStoreError).code).toBe("claim_lost");
    expect(await effects(event.messageId)).toEqual([]);
    expect(await dedupeRow(key)).toEqual({ token: "taker", done: false });
  });

  it("a transactional handler under a receiver using another store fails loudly (500)", async () => {
    const webhooks = receiver(
      { onMessage: store.transactional(async () => {}) },
      memoryStore({ max: 10 }) as unknown as PostgresStore,
    );
    const answer = await webhooks.dispatch(messageEvent());
    expect(answer.outcome).toBe("handler_failed");
    expect(String(answer.error)).toMatch(/holds no claim of this store.*`dedupe`/);
  });

  it("ctx.tx cannot be released by the handler, nor used once the transaction ended", async () => {
    let kept: pg.PoolClient | undefined;
    let releaseError: unknown;
    const webhooks = receiver({
      onMessage: store.transactional(async (_message, ctx) => {
        kept = ctx.tx;
        try {
          ctx.tx.release();
        } catch (error) {
          releaseError = error;
        }
        expect((await ctx.tx.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      }),
    });
    expect((await webhooks.dispatch(messageEvent())).outcome).toBe("processed");
    expect(String(releaseError)).toMatch(/belongs to the store/);
    expect(() => kept!.query("SELECT 1")).toThrow(/after its transaction ended/);
  });

  it("the receiver's dedupeTtlMs is the committed done mark's TTL", async () => {
    const event = messageEvent();
    const webhooks = receiver({
      dedupeTtlMs: 40 * 60_000,
      onMessage: store.transactional(async (message, ctx) => {
        await insert(ctx.tx, "a", message.messageId);
      }),
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    const { rows } = await pool.query(
      "SELECT extract(epoch FROM done_until - now()) AS s FROM fineguide_webhooks_dedupe WHERE key = $1",
      [`${event.botId}:MESSAGE:${event.messageId}`],
    );
    expect(Number(rows[0].s)).toBeGreaterThan(39 * 60);
    expect(Number(rows[0].s)).toBeLessThanOrEqual(40 * 60);
  });

  it("a handler outside the transaction failing after the commit: logged; the event stays done", async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_fields, message) => warnings.push(message ?? ""),
    };
    const logged = postgresStore({ pool, logger });
    const event = messageEvent();
    const webhooks = receiver(
      {
        onMessage: [
          logged.transactional(async (message, ctx) => {
            await insert(ctx.tx, "a", message.messageId);
          }),
          async (message) => {
            // Fails once the transaction committed (its row is visible to others).
            await until(async () => (await effects(message.messageId)).length === 1);
            throw new Error("not transactional");
          },
        ],
      },
      logged,
    );
    expect((await webhooks.dispatch(event)).outcome).toBe("handler_failed");
    expect(warnings).toEqual([expect.stringMatching(/Wrap every handler/)]);
    expect((await webhooks.dispatch(event)).outcome).toBe("duplicate");
    expect(await effects(event.messageId)).toEqual(["a"]);
  });

  it("latest: A, B, C arriving while A runs each commit once, in order; a retry of C is a duplicate", async () => {
    await pool.query(
      "CREATE TABLE IF NOT EXISTS session_vars (session text PRIMARY KEY, vars jsonb, versions int)",
    );
    const sessionId = randomUUID();
    // The store, with each version's first claim answer recorded (by fingerprint), to send
    // each version once the one before it is known to wait (no timing involved). A waiting
    // version claims again on every tick: only its first answer is kept.
    const answered = new Map<string | undefined, string>();
    const recording: DedupeStore = {
      claim: async (key, request) => {
        const answer = await store.claim(key, request);
        if (!answered.has(request.fingerprint)) answered.set(request.fingerprint, answer);
        return answer;
      },
      complete: (key, token, options) => store.complete(key, token, options),
      release: (key, token) => store.release(key, token),
      renew: (key, token, leaseMs) => store.renew(key, token, leaseMs),
    };
    const aRuns = gate();
    const aMayFinish = gate();
    const webhooks = createWebhooks({
      allowUnauthenticated: true,
      dedupe: recording,
      onVariableUpdate: store.transactional(async (update, ctx) => {
        await ctx.tx.query(
          `INSERT INTO session_vars VALUES ($1, $2, 1)
           ON CONFLICT (session) DO UPDATE SET vars = $2, versions = session_vars.versions + 1`,
          [update.sessionId, update.variables],
        );
        if (update.variables.v === "A") {
          aRuns.open();
          await aMayFinish.opened;
        }
      }),
    });
    const versions = ["A", "B", "C"].map((v) => variableUpdate(sessionId, { v }));
    const answers = [webhooks.dispatch(versions[0]!)];
    await aRuns.opened;
    answers.push(webhooks.dispatch(versions[1]!));
    await until(() => answered.size === 2);
    answers.push(webhooks.dispatch(versions[2]!));
    await until(() => answered.size === 3);
    expect([...answered.values()]).toEqual(["claimed", "in_progress", "in_progress"]); // B and C wait
    aMayFinish.open();
    expect((await Promise.all(answers)).map((a) => a.outcome)).toEqual([
      "processed",
      "processed",
      "processed",
    ]);
    const row = async () =>
      (await pool.query("SELECT vars, versions FROM session_vars WHERE session = $1", [sessionId]))
        .rows[0];
    expect(await row()).toEqual({ vars: { v: "C" }, versions: 3 });
    expect((await webhooks.dispatch(versions[2]!)).outcome).toBe("duplicate");
    expect(await row()).toEqual({ vars: { v: "C" }, versions: 3 });
  });

  it("close() while a transactional handler runs: rolled back and released, answered shutting_down", async () => {
    const event = messageEvent();
    const wrote = gate();
    const webhooks = receiver({
      onMessage: store.transactional(async (message, ctx) => {
        await insert(ctx.tx, "a", message.messageId);
        wrote.open();
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        await insert(ctx.tx, "after-close", message.messageId).catch(() => {});
      }),
    });
    const answer = webhooks.dispatch(event);
    await wrote.opened;
    await webhooks.close({ timeoutMs: 50 });
    expect((await answer).outcome).toBe("shutting_down");
    await until(
      async () => (await dedupeRow(`${event.botId}:MESSAGE:${event.messageId}`)) === undefined,
    );
    expect(await effects(event.messageId)).toEqual([]);
  });

  it("TICKET keys are built from content: an identical second ticket in the session is a duplicate", async () => {
    const sessionId = randomUUID();
    const webhooks = receiver({
      onTicket: store.transactional(async (ticket, ctx) => {
        await insert(ctx.tx, ticket.customerMessage, sessionId);
      }),
    });
    expect((await webhooks.dispatch(ticketEvent(sessionId, "help"))).outcome).toBe("processed");
    expect((await webhooks.dispatch(ticketEvent(sessionId, "help"))).outcome).toBe("duplicate");
    expect((await webhooks.dispatch(ticketEvent(sessionId, "more help"))).outcome).toBe(
      "processed",
    );
    expect(await effects(sessionId)).toEqual(["help", "more help"]);
  });
}
