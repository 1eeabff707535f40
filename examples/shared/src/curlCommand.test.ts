import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { curlCommand } from "./curlCommand.js";

const run = promisify(execFile);

/** The words the shell would hand to curl, one per line. */
const words = async (command: string, env: NodeJS.ProcessEnv = {}) =>
  (
    await run("sh", ["-c", command.replace(/^curl /, "printf '%s\\n' ")], {
      env: { ...process.env, ...env },
    })
  ).stdout.split("\n");

describe("curlCommand", () => {
  it("POSTs the body as JSON, every part quoted for a POSIX shell", async () => {
    const body = JSON.stringify({ variables: { note: 'it\'s $HOME `id` "quoted"' } });
    const command = curlCommand({
      url: "http://127.0.0.1:1/webhook",
      header: "x-webhook-secret",
      secret: { literal: "a'b" },
      body,
    });
    expect(await words(command)).toEqual([
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

  it("GETs without a body, the secret read from the shell and never printed", async () => {
    const command = curlCommand({
      url: "http://127.0.0.1:1/bots/b/sessions/s/variables",
      header: "x-webhook-secret",
      secret: { fromShell: "FINEGUIDE_WEBHOOK_SECRET" },
    });
    expect(command).not.toContain("from-env");
    expect(await words(command, { FINEGUIDE_WEBHOOK_SECRET: "from-env" })).toEqual([
      "-sS",
      "-i",
      "http://127.0.0.1:1/bots/b/sessions/s/variables",
      "-H",
      "x-webhook-secret: from-env",
      "",
    ]);
  });
});
