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

/**
 * The user's logger, made harmless: a log method that throws is ignored, so
 * logging can never change an answer or leave a delivery unanswered.
 */
export function safeLogger(logger: Logger): Logger {
  const guard =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      try {
        logger[level](obj, msg);
      } catch {}
    };
  return { debug: guard("debug"), info: guard("info"), warn: guard("warn"), error: guard("error") };
}
