/**
 * The logging surface the kit uses: pino, bunyan-style `(obj, msg)` loggers
 * and `console`-like objects with these four methods all fit.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * createWebhooks({ secret, logger: pino() });
 * ```
 */
export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

const noop = () => {};

/** A logger that drops everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
