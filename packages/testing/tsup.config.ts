import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", contract: "src/contract/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: false,
    sourcemap: true,
    target: "node20",
    removeNodeProtocol: false, // keep `node:` in imports (tsup strips it by default)
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    banner: { js: "#!/usr/bin/env node" },
    sourcemap: true,
    target: "node20",
    removeNodeProtocol: false, // keep `node:` in imports (tsup strips it by default)
  },
]);
