import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckReport } from "../check/checkEndpoint.js";
import { PROBE_BOT_ID } from "../check/probeMarks.js";
import { PROBES } from "../check/probes.js";
import { assertBuilt, runCli } from "../testSupport/cli.js";
import { handRolledServer, kitServer, type RunningServer } from "../testSupport/servers.js";

describe("fineguide-webhooks check", { timeout: 30_000 }, () => {
  let kit: Awaited<ReturnType<typeof kitServer>>;
  let handRolled: RunningServer;
  beforeAll(async () => {
    assertBuilt();
    kit = await kitServer({ secret: "s3cret" });
    handRolled = await handRolledServer("s3cret");
  });
  afterAll(async () => {
    await kit?.close();
    await handRolled?.close();
  });

  it("passes our kit: a table of every probe, exit 0", async () => {
    const run = await runCli(["check", "--url", kit.url, "--secret", "s3cret"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/row +probe +expected +got +verdict/);
    for (const probe of PROBES) {
      expect(run.stdout).toMatch(new RegExp(`${probe.row} +${probe.name} .* pass`));
    }
    expect(run.stdout).toContain("200, 200 duplicate");
    expect(run.stdout).toContain(`${PROBES.length} of ${PROBES.length} probes passed.`);
    expect(run.stdout).toContain(PROBE_BOT_ID);
    expect(run.stdout).not.toContain("s3cret");
    expect(kit.events.every((e) => e.botId === PROBE_BOT_ID)).toBe(true);
  });

  it("exits 1 on a hand-rolled receiver and names the rows it misses", async () => {
    const run = await runCli(["check", "--url", handRolled.url, "--secret", "s3cret"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 +GET instead of POST +405 +404 +MISS/);
    expect(run.stdout).toMatch(/3 +content type text\/html +415 +204 +MISS/);
    expect(run.stdout).toMatch(/9 +duplicate delivery +2xx, then 2xx \* +204, 204 +pass/);
    expect(run.stdout).toContain(
      "missed: GET instead of POST, content type text/html, oversize body, invalid sessionId, invalid messageId.",
    );
  });

  it("--json prints the report for machines", async () => {
    const run = await runCli(["check", "--url", handRolled.url, "--secret", "s3cret", "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport & { url: string };
    expect(report).toMatchObject({ url: handRolled.url, ok: false, failed: 5 });
    expect(report.results).toHaveLength(PROBES.length);
    expect(report.results[0]).toEqual({
      probe: "GET instead of POST",
      row: 1,
      expected: "405",
      got: "404",
      pass: false,
    });
  });

  it("exits 1 when every probe is refused by a wrong secret", async () => {
    const run = await runCli(["check", "--url", kit.url, "--secret", "not-the-secret"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/valid TICKET +2xx +401 unauthorized +MISS/);
  });

  it("exits 2 without a secret", async () => {
    const run = await runCli(["check", "--url", kit.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--secret is required");
  });
});
