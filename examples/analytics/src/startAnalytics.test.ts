import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vendorExamples } from "@fineguide-webhooks/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasCurl, paste } from "../../shared/src/test/pasteCurl.js";
import { databasePath } from "./databasePath.js";
import { sampleConversation } from "./sampleConversation.js";
import { DEMO_BOTS } from "./seedDemo.js";
import { type RunningAnalytics, startAnalytics } from "./startAnalytics.js";

describe("npm start (startAnalytics)", () => {
  let dir: string;
  let running: RunningAnalytics | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "analytics-start-"));
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: NodeJS.ProcessEnv, lines: string[] = []) =>
    startAnalytics({ env, port: 0, print: (line) => lines.push(line) });

  it.runIf(hasCurl)(
    "the printed curls deliver the vendor's conversation, and the dashboard shows it",
    async () => {
      const lines: string[] = [];
      const env = { ANALYTICS_DB: join(dir, "start.sqlite") };
      running = await start(env, lines);
      expect(running.curls).toHaveLength(4);
      for (const curl of running.curls) expect(lines).toContain(`  ${curl}`);
      expect(lines).toContain(`Dashboard: ${running.dashboard}  (open it in a browser)`);
      expect(lines).toContain(`SQLite database: ${env.ANALYTICS_DB}`);

      for (const curl of running.curls) {
        expect(await paste(curl)).toEqual({ status: 200, json: { ok: true } });
      }
      expect(await paste(running.curls[1] ?? "")).toEqual({
        status: 200,
        json: { ok: true, duplicate: true },
      });
      const page = await (await fetch(running.dashboard)).text();
      expect(page).toContain('<h2 id="bot-6434515b-8541-4861-bb24-8acd6e77e8c4">');
      expect(page).toContain("b8e034be");
      expect(lines.filter((line) => / recorded /.test(line))).toHaveLength(4);
    },
  );

  it("ANALYTICS_DEMO=1 fills the dashboard with two assistants' sample conversations, once", async () => {
    const lines: string[] = [];
    const env = { ANALYTICS_DB: join(dir, "demo.sqlite"), ANALYTICS_DEMO: "1" };
    running = await start(env, lines);
    expect(lines).toContain("Sample conversations of two assistants written (ANALYTICS_DEMO=1).");
    const page = await (await fetch(running.dashboard)).text();
    expect(page).toContain(`id="bot-${DEMO_BOTS.sales}"`);
    expect(page).toContain(`id="bot-${DEMO_BOTS.support}"`);
    await running.close();

    const again: string[] = [];
    running = await start(env, again);
    expect(again.join("\n")).not.toContain("Sample conversations");
  });

  it("a generated secret appears only in the curls; one from the environment never", async () => {
    const lines: string[] = [];
    running = await start({ ANALYTICS_DB: ":memory:" }, lines);
    const secret = /x-webhook-secret: (dev-[0-9a-f]+)/.exec(running.curls[0] ?? "")?.[1];
    expect(secret).toBeDefined();
    expect(lines.filter((line) => line.includes(secret ?? "?"))).toEqual(
      running.curls.map((curl) => `  ${curl}`),
    );
    await running.close();

    const env = { ANALYTICS_DB: ":memory:", FINEGUIDE_WEBHOOK_SECRET: "my-real-secret-4e1f" };
    const quiet: string[] = [];
    running = await start(env, quiet);
    expect(quiet.join("\n")).not.toContain(env.FINEGUIDE_WEBHOOK_SECRET);
    expect(running.curls[0]).toContain('"x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET"');
    if (hasCurl) {
      expect(await paste(running.curls[0] ?? "", env)).toEqual({ status: 200, json: { ok: true } });
    }
  });

  it("close() stops listening and closes the database", async () => {
    const file = join(dir, "close.sqlite");
    running = await start({ ANALYTICS_DB: file });
    const { url } = running;
    // SQLite removes the WAL file when the last connection to the database closes.
    expect(existsSync(`${file}-wal`)).toBe(true);
    await running.close();
    running = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(fetch(url, { method: "POST" })).rejects.toThrow();
  });

  it("defaults the database to a file in the OS temp directory", () => {
    expect(databasePath({})).toBe(join(tmpdir(), "fineguide-analytics.sqlite"));
    expect(databasePath({ ANALYTICS_DB: "" })).toBe(join(tmpdir(), "fineguide-analytics.sqlite"));
    expect(databasePath({ ANALYTICS_DB: "./mine.sqlite" })).toBe("./mine.sqlite");
  });

  it("sends the vendor page's examples as printed", () => {
    expect(sampleConversation).toEqual([
      vendorExamples.SESSION_OPEN,
      vendorExamples.MESSAGE,
      vendorExamples.RATE_MESSAGE,
      vendorExamples.SESSION_CLOSED,
    ]);
  });
});
