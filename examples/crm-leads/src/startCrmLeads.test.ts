import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vendorExamples } from "@fineguide-webhooks/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasCurl, paste } from "../../shared/src/test/pasteCurl.js";
import { databasePath } from "./databasePath.js";
import { sampleLead, sampleTicket } from "./sampleEvents.js";
import { type RunningCrmLeads, startCrmLeads } from "./startCrmLeads.js";

// Real HTTP and `curl` through `sh`: a generous limit for a loaded machine.
describe("npm start (startCrmLeads)", { timeout: 30_000 }, () => {
  let dir: string;
  let running: RunningCrmLeads | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "crm-leads-start-"));
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: NodeJS.ProcessEnv, lines: string[] = []) =>
    startCrmLeads({ env, port: 0, print: (line) => lines.push(line) });

  it.runIf(hasCurl)(
    "the printed curls deliver the vendor's lead and ticket, then duplicates, and read them back",
    async () => {
      const lines: string[] = [];
      const env = { CRM_LEADS_DB: join(dir, "start.sqlite") };
      running = await start(env, lines);
      for (const curl of [running.leadCurl, running.ticketCurl]) {
        expect(lines).toContain(`  ${curl}`);
        expect(await paste(curl)).toEqual({ status: 200, json: { ok: true } });
        expect(await paste(curl)).toEqual({ status: 200, json: { ok: true, duplicate: true } });
      }
      expect(lines).toContain(`SQLite database: ${env.CRM_LEADS_DB}`);

      expect(await paste(running.contactsCurl)).toEqual({
        status: 200,
        json: [
          expect.objectContaining({
            organizationId: "org-abc123",
            key: "email:jane.smith@example.com",
            name: "Jane Smith",
            leads: 1,
          }),
        ],
      });
      expect(await paste(running.ticketsCurl)).toEqual({
        status: 200,
        json: [
          expect.objectContaining({
            customerName: "John Doe",
            status: "open",
            messages: [expect.objectContaining({ body: sampleTicket.customerMessage })],
          }),
        ],
      });
      expect(lines.filter((line) => / (created|opened) /.test(line))).toHaveLength(2);
    },
  );

  it.runIf(hasCurl)(
    "keeps the rows and the processed events across a restart: a retry is still a duplicate",
    async () => {
      const env = { CRM_LEADS_DB: join(dir, "restart.sqlite") };
      running = await start(env);
      await paste(running.ticketCurl);
      await running.close();

      running = await start(env);
      expect(await paste(running.ticketCurl)).toEqual({
        status: 200,
        json: { ok: true, duplicate: true },
      });
      expect(((await paste(running.ticketsCurl)).json as unknown[]).length).toBe(1);
    },
  );

  it("a generated secret appears only in the four curls; one from the environment never", async () => {
    const lines: string[] = [];
    running = await start({ CRM_LEADS_DB: ":memory:" }, lines);
    const secret = /x-webhook-secret: (dev-[0-9a-f]+)/.exec(running.leadCurl)?.[1];
    expect(secret).toBeDefined();
    const { leadCurl, ticketCurl, contactsCurl, ticketsCurl } = running;
    expect(lines.filter((line) => line.includes(secret ?? "?"))).toEqual(
      [leadCurl, ticketCurl, contactsCurl, ticketsCurl].map((curl) => `  ${curl}`),
    );
    await running.close();

    const env = { CRM_LEADS_DB: ":memory:", FINEGUIDE_WEBHOOK_SECRET: "my-real-secret-77ab" };
    const quiet: string[] = [];
    running = await start(env, quiet);
    expect(quiet.join("\n")).not.toContain(env.FINEGUIDE_WEBHOOK_SECRET);
    expect(running.leadCurl).toContain('"x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET"');
    if (hasCurl) {
      expect(await paste(running.leadCurl, env)).toEqual({ status: 200, json: { ok: true } });
    }
  });

  it("close() stops listening and closes the database", async () => {
    const file = join(dir, "close.sqlite");
    running = await start({ CRM_LEADS_DB: file });
    const { url } = running;
    // SQLite removes the WAL file when the last connection to the database closes.
    expect(existsSync(`${file}-wal`)).toBe(true);
    await running.close();
    running = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(fetch(url, { method: "POST" })).rejects.toThrow();
  });

  it("defaults the database to a file in the OS temp directory", () => {
    expect(databasePath({})).toBe(join(tmpdir(), "fineguide-crm-leads.sqlite"));
    expect(databasePath({ CRM_LEADS_DB: "" })).toBe(join(tmpdir(), "fineguide-crm-leads.sqlite"));
    expect(databasePath({ CRM_LEADS_DB: "./mine.sqlite" })).toBe("./mine.sqlite");
  });

  it("sends the vendor page's examples, with real addresses for the page's obfuscated ones", () => {
    expect({ ...sampleLead, email: vendorExamples.CREATE_LEAD.email }).toEqual(
      vendorExamples.CREATE_LEAD,
    );
    expect({ ...sampleTicket, customerEmail: vendorExamples.TICKET.customerEmail }).toEqual(
      vendorExamples.TICKET,
    );
  });
});
