import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  bin: Record<string, string>;
  files: string[];
};

/*
 * Issue 13, defects 1 and 9: the bin must be a file that exists at install
 * time (npm links bins during `npm ci`, before `npm test` builds dist/), and a
 * path npm publish keeps as it is.
 */
describe("the fineguide-webhooks bin in the repository", () => {
  it("points at a committed file outside dist/, shipped in files", () => {
    const path = pkg.bin["fineguide-webhooks"];
    expect(path).toBe("bin/fineguide-webhooks.js");
    expect(pkg.files).toContain("bin");
  });

  it("runs with npx at the repository root", { timeout: 30_000 }, async () => {
    const run = await promisify(execFile)("npx", ["--no-install", "fineguide-webhooks", "--help"], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(run.stdout).toContain("Usage: fineguide-webhooks <command>");
  });
});
