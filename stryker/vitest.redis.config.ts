import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import workspace, { setupFiles } from "../vitest.config.js";

/**
 * The Redis store's tests, for `npm run mutation`. The two-receiver test is
 * left out: its receivers run in child processes, where no mutant is active.
 */
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: workspace.resolve,
  test: {
    // One module graph for all the test files of a mutant's run: importing core once instead of
    // once per file makes each run several times faster. Tests must not leak state across files.
    isolate: false,
    setupFiles: ["stryker/vitest4.setup.ts", "stryker/fastCheck.redis.setup.ts", ...setupFiles],
    include: ["packages/redis/src/**/*.test.ts"],
    exclude: ["packages/redis/src/twoReceivers.test.ts"],
  },
});
