/*
 * A receiver that dies the hard way in the middle of a TICKET: after its
 * handler wrote the ticket and its message, before the transaction commits
 * (SIGKILL to itself, from a trigger). For createCrmApp.test.ts, run as
 * `node --import tsx crashingReceiver.ts <sqlite file> <deadlineMs> <leaseMs>`;
 * prints `{"port":…}` once listening.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createCrmApp } from "../createCrmApp.js";
import { openCrmDatabase } from "../openCrmDatabase.js";

const [file = "", deadlineMs = "", leaseMs = ""] = process.argv.slice(2);
const db = openCrmDatabase(file);
db.function("crash_now", () => {
  process.kill(process.pid, "SIGKILL");
  return null;
});
db.exec(`CREATE TEMP TRIGGER crash_after_ticket_message AFTER INSERT ON main.crm_ticket_messages
  BEGIN SELECT crash_now(); END`);

const { app } = createCrmApp({
  secret: process.env.SECRET ?? "",
  db,
  timing: { deadlineMs: Number(deadlineMs), leaseMs: Number(leaseMs) },
});
const server = app.listen(0, "127.0.0.1");
await once(server, "listening");
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
