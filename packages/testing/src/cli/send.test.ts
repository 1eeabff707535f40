import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVENT_TYPES } from "@fineguide-webhooks/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { vendorExamples } from "../factories/vendorExamples.js";
import { assertBuilt, runCli } from "../testSupport/cli.js";
import { kitServer } from "../testSupport/servers.js";

interface SendJson {
  url: string;
  delivered: number;
  failed: number;
  results: { type: string; status?: number; ok: boolean; durationMs: number; error?: string }[];
}

describe("fineguide-webhooks send", { timeout: 20_000 }, () => {
  let server: Awaited<ReturnType<typeof kitServer>>;
  const dir = mkdtempSync(join(tmpdir(), "fineguide-send-"));
  beforeAll(async () => {
    assertBuilt();
    server = await kitServer({ secret: "s3cret" });
  });
  beforeEach(() => {
    server.events.length = 0;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--all delivers one event of every type in one conversation and prints each", async () => {
    const run = await runCli(["send", "--all", "--url", server.url, "--secret", "s3cret"]);
    expect(run.code).toBe(0);
    for (const type of EVENT_TYPES) expect(run.stdout).toMatch(new RegExp(`✓ ${type} +200 +\\d`));
    expect(run.stdout).toContain("8 sent: 8 delivered, 0 failed");
    expect(server.events.map((e) => e.type)).toEqual([...EVENT_TYPES]);
    expect(new Set(server.events.map((e) => e.sessionId)).size).toBe(1);
  });

  it("sends the named types in order, with --set applied, and --json for machines", async () => {
    const run = await runCli([
      "send",
      "session_open",
      "CREATE_LEAD",
      "--url",
      server.url,
      "--secret",
      "s3cret",
      "--set",
      "email=ada@example.com",
      "--set",
      "props.campaign=autumn",
      "--json",
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as SendJson;
    expect(out).toMatchObject({ url: server.url, delivered: 2, failed: 0 });
    expect(out.results.map((r) => [r.type, r.status])).toEqual([
      ["SESSION_OPEN", 200],
      ["CREATE_LEAD", 200],
    ]);
    expect(server.events[1]).toMatchObject({
      type: "CREATE_LEAD",
      email: "ada@example.com",
      props: { campaign: "autumn", referrer: "google" },
    });
  });

  it("--file sends a payload as it is", async () => {
    const file = join(dir, "payload.json");
    writeFileSync(file, JSON.stringify(vendorExamples.TICKET));
    const run = await runCli(["send", "--file", file, "--url", server.url, "--secret", "s3cret"]);
    expect(run.code).toBe(0);
    expect(server.events).toEqual([vendorExamples.TICKET]);
  });

  it("reads the secret from FINEGUIDE_WEBHOOK_SECRET and honours --header", async () => {
    const custom = await kitServer({ secret: "env-secret", header: "x-auth" });
    try {
      const run = await runCli(["send", "TICKET", "--url", custom.url, "--header", "X-Auth"], {
        FINEGUIDE_WEBHOOK_SECRET: "env-secret",
      });
      expect(run.code).toBe(0);
      expect(custom.events).toHaveLength(1);
    } finally {
      await custom.close();
    }
  });

  it("exits 1 and shows the answer when a delivery is refused", async () => {
    const run = await runCli(["send", "TICKET", "--url", server.url, "--secret", "zz-not-it-42"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ TICKET +401/);
    expect(run.stdout).toContain("unauthorized");
    expect(run.stdout).not.toContain("zz-not-it-42");
    expect(server.events).toEqual([]);
  });

  it("exits 1 when --set makes an event invalid", async () => {
    const run = await runCli([
      "send",
      "RATE_MESSAGE",
      "--url",
      server.url,
      "--secret",
      "s3cret",
      "--set",
      "rating=5",
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as SendJson).results[0]).toMatchObject({ status: 400 });
  });

  it("exits 1 with the reason when the endpoint cannot be reached", async () => {
    const dead = await kitServer();
    await dead.close();
    const run = await runCli(["send", "MESSAGE", "--url", dead.url, "--secret", "s"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("ECONNREFUSED");
  });

  it("exits 2 on usage errors", async () => {
    const noType = await runCli(["send", "--url", server.url]);
    expect(noType).toMatchObject({ code: 2 });
    expect(noType.stderr).toContain("name at least one event type");
    const badType = await runCli(["send", "TIKET", "--url", server.url]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain("unknown event type TIKET");
    expect((await runCli(["send", "TICKET"])).stderr).toContain("--url is required");
    expect((await runCli(["send", "TICKET", "--url", "ftp://x"])).code).toBe(2);
    const badFile = await runCli(["send", "--file", join(dir, "nope.json"), "--url", server.url]);
    expect(badFile.code).toBe(2);
  });
});
