/**
 * A receiver in its own process (receivers.test.ts): a real HTTP server
 * (node:http) in front of core's `createWebhooks` with a SQL store and a
 * transactional MESSAGE handler that inserts one row into `proc_effects` per run
 * (no unique constraint: the table counts every write that committed).
 *
 * Environment: KIND ("postgres" | "sqlite"), DATABASE_URL or DB_FILE, SECRET,
 * DEADLINE_MS and LEASE_MS (optional), MARK_DIR. A message whose text is
 * "fail-first" fails after its write on its first attempt (attempts are
 * counted outside the transaction, across processes). A message whose text is
 * "hang" writes, then creates the file MARK_DIR/<messageId> and never
 * finishes (the test kills the process there). Sends `{ port }` over IPC.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { createWebhooks, type MessageEvent, type Webhooks } from "@fineguide-webhooks/core";
import Database from "better-sqlite3";
import pg from "pg";
import { postgresStore } from "../postgres/index.js";
import { sqliteStore } from "../sqlite/index.js";

const options = {
  secret: process.env.SECRET!,
  ...(process.env.DEADLINE_MS ? { deadlineMs: Number(process.env.DEADLINE_MS) } : {}),
  ...(process.env.LEASE_MS ? { leaseMs: Number(process.env.LEASE_MS) } : {}),
};
const mark = (message: MessageEvent) => {
  writeFileSync(join(process.env.MARK_DIR!, message.messageId), "");
};

let webhooks: Webhooks;
let close: () => Promise<void>;
if (process.env.KIND === "postgres") {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  pool.on("error", () => {});
  const store = postgresStore({ pool });
  webhooks = createWebhooks({
    ...options,
    dedupe: store,
    onMessage: store.transactional(async (message, ctx) => {
      await ctx.tx.query("INSERT INTO proc_effects (message_id, pid) VALUES ($1, $2)", [
        message.messageId,
        process.pid,
      ]);
      if (message.message === "hang") {
        mark(message);
        await new Promise(() => {}); // killed here, between the write and the commit
      }
      if (message.message === "fail-first") {
        // Counted on the pool, outside the transaction, so a rollback keeps the count.
        const { rows } = await pool.query<{ n: number }>(
          `INSERT INTO proc_attempts (message_id, n) VALUES ($1, 1)
           ON CONFLICT (message_id) DO UPDATE SET n = proc_attempts.n + 1 RETURNING n`,
          [message.messageId],
        );
        if (rows[0]!.n === 1) throw new Error("the first attempt fails after its write");
      }
    }),
  });
  close = () => pool.end();
} else {
  const db = new Database(process.env.DB_FILE!);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  const store = sqliteStore({ db });
  webhooks = createWebhooks({
    ...options,
    dedupe: store,
    onMessage: store.transactional((message, ctx) => {
      ctx.tx
        .prepare("INSERT INTO proc_effects (message_id, pid) VALUES (?, ?)")
        .run(message.messageId, process.pid);
      if (message.message === "hang") {
        mark(message);
        for (;;) {} // killed here, between the write and the commit
      }
    }),
  });
  close = async () => {
    db.close();
  };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", async () => {
    const answer = await webhooks.receive({
      method: req.method ?? "GET",
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void close().then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("disconnect", shutdown);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
