/**
 * Whether objects and arrays in `value` nest deeper than `max` levels (the
 * body's own object is level 1). Stops at `max`, so its own recursion is
 * bounded whatever the input; a body nested 10,000 levels deep would
 * otherwise overflow the stack of anything that walks it (`JSON.stringify`,
 * fingerprints, a handler's logger).
 *
 * @example
 * ```ts
 * nestsDeeperThan({ a: { b: {} } }, 3); // false
 * nestsDeeperThan({ a: { b: {} } }, 2); // true
 * ```
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeperThan(value[i], max - 1)) return true;
    return false;
  }
  const record = value as Readonly<Record<string, unknown>>;
  for (const key in record) if (nestsDeeperThan(record[key], max - 1)) return true;
  return false;
}
