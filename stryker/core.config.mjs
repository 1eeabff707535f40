import { mutation } from "./base.mjs";

/** Core's contract files, against core's own tests. */
export default {
  ...mutation("core", [
    "packages/core/src/receive.ts",
    "packages/core/src/deliver.ts",
    "packages/core/src/close.ts",
    "packages/core/src/options.ts",
    "packages/core/src/dedupe/memoryStore.ts",
    "packages/core/src/dedupe/fingerprint.ts",
    "packages/core/src/dedupe/defaultKeys.ts",
    "packages/core/src/http/secret.ts",
    "packages/core/src/http/body.ts",
    "packages/core/src/http/nestsDeeperThan.ts",
  ]),
  ignoreStatic: true,
};
