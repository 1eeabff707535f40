import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { curlCommand } from "./curlCommand.js";

const run = promisify(execFile);

describe("curlCommand", () => {
  it("quotes every part for a POSIX shell, single quotes included", async () => {
    const body = JSON.stringify({ type: "TICKET", customerMessage: 'it\'s $HOME `id` "quoted"' });
    const command = curlCommand({
      url: "http://127.0.0.1:1/webhook",
      header: "x-webhook-secret",
      secret: { literal: "a'b" },
      body,
    });
    // The same words, echoed by the shell instead of sent by curl.
    const echoed = await run("sh", ["-c", command.replace(/^curl /, "printf '%s\\n' ")]);
    expect(echoed.stdout.split("\n")).toEqual([
      "-sS",
      "-i",
      "-X",
      "POST",
      "http://127.0.0.1:1/webhook",
      "-H",
      "content-type: application/json",
      "-H",
      "x-webhook-secret: a'b",
      "--data",
      body,
      "",
    ]);
  });

  it("reads the secret from a shell variable when asked, without printing it", async () => {
    const command = curlCommand({
      url: "http://127.0.0.1:1/webhook",
      header: "x-webhook-secret",
      secret: { fromShell: "FINEGUIDE_WEBHOOK_SECRET" },
      body: "{}",
    });
    const echoed = await run("sh", ["-c", command.replace(/^curl /, "printf '%s\\n' ")], {
      env: { ...process.env, FINEGUIDE_WEBHOOK_SECRET: "from-env" },
    });
    expect(echoed.stdout).toContain("x-webhook-secret: from-env\n");
    expect(command).not.toContain("from-env");
  });
});
