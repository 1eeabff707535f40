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

/**
 * One vitest project per package; workspace imports resolve to sources so a
 * change in core is seen by every package's tests without a rebuild.
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
          ],
        },
      },
    ],
  },
});
