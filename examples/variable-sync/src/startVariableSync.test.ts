import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vendorExamples } from "@fineguide-webhooks/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasCurl, paste } from "../../shared/src/test/pasteCurl.js";
import { databasePath } from "./databasePath.js";
import { sampleVariableUpdate } from "./sampleVariableUpdate.js";
import { type RunningVariableSync, startVariableSync } from "./startVariableSync.js";

describe("npm start (startVariableSync)", () => {
  let dir: string;
  let running: RunningVariableSync | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "variable-sync-start-"));
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: NodeJS.ProcessEnv, lines: string[] = []) =>
    startVariableSync({ env, port: 0, print: (line) => lines.push(line) });

  it.runIf(hasCurl)(
    "the printed curls deliver the vendor's sample, then a duplicate, and read the row back",
    async () => {
      const lines: string[] = [];
      const env = { VARIABLE_SYNC_DB: join(dir, "start.sqlite") };
      running = await start(env, lines);
      expect(lines).toContain(`  ${running.curl}`);
      expect(lines).toContain(`  ${running.readCurl}`);
      expect(lines).toContain(`SQLite database: ${env.VARIABLE_SYNC_DB}`);

      expect(await paste(running.curl)).toEqual({ status: 200, json: { ok: true } });
      expect(await paste(running.curl)).toEqual({
        status: 200,
        json: { ok: true, duplicate: true },
      });
      expect(await paste(running.readCurl)).toMatchObject({
        status: 200,
        json: {
          botId: sampleVariableUpdate.botId,
          sessionId: sampleVariableUpdate.sessionId,
          variables: sampleVariableUpdate.variables,
          version: 1,
        },
      });
      expect(lines.filter((line) => / saved /.test(line))).toHaveLength(1);
    },
  );

  it.runIf(hasCurl)(
    "keeps the row across a restart; the kit's in-memory dedupe does not, and nothing is written twice",
    async () => {
      const env = { VARIABLE_SYNC_DB: join(dir, "restart.sqlite") };
      running = await start(env);
      await paste(running.curl);
      const before = await paste(running.readCurl);
      await running.close();

      const lines: string[] = [];
      running = await start(env, lines);
      expect(await paste(running.curl)).toEqual({ status: 200, json: { ok: true } });
      expect(await paste(running.readCurl)).toEqual(before);
      expect(lines.some((line) => / unchanged +session ee9181d5 .* version 1:/.test(line))).toBe(
        true,
      );
    },
  );

  it("a generated secret appears only in the two curls; one from the environment never", async () => {
    const lines: string[] = [];
    running = await start({ VARIABLE_SYNC_DB: ":memory:" }, lines);
    const secret = /x-webhook-secret: (dev-[0-9a-f]+)/.exec(running.curl)?.[1];
    expect(secret).toBeDefined();
    expect(lines.filter((line) => line.includes(secret ?? "?"))).toEqual([
      `  ${running.curl}`,
      `  ${running.readCurl}`,
    ]);
    await running.close();

    const env = { VARIABLE_SYNC_DB: ":memory:", FINEGUIDE_WEBHOOK_SECRET: "my-real-secret-9c2d" };
    const quiet: string[] = [];
    running = await start(env, quiet);
    expect(quiet.join("\n")).not.toContain(env.FINEGUIDE_WEBHOOK_SECRET);
    expect(running.curl).toContain('"x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET"');
    if (hasCurl) {
      expect(await paste(running.curl, env)).toEqual({ status: 200, json: { ok: true } });
    }
  });

  it("close() stops listening and closes the database", async () => {
    const file = join(dir, "close.sqlite");
    running = await start({ VARIABLE_SYNC_DB: file });
    const { url } = running;
    // SQLite removes the WAL file when the last connection to the database closes.
    expect(existsSync(`${file}-wal`)).toBe(true);
    await running.close();
    running = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(fetch(url, { method: "POST" })).rejects.toThrow();
  });

  it("defaults the database to a file in the OS temp directory", () => {
    expect(databasePath({})).toBe(join(tmpdir(), "fineguide-variable-sync.sqlite"));
    expect(databasePath({ VARIABLE_SYNC_DB: "" })).toBe(
      join(tmpdir(), "fineguide-variable-sync.sqlite"),
    );
    expect(databasePath({ VARIABLE_SYNC_DB: "./mine.sqlite" })).toBe("./mine.sqlite");
  });

  it("sends the vendor page's example as printed", () => {
    expect(sampleVariableUpdate).toEqual(vendorExamples.VARIABLE_UPDATE);
  });
});
