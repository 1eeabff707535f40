/**
 * One of several processes claiming the same keys in one SQLite file at the
 * same instant (sqliteStore.test.ts). Environment: DB_FILE, KEYS (comma
 * separated), CLAIMS (per key), TOKEN_PREFIX. Says "ready" over IPC, waits
 * for `{ startAt }` (epoch ms), and sends back `{ [key]: answers }`.
 */
import Database from "better-sqlite3";
import { sqliteStore } from "../sqlite/index.js";

const db = new Database(process.env.DB_FILE!);
db.pragma("busy_timeout = 10000");
const store = sqliteStore({ db });
const keys = process.env.KEYS!.split(",");
const claims = Number(process.env.CLAIMS);
const answers: Record<string, string[]> = Object.fromEntries(keys.map((key) => [key, []]));
store.claim("warm-up", { token: "w", leaseMs: 1, mode: "once" }); // prepares the statements

const startAt = await new Promise<number>((resolve) => {
  process.once("message", (message: { startAt: number }) => resolve(message.startAt));
  process.send?.("ready");
});
// Everyone starts together: spin (not sleep) through the last milliseconds.
while (Date.now() < startAt) {}

for (let i = 0; i < claims; i++) {
  for (const key of keys) {
    answers[key]!.push(
      store.claim(key, { token: `${process.env.TOKEN_PREFIX}${i}`, leaseMs: 60_000, mode: "once" }),
    );
  }
}
db.close();
process.send?.(answers, () => process.disconnect());
