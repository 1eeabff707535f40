import type { Result } from "./miniVitest.js";

/** One line per test, then a closing "N passed, N failed" line. */
export function report(runtime: string, results: readonly Result[]): string {
  const lines = results.map(
    (r) =>
      `${r.status === "passed" ? "✓" : r.status === "skipped" ? "-" : "✗"} ${r.name} (${r.ms} ms)${
        r.error === undefined ? "" : `\n    ${r.error.split("\n").slice(0, 6).join("\n    ")}`
      }`,
  );
  const passed = results.filter((r) => r.status === "passed").length;
  const failed = results.filter((r) => r.status === "failed").length;
  return `${lines.join("\n")}\n${runtime}: ${passed} passed, ${failed} failed\n`;
}
