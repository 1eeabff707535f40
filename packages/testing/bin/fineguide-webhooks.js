#!/usr/bin/env node
// The CLI lives in dist/ (built by tsup). This file exists before the build, so
// npm links the bin at install time, in the repository too.
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("cli.js")) {
    console.error("fineguide-webhooks: the CLI is not built yet; run `npm run build` first.");
    process.exit(1);
  }
  throw error;
}
