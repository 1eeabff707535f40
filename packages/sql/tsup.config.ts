import { defineConfig } from "tsup";

export default defineConfig({
  // One entry per driver, so a user of one never loads (or needs the types of) the other.
  entry: {
    index: "src/index.ts",
    postgres: "src/postgres/index.ts",
    sqlite: "src/sqlite/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Keep `node:` in imports (tsup strips it by default): bare `crypto` can resolve to a polyfill.
  removeNodeProtocol: false,
});
