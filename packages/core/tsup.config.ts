import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "json-schema": "src/json-schema.ts",
    fetch: "src/fetch.ts",
    node: "src/node.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Keep `node:` in imports (tsup strips it by default): bare `crypto` can resolve to a polyfill.
  removeNodeProtocol: false,
});
