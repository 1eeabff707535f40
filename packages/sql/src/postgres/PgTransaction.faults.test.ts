import { randomUUID } from "node:crypto";
import {
  createWebhooks,
  type MessageEvent,
  type WebhookContext,
  type WebhooksOptions,
} from "@fineguide-webhooks/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEvent, until } from "../test/events.js";
import { pgRows } from "../test/pgRows.js";
import { type PostgresServer, postgresAvailable } from "../test/postgresServer.js";
import { type EffectsPostgres, startWithEffects } from "../test/startWithEffects.js";
import { type PostgresStore, postgresStore, SqlStoreError } from "./index.js";

/** What a promise settled with: its value, or its error. */
const settled = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

const available = postgresAvailable("@fineguide-webhooks/sql PgTransaction faults");

// The transaction of a delivery (PgTransaction), through the store's public API, when
// the delivery's signal fires around its opening, or its connection cannot be had or used.
// Generous limits for a loaded machine: no assertion depends on speed.
describe.skipIf(!available)("a delivery's transaction, on faults", { timeout: 30_000 }, () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let store: PostgresStore;

  const receiver = (options: Omit<WebhooksOptions, "secret" | "dedupe">, dedupe = store) =>
    createWebhooks({ allowUnauthenticated: true, dedupe, ...options });
  const { effects, dedupeRow, insert } = pgRows(() => pool, "tx_fault_effects");
  const keyOf = (event: MessageEvent) => `${event.botId}:MESSAGE:${event.messageId}`;
  /** A pool of its own, with a single connection. */
  const onePool = () => {
    const one = new pg.Pool({
      connectionString: server.url,
      max: 1,
      connectionTimeoutMillis: 5000,
    });
    one.on("error", () => {});
    return one;
  };
  const aborted = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });

  let started: EffectsPostgres | undefined;
  beforeAll(async () => {
    started = await startWithEffects("tx_fault_effects");
    ({ server, pool, store } = started);
  }, 60_000);

  afterAll(() => started?.stop());

  it("the signal fired before the transaction opens (a handler joining after the deadline): it never runs; rolled back; the retry runs it", async () => {
    const one = onePool();
    try {
      const joining = postgresStore({ pool: one });
      const event = messageEvent();
      let ran = 0;
      let late: unknown;
      const wrapped = joining.transactional(async (message: MessageEvent, ctx) => {
        ran++;
        await insert(ctx.tx, "a", message.messageId);
      });
      const slow = receiver(
        {
          deadlineMs: 300,
          leaseMs: 10_000,
          // Waits past the deadline, then opens the delivery's transaction.
          onMessage: async (message, ctx) => {
            await aborted(ctx.signal);
            late = await settled(wrapped(message, ctx));
            throw late;
          },
        },
        joining,
      );
      expect((await slow.dispatch(event)).outcome).toBe("handler_timeout");
      await until(() => late !== undefined);
      expect(late).toBeInstanceOf(SqlStoreError);
      expect((late as SqlStoreError).code).toBe("transaction_aborted");
      expect(ran).toBe(0);
      // The late failure released the claim (on the pool's only connection, given back
      // or remade): the retry runs the handler.
      await until(async () => (await dedupeRow(keyOf(event))) === undefined);
      const fast = receiver({ onMessage: wrapped }, joining);
      expect((await fast.dispatch(event)).outcome).toBe("processed");
      expect(ran).toBe(1);
      expect(await effects(event.messageId)).toEqual(["a"]);
    } finally {
      await one.end();
    }
  });

  it("a handler that finishes without error after the deadline: its writes are not committed, its call rejects (transaction_aborted); the retry runs it", async () => {
    const event = messageEvent();
    let attempts = 0;
    let late: unknown;
    const wrapped = store.transactional(async (message: MessageEvent, ctx) => {
      attempts++;
      await insert(ctx.tx, "a", message.messageId);
      // The first time, it ignores the deadline and returns normally after it.
      if (attempts === 1) await aborted(ctx.signal);
    });
    const webhooks = receiver({
      deadlineMs: 300,
      leaseMs: 10_000,
      onMessage: async (message, ctx) => {
        late = await settled(wrapped(message, ctx));
        if (late !== undefined) throw late;
      },
    });
    expect((await webhooks.dispatch(event)).outcome).toBe("handler_timeout");
    await until(() => late !== undefined);
    expect(late).toBeInstanceOf(SqlStoreError);
    expect((late as SqlStoreError).code).toBe("transaction_aborted");
    expect(await effects(event.messageId)).toEqual([]);
    await until(async () => (await dedupeRow(keyOf(event))) === undefined);
    expect((await webhooks.dispatch(event)).outcome).toBe("processed");
    expect(attempts).toBe(2);
    expect(await effects(event.messageId)).toEqual(["a"]);
  });

  it("no connection to be had (the pool exhausted by another handler): the handler fails with the pool's error and never runs; the retry runs it", async () => {
    const one = new pg.Pool({ connectionString: server.url, max: 1, connectionTimeoutMillis: 300 });
    one.on("error", () => {});
    try {
      const exhausting = postgresStore({ pool: one });
      const event = messageEvent();
      let ran = 0;
      let failure: unknown;
      let hold = true;
      const wrapped = exhausting.transactional(async (message: MessageEvent, ctx) => {
        ran++;
        await insert(ctx.tx, "a", message.messageId);
      });
      const webhooks = receiver(
        {
          onMessage: [
            // Called first: takes the pool's only connection until the other handler failed.
            async () => {
              if (!hold) return;
              const client = await one.connect();
              try {
                await until(() => failure !== undefined);
              } finally {
                client.release();
              }
            },
            async (message, ctx) => {
              failure = await settled(wrapped(message, ctx));
              if (failure !== undefined) throw failure;
            },
          ],
        },
        exhausting,
      );
      expect((await webhooks.dispatch(event)).outcome).toBe("handler_failed");
      expect(String(failure)).toMatch(/timeout exceeded when trying to connect/);
      expect(ran).toBe(0);
      expect(await dedupeRow(keyOf(event))).toBeUndefined(); // released
      hold = false;
      expect((await webhooks.dispatch(event)).outcome).toBe("processed");
      expect(ran).toBe(1);
      expect(await effects(event.messageId)).toEqual(["a"]);
    } finally {
      await one.end();
    }
  });

  it("BEGIN failing (a connection left in a failed transaction by other code): the connection is destroyed, not reused; the retry runs the handler", async () => {
    const one = onePool();
    try {
      const poisoned = postgresStore({ pool: one });
      const event = messageEvent();
      let ran = 0;
      let failure: unknown;
      let poison = true;
      const wrapped = poisoned.transactional(async (message: MessageEvent, ctx) => {
        ran++;
        await insert(ctx.tx, "a", message.messageId);
      });
      const webhooks = receiver(
        {
          onMessage: [
            // Called first: gives the pool's only connection back inside a failed transaction.
            async () => {
              if (!poison) return;
              const client = await one.connect();
              await client.query("BEGIN");
              await client.query("SELECT 1 / 0").catch(() => {});
              client.release();
            },
            async (message, ctx) => {
              failure = await settled(wrapped(message, ctx));
              if (failure !== undefined) throw failure;
            },
          ],
        },
        poisoned,
      );
      expect((await webhooks.dispatch(event)).outcome).toBe("handler_failed");
      expect((failure as { code?: string }).code).toBe("25P02"); // in_failed_sql_transaction
      expect(ran).toBe(0);
      // The receiver's release ran on the pool after it: on a new connection, not the failed one.
      expect(await dedupeRow(keyOf(event))).toBeUndefined();
      expect((await one.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      poison = false;
      expect((await webhooks.dispatch(event)).outcome).toBe("processed");
      expect(ran).toBe(1);
      expect(await effects(event.messageId)).toEqual(["a"]);
    } finally {
      await one.end();
    }
  });

  it("the signal firing while BEGIN is on its way: the call rejects as transaction_aborted, not with the connection's own error", async () => {
    const one = onePool();
    try {
      const racing = postgresStore({ pool: one });
      const key = randomUUID();
      const token = randomUUID();
      let ran = 0;
      const wrapped = racing.transactional(async () => {
        ran++;
      });
      expect(await racing.claim(key, { token, leaseMs: 60_000, mode: "once" })).toBe("claimed");
      // The connection is handed out now; BEGIN goes out before the next event-loop turn,
      // and its answer can only be read after this fires.
      const controller = new AbortController();
      one.once("acquire", () => setImmediate(() => controller.abort(new Error("deadline"))));
      const ctx = {
        deliveryId: token,
        dedupeKey: key,
        signal: controller.signal,
        deadlineAt: Date.now() + 20_000,
      } as WebhookContext;
      const failure = await settled(wrapped(messageEvent(), ctx));
      expect(failure).toBeInstanceOf(SqlStoreError);
      expect((failure as SqlStoreError).code).toBe("transaction_aborted");
      expect((failure as SqlStoreError).cause).toEqual(new Error("deadline"));
      expect(ran).toBe(0);
      expect(await racing.release(key, token)).toBe(true);
      expect((await one.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await one.end();
    }
  });

  it("the signal firing while waiting for a connection that never comes: transaction_aborted, not the pool's timeout", async () => {
    const one = new pg.Pool({ connectionString: server.url, max: 1, connectionTimeoutMillis: 300 });
    one.on("error", () => {});
    try {
      const waiting = postgresStore({ pool: one });
      const key = randomUUID();
      const token = randomUUID();
      let ran = 0;
      const wrapped = waiting.transactional(async () => {
        ran++;
      });
      expect(await waiting.claim(key, { token, leaseMs: 60_000, mode: "once" })).toBe("claimed");
      const holder = await one.connect(); // the pool's only connection
      const controller = new AbortController();
      const ctx = {
        deliveryId: token,
        dedupeKey: key,
        signal: controller.signal,
        deadlineAt: Date.now() + 20_000,
      } as WebhookContext;
      const call = settled(wrapped(messageEvent(), ctx));
      controller.abort(new Error("deadline"));
      const failure = await call;
      holder.release();
      expect(failure).toBeInstanceOf(SqlStoreError);
      expect((failure as SqlStoreError).code).toBe("transaction_aborted");
      expect(ran).toBe(0);
      expect(await waiting.release(key, token)).toBe(true);
    } finally {
      await one.end();
    }
  });

  it("the signal firing while BEGIN is answered: the handler never runs, the connection is destroyed, the claim released runs again", async () => {
    const one = onePool();
    try {
      const racing = postgresStore({ pool: one });
      const event = messageEvent();
      const key = keyOf(event);
      const token = randomUUID();
      let ran = 0;
      const wrapped = racing.transactional(async (message: MessageEvent, ctx) => {
        ran++;
        await insert(ctx.tx, "a", message.messageId);
      });
      expect(await racing.claim(key, { token, leaseMs: 60_000, mode: "once" })).toBe("claimed");
      // The delivery's signal fires once BEGIN's answer is in, before the store goes on
      // ("drain": the connection's queries are all answered).
      const controller = new AbortController();
      one.once("acquire", (client) => {
        client.once("drain", () => controller.abort(new Error("deadline")));
      });
      const ctx = {
        deliveryId: token,
        dedupeKey: key,
        signal: controller.signal,
        deadlineAt: Date.now() + 20_000,
      } as WebhookContext;
      const failure = await settled(wrapped(event, ctx));
      expect(controller.signal.aborted).toBe(true);
      expect(failure).toBeInstanceOf(SqlStoreError);
      expect((failure as SqlStoreError).code).toBe("transaction_aborted");
      expect(ran).toBe(0);
      expect(one.totalCount).toBe(0); // destroyed, not given back
      // As the receiver does after a failure: release; the retry then runs the handler.
      expect(await racing.release(key, token)).toBe(true);
      expect(await dedupeRow(key)).toBeUndefined();
      const webhooks = receiver({ onMessage: wrapped }, racing);
      expect((await webhooks.dispatch(event)).outcome).toBe("processed");
      expect(ran).toBe(1);
      expect(await effects(event.messageId)).toEqual(["a"]);
    } finally {
      await one.end();
    }
  });
});
