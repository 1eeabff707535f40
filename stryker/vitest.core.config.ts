import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import workspace, { setupFiles } from "../vitest.config.js";

/** Core's tests only, for `npm run mutation` (Stryker runs them against each core mutant). */
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: workspace.resolve,
  test: {
    // One module graph for all the test files of a mutant's run: importing core once instead of
    // once per file makes each run several times faster. Tests must not leak state across files.
    isolate: false,
    include: ["packages/core/src/**/*.test.ts"],
    setupFiles: ["stryker/vitest4.setup.ts", "stryker/fastCheck.setup.ts", ...setupFiles],
  },
});
