/**
 * This package's version, reported as the instrumentation scope's version.
 *
 * @example
 * ```ts
 * import { VERSION } from "@fineguide-webhooks/otel";
 * VERSION; // "0.1.0"
 * ```
 */
export const VERSION = "0.1.0";
