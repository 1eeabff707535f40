import type { Logger } from "@fineguide-webhooks/core";

/** A logger that keeps its warnings, for tests that check what a store logged. */
export function recordingLogger() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    error() {},
    warn: (fields, message) => warnings.push({ fields, message: message ?? "" }),
  };
  return { logger, warnings };
}
