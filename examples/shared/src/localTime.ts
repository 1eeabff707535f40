const two = (n: number) => String(n).padStart(2, "0");

/**
 * Local time as `09:20:35.765`, for log lines.
 *
 * @example
 * ```ts
 * localTime(new Date()); // "09:20:35.765"
 * ```
 */
export function localTime(at: Date): string {
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
}
