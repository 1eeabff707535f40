import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = [
  "core",
  "express",
  "hono",
  "fastify",
  "redis",
  "testing",
  "otel",
  "bullmq",
  "sql",
];

/** Setup files of every test run, the mutation runs' too (see below). */
export const setupFiles = ["test/setup/restoreFetchGlobals.ts", "test/setup/strictToThrow.ts"];

/**
 * One vitest project per package; workspace imports resolve to sources so a
 * change in core is seen by every package's tests without a rebuild.
 *
 * Test files share their worker's modules (`isolate: false`): importing zod,
 * the frameworks and the kit once per worker instead of once per file halves
 * the run. Tests must therefore leave globals as they found them; the global
 * `Request` and `Response`, which @hono/node-server replaces when it serves,
 * are handed back after each file by `test/setup/restoreFetchGlobals.ts`.
 * `test/setup/strictToThrow.ts` makes `toThrow("text")` fail when nothing
 * (undefined or null) was thrown, which vitest lets pass.
 * At least two workers, not vitest's default of cores - 1 (one on a 2-core
 * machine): most tests wait on sockets, child processes and servers rather
 * than on the CPU.
 */
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@fineguide-webhooks\/core\/(fetch|node|json-schema)$/,
        replacement: `${root}packages/core/src/$1.ts`,
      },
      {
        find: /^@fineguide-webhooks\/testing\/contract$/,
        replacement: `${root}packages/testing/src/contract/index.ts`,
      },
      {
        find: /^@fineguide-webhooks\/sql\/(postgres|sqlite)$/,
        replacement: `${root}packages/sql/src/$1/index.ts`,
      },
      {
        find: /^@fineguide-webhooks\/(core|express|hono|fastify|redis|testing|otel|bullmq|sql)$/,
        replacement: `${root}packages/$1/src/index.ts`,
      },
    ],
  },
  test: {
    isolate: false,
    setupFiles,
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          include: [`packages/${name}/src/**/*.test.ts`],
        },
      })),
      {
        extends: true as const,
        test: {
          name: "examples",
          include: [
            "examples/*/src/**/*.test.ts",
            "bench/src/**/*.test.ts",
            "reliability/src/**/*.test.ts",
            "test/**/*.test.ts",
          ],
        },
      },
    ],
  },
});
