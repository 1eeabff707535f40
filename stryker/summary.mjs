// Prints the per-file table of the last `npm run mutation` from its JSON reports, and with
// `--survivors` every surviving mutant (file:line, mutator, replacement), for the review.
import { existsSync, readFileSync } from "node:fs";

const reports = ["core", "redis"]
  .map((name) => `reports/mutation/${name}.json`)
  .filter((path) => existsSync(path));
const rows = [];
const survivors = [];
for (const path of reports) {
  const report = JSON.parse(readFileSync(path, "utf8"));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
    const killed = count("Killed", "Timeout");
    const covered = killed + count("Survived");
    rows.push({
      file: file.replace(/^packages\//, ""),
      killed,
      covered,
      survived: count("Survived"),
      noCoverage: count("NoCoverage"),
      score: covered === 0 ? 100 : (100 * killed) / covered,
    });
    for (const m of mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const replacement = (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 70);
      survivors.push(
        `${file}:${m.location.start.line} ${m.status} ${m.mutatorName}: ${replacement}`,
      );
    }
  }
}
if (rows.length === 0) {
  console.error("No reports under reports/mutation/: run `npm run mutation` first.");
  process.exit(1);
}
const width = Math.max(...rows.map((r) => r.file.length));
console.log(`${"file".padEnd(width)}  killed/covered  score  survived  no cov`);
for (const r of rows) {
  const ratio = `${r.killed}/${r.covered}`;
  console.log(
    `${r.file.padEnd(width)}  ${ratio.padStart(14)}  ${r.score.toFixed(1).padStart(5)}  ${String(r.survived).padStart(8)}  ${String(r.noCoverage).padStart(6)}`,
  );
}
if (process.argv.includes("--survivors")) for (const line of survivors) console.log(line);
