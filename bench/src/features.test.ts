import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const bench = fileURLToPath(new URL("./features.ts", import.meta.url));

// Only that `npm run bench:features` works: every variant runs and processes every delivery,
// and the SDK variant exports spans (the bench exits 1 otherwise). At one round of 10 ms the
// figures are noise; they are the bench's to judge, not this test's.
describe("bench:features", () => {
  it("runs every variant, each delivery processed", { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", bench], {
      env: { ...process.env, BENCH_ROUNDS: "1", BENCH_TIME_MS: "10" },
    });
    const rows = stdout.split("\n").filter((line) => /^\| [^-v]/.test(line));
    expect(rows.map((row) => row.split(" | ")[0]!.slice(2))).toEqual([
      "plain",
      "onOutcome",
      "aroundHandlers",
      "ctx reads",
      "instrument(), no SDK",
      "instrument(), SDK",
    ]);
    expect(stdout).not.toContain("!!");
  });
});
