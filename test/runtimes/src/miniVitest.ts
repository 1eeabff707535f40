/*
 * The part of vitest's API the contract suite uses (describe, it, it.skip,
 * afterEach, expect with its matchers, expect.poll), small enough to run in
 * any runtime: Bun, Deno, workerd. The runtime bundles alias "vitest" to this
 * file, so the contract suite runs unchanged inside each runtime.
 */

type Fn = () => unknown;
interface Test {
  readonly name: string;
  readonly fn: Fn;
  readonly skip: boolean;
  readonly afterEach: readonly Fn[];
}

const tests: Test[] = [];
const prefix: string[] = [];
const hooks: Fn[][] = [[]];

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  hooks.push([]);
  try {
    body();
  } finally {
    prefix.pop();
    hooks.pop();
  }
}

const register = (name: string, fn: Fn, skip: boolean) => {
  tests.push({ name: [...prefix, name].join(" > "), fn, skip, afterEach: hooks.flat() });
};
export const it = Object.assign((name: string, fn: Fn) => register(name, fn, false), {
  skip: (name: string, fn: Fn) => register(name, fn, true),
});

export function afterEach(fn: Fn): void {
  hooks[hooks.length - 1]?.push(fn);
}

/** One test's result. */
export interface Result {
  readonly name: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly error?: string;
  readonly ms: number;
}

/** Runs every registered test in order (each bounded by `timeoutMs`), then clears them. */
export async function runAll(timeoutMs = 20_000): Promise<Result[]> {
  const results: Result[] = [];
  for (const test of tests.splice(0)) {
    if (test.skip) {
      results.push({ name: test.name, status: "skipped", ms: 0 });
      continue;
    }
    const start = Date.now();
    let error: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(test.fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (caught) {
      error = caught;
    } finally {
      clearTimeout(timer);
    }
    for (const hook of test.afterEach) {
      try {
        await hook();
      } catch (caught) {
        error ??= caught;
      }
    }
    results.push({
      name: test.name,
      status: error === undefined ? "passed" : "failed",
      ms: Date.now() - start,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }
  return results;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
}

// ---------------------------------------------------------------------------
// expect
// ---------------------------------------------------------------------------

const show = (value: unknown): string => {
  try {
    return typeof value === "string"
      ? JSON.stringify(value)
      : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object";

/** vitest's toEqual: recursive, properties holding `undefined` count as absent. */
function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isAsymmetric(b)) return b.matches(a);
  if (!isObject(a) || !isObject(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  }
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ak = keys(a);
  const bk = keys(b);
  return ak.length === bk.length && ak.every((k) => equal(a[k], b[k]));
}

/** vitest's toMatchObject: every property of `expected` matches, recursively. */
function matchesObject(actual: unknown, expected: unknown): boolean {
  if (isAsymmetric(expected)) return expected.matches(actual);
  if (!isObject(expected) || Array.isArray(expected)) return equal(actual, expected);
  if (!isObject(actual)) return false;
  return Object.keys(expected).every((k) => matchesObject(actual[k], expected[k]));
}

interface Asymmetric {
  readonly asymmetric: true;
  matches(actual: unknown): boolean;
}
const isAsymmetric = (value: unknown): value is Asymmetric =>
  isObject(value) && value.asymmetric === true;

type Matchers = {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: unknown): void;
  toContain(expected: unknown): void;
  toMatch(expected: RegExp | string): void;
  toBeDefined(): void;
  toBeGreaterThan(expected: number): void;
  toBeInstanceOf(expected: new (...args: never[]) => unknown): void;
  toHaveLength(expected: number): void;
};

function matchers(actual: unknown, negate: boolean, message?: string): Matchers {
  const check = (pass: boolean, what: string) => {
    if (pass === negate) {
      throw new Error(
        `${message === undefined ? "" : `${message}: `}expected ${show(actual)} ${negate ? "not " : ""}${what}`,
      );
    }
  };
  return {
    toBe: (expected) => check(Object.is(actual, expected), `to be ${show(expected)}`),
    toEqual: (expected) => check(equal(actual, expected), `to equal ${show(expected)}`),
    toMatchObject: (expected) =>
      check(matchesObject(actual, expected), `to match object ${show(expected)}`),
    toContain: (expected) =>
      check(
        typeof actual === "string"
          ? actual.includes(String(expected))
          : Array.isArray(actual) && actual.includes(expected),
        `to contain ${show(expected)}`,
      ),
    toMatch: (expected) =>
      check(
        typeof actual === "string" &&
          (typeof expected === "string" ? actual.includes(expected) : expected.test(actual)),
        `to match ${String(expected)}`,
      ),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeGreaterThan: (expected) =>
      check(typeof actual === "number" && actual > expected, `to be greater than ${expected}`),
    toBeInstanceOf: (expected) =>
      check(actual instanceof expected, `to be an instance of ${expected.name}`),
    toHaveLength: (expected) =>
      check(
        isObject(actual) && (actual as { length?: unknown }).length === expected,
        `to have length ${expected}`,
      ),
  };
}

type Expect = ((actual: unknown, message?: string) => Matchers & { not: Matchers }) & {
  poll(
    fn: () => unknown,
    options?: { timeout?: number; interval?: number },
  ): { toBe(expected: unknown): Promise<void> };
  arrayContaining(expected: readonly unknown[]): Asymmetric;
};

export const expect: Expect = Object.assign(
  (actual: unknown, message?: string) =>
    Object.assign(matchers(actual, false, message), { not: matchers(actual, true, message) }),
  {
    poll(fn: () => unknown, options: { timeout?: number; interval?: number } = {}) {
      return {
        async toBe(expected: unknown): Promise<void> {
          const deadline = Date.now() + (options.timeout ?? 1000);
          let last: unknown;
          for (;;) {
            last = await fn();
            if (Object.is(last, expected)) return;
            if (Date.now() > deadline) {
              throw new Error(`expect.poll: ${show(last)} never became ${show(expected)}`);
            }
            await new Promise((resolve) => setTimeout(resolve, options.interval ?? 50));
          }
        },
      };
    },
    arrayContaining(expected: readonly unknown[]): Asymmetric {
      return {
        asymmetric: true,
        matches: (actual) =>
          Array.isArray(actual) && expected.every((e) => actual.some((a) => equal(a, e))),
      };
    },
  },
);
