import { UsageError } from "./args.js";

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

/** A `--set` value: JSON when it parses (numbers, true, null, objects), else the text. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Applies `path=value` (dotted path, e.g. `props.campaign=spring`) to a copy of
 * `target`, creating objects on the way.
 */
export function setPath(
  target: Record<string, unknown>,
  assignment: string,
): Record<string, unknown> {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set "${assignment}" must look like path=value.`);
  const path = assignment.slice(0, eq).split(".");
  if (path.some((key) => key === "" || FORBIDDEN.has(key))) {
    throw new UsageError(`--set "${assignment}": invalid path.`);
  }
  const value = parseValue(assignment.slice(eq + 1));
  const copy = structuredClone(target);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return copy;
}
