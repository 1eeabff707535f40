/**
 * What both mutation runs share (`npm run mutation`): Stryker 9 with its vitest
 * runner, each run on one package's tests through its own vitest config.
 *
 * @param {string} name the package, which names its vitest config and its reports
 * @param {string[]} mutate the files whose mutants must be killed
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export const mutation = (name, mutate) => ({
  $schema: "../node_modules/@stryker-mutator/core/schema/stryker-schema.json",
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: `stryker/vitest.${name}.config.ts` },
  mutate,
  coverageAnalysis: "perTest",
  concurrency: 2,
  // A full core run takes about 55 min on a loaded 2-core machine (1,200 mutants). To iterate,
  // pass `--incremental` (results kept in reports/stryker-incremental.json, not committed):
  // mutants whose code and covering tests did not change keep their result, and
  // `--mutate file.ts` or `file.ts:10-40` narrows a run without forgetting the other files.
  incremental: false,
  // A mutant that leaves a delivery unanswered makes its test hang: vitest's own 5 s test
  // timeout fails it first (killed, cheap) rather than Stryker's, which restarts the runner.
  timeoutMS: 10_000,
  timeoutFactor: 1.5,
  // Only what the tests need goes into the sandboxes.
  ignorePatterns: [
    "/bench",
    "/reliability",
    "/examples",
    "/packages/express",
    "/packages/hono",
    "/packages/fastify",
    "/packages/*/dist",
  ],
  tempDirName: `.stryker-tmp/${name}`,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { reportMutants: false, reportTests: false, logTests: false },
  thresholds: { high: 90, low: 80, break: null },
});
