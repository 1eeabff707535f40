import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLI, runCli } from "../testSupport/cli.js";
import { kitServer, type RunningServer } from "../testSupport/servers.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};
const ESC = "\u001b[";

describe("fineguide-webhooks (the bin)", { timeout: 20_000 }, () => {
  let server: RunningServer;
  beforeAll(async () => {
    assertBuilt();
    server = await kitServer({ secret: "s3cret" });
  });
  afterAll(() => server?.close());

  it("is the package's bin, with a shebang", () => {
    // A committed shim, so npm links the bin at install time, before any build.
    expect(pkg.bin["fineguide-webhooks"]).toBe("bin/fineguide-webhooks.js");
    const shim = readFileSync(new URL("../../bin/fineguide-webhooks.js", import.meta.url), "utf8");
    expect(shim.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(shim).toContain('await import("../dist/cli.js");');
    expect(readFileSync(CLI, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("prints its usage and exits 2 without a command", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Usage: fineguide-webhooks <command>");
  });

  it("prints help and version", async () => {
    expect(await runCli(["--help"])).toMatchObject({ code: 0 });
    expect(await runCli(["--version"])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it.each(["send", "check", "listen", "load"])("has --help for %s", async (command) => {
    const run = await runCli([command, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: fineguide-webhooks ${command}`);
    expect((await runCli(["help", command])).stdout).toBe(run.stdout);
  });

  it("exits 2 on an unknown command or option, pointing to --help", async () => {
    const unknown = await runCli(["deploy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    const option = await runCli(["send", "--colour"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Run "fineguide-webhooks send --help"');
  });

  it("colours only when asked: FORCE_COLOR on, NO_COLOR wins, plain when piped", async () => {
    const args = ["send", "MESSAGE", "--url", server.url, "--secret", "s3cret"];
    const forced = await runCli(args, { NO_COLOR: undefined, FORCE_COLOR: "1" });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(ESC);
    const both = await runCli(args, { NO_COLOR: "1", FORCE_COLOR: "1" });
    expect(both.stdout).not.toContain(ESC);
    const piped = await runCli(args, { NO_COLOR: undefined });
    expect(piped.stdout).not.toContain(ESC);
  });
});
