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
  /** A logger adding `bindings` to every line (pino's `child`); used for `ctx.logger` when present. */
  child?(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

/** A logger that drops everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The user's logger, made harmless: a log method that throws is ignored, so
 * logging can never change an answer or leave a delivery unanswered.
 */
export function safeLogger(logger: Logger): Logger {
  const guard =
    (level: "debug" | "info" | "warn" | "error") =>
    (obj: Record<string, unknown>, msg?: string): void => {
      try {
        logger[level](obj, msg);
      } catch {}
    };
  const safe: Logger = {
    debug: guard("debug"),
    info: guard("info"),
    warn: guard("warn"),
    error: guard("error"),
  };
  if (typeof logger.child === "function") {
    safe.child = (bindings) => {
      try {
        return safeLogger(logger.child!(bindings));
      } catch {
        return safe;
      }
    };
  }
  return safe;
}
