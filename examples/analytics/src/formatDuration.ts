/**
 * A duration as people read it, to the second: `45 s`, `4 min 12 s`,
 * `2 h 5 min`, `3 d 4 h`; under a second, `< 1 s`.
 *
 * @example
 * ```ts
 * formatDuration(252_000); // "4 min 12 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return "< 1 s";
  const seconds = Math.round(ms / 1_000);
  const [d, h, m, s] = [
    Math.floor(seconds / 86_400),
    Math.floor(seconds / 3_600) % 24,
    Math.floor(seconds / 60) % 60,
    seconds % 60,
  ];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

/**
 * The same duration in ISO 8601, for `<time datetime>`: `PT252S`.
 *
 * @example
 * ```ts
 * isoDuration(252_000); // "PT252S"
 * ```
 */
export function isoDuration(ms: number): string {
  return `PT${Math.round(ms / 1_000)}S`;
}
