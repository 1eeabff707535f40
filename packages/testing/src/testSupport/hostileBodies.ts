/*
 * Test-only (not published, not built): authenticated delivery bodies of
 * hostile shapes for the adapters' robustness properties, and a check that an
 * answer has the contract's shape. Uses fast-check, a root devDependency.
 */
import { ERRORS, EVENT_TYPES } from "@fineguide-webhooks/core";
import fc from "fast-check";
import { createEvent } from "../factories/createEvent.js";

/** Names on `Object.prototype` (and `__proto__`), used as `type`, as keys and as values. */
export const PROTOTYPE_NAMES = [
  "constructor",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
  "prototype",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
] as const;

/** How deep the deeply nested values go: far past any parser's or walker's recursion. */
export const HOSTILE_DEPTH = 10_000;

/** JSON text of arrays nested `depth` levels deep: `[[[...]]]`. */
export const deepArrayText = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

/** JSON text of objects nested `depth` levels deep: `{"a":{"a":...{}}}`. */
export const deepObjectText = (depth: number): string =>
  `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;

/** A JSON object's text from entries whose values are already JSON text (kept as written). */
const objectText = (entries: readonly (readonly [string, string])[]): string =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;

/** The JSON text of a value that is hostile where a string (or anything) is expected. */
export const hostileValueText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES).map((name) => JSON.stringify(name)), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '{"toString":1}',
      '{"valueOf":{}}',
      '{"toString":"x","valueOf":"y","toJSON":1}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"length":1e9}',
      "[]",
      '[""]',
      "{}",
      "null",
      "true",
      "0",
      "-0",
      "1e309",
      "-1e309",
      "1e-400",
      "12345678901234567890123",
      '"\\ud800"',
      '"\\u0000"',
      '""',
    ),
    weight: 3,
  },
  // Rarer: they are large (20 to 60 kB), and one in a body is enough.
  { arbitrary: fc.constant(deepArrayText(HOSTILE_DEPTH)), weight: 1 },
  { arbitrary: fc.constant(deepObjectText(HOSTILE_DEPTH)), weight: 1 },
  {
    arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((s) => JSON.stringify(s)),
    weight: 2,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 2 },
);

/** A valid event of any documented type, with ids drawn by fast-check, as [key, JSON text] entries. */
const validEntries: fc.Arbitrary<[string, string][]> = fc
  .record({ type: fc.constantFrom(...EVENT_TYPES), botId: fc.uuid(), sessionId: fc.uuid() })
  .map(({ type, botId, sessionId }) =>
    Object.entries({ ...createEvent(type), botId, sessionId }).map(
      ([key, value]): [string, string] => [key, JSON.stringify(value)],
    ),
  );

/** A key of the event, `type`, or a prototype name (as a new key). */
const someKey = (entries: readonly [string, string][]) =>
  fc.oneof(fc.constantFrom(...entries.map(([key]) => key)), fc.constantFrom(...PROTOTYPE_NAMES));

/**
 * JSON texts of deliveries a receiver must answer without a 5xx and in the
 * contract's shape: prototype names as `type`; a valid event of every type
 * with one field (or every field) replaced by an object, an array, a number,
 * a prototype name, a value nested 10,000 levels deep...; prototype names as
 * keys; duplicate keys; bodies nested 10,000 levels deep; random JSON.
 *
 * @example
 * ```ts
 * await fc.assert(fc.asyncProperty(hostileBodies(), async (body) => {
 *   const res = await post(body); // with the right secret
 *   expect(res.status).toBeLessThan(500);
 * }), { numRuns: 200 });
 * ```
 */
export function hostileBodies(): fc.Arbitrary<string> {
  const prototypeType = fc
    .tuple(validEntries, fc.constantFrom(...PROTOTYPE_NAMES))
    .map(([entries, name]) =>
      objectText(
        entries.map(([k, v]): [string, string] => [k, k === "type" ? JSON.stringify(name) : v]),
      ),
    );
  const oneFieldReplaced = validEntries.chain((entries) =>
    fc.tuple(someKey(entries), hostileValueText).map(([key, value]) => {
      const replaced = entries.filter(([k]) => k !== key);
      return objectText([...replaced, [key, value]]);
    }),
  );
  const everyFieldReplaced = validEntries.chain((entries) =>
    fc
      .array(hostileValueText, { minLength: entries.length, maxLength: entries.length })
      .map((values) => objectText(entries.map(([k], i): [string, string] => [k, values[i]!]))),
  );
  const duplicateKey = validEntries.chain((entries) =>
    fc
      .tuple(someKey(entries), hostileValueText)
      .map(([key, value]) => objectText([...entries, [key, value]])),
  );
  const deepBody = fc.constantFrom(
    deepObjectText(HOSTILE_DEPTH),
    deepArrayText(HOSTILE_DEPTH),
    objectText([
      ["type", '"MESSAGE"'],
      ["a", deepObjectText(HOSTILE_DEPTH)],
    ]),
    `{"type":${deepArrayText(HOSTILE_DEPTH)}}`,
  );
  const randomJson = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .dictionary(fc.constantFrom("type", ...PROTOTYPE_NAMES), hostileValueText)
      .map((d) => objectText(Object.entries(d))),
  );
  return fc.oneof(
    prototypeType,
    oneFieldReplaced,
    everyFieldReplaced,
    duplicateKey,
    deepBody,
    randomJson,
  );
}

/** An answer as a test client saw it. */
export interface SeenAnswer {
  readonly status: number;
  readonly contentType: string | null | undefined;
  readonly body: string;
}

/**
 * What is wrong with an answer's shape under the receiver contract (an empty
 * list when nothing is): a JSON content type; a JSON body that is
 * `{ ok: true }` or `{ ok: true, duplicate: true }` with a 2xx, or
 * `{ ok: false, error: { code, message, issues? } }` with a documented `code`
 * and the status the contract gives that code.
 *
 * @example
 * ```ts
 * expect(contractShapeProblems({ status: res.status, contentType, body })).toEqual([]);
 * ```
 */
export function contractShapeProblems({ status, contentType, body }: SeenAnswer): string[] {
  const problems: string[] = [];
  if (!contentType?.startsWith("application/json")) {
    problems.push(`content type ${String(contentType)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [...problems, `body is not JSON: ${body.slice(0, 80)}`];
  }
  const answer = parsed as { ok?: unknown; duplicate?: unknown; error?: unknown };
  const keys = Object.keys(answer ?? {}).sort();
  if (answer?.ok === true) {
    if (status < 200 || status > 299) problems.push(`ok: true with status ${status}`);
    const expected = answer.duplicate === true ? ["duplicate", "ok"] : ["ok"];
    if (keys.join() !== expected.join()) problems.push(`success body keys ${keys.join()}`);
    return problems;
  }
  if (answer?.ok !== false || keys.join() !== "error,ok") {
    return [...problems, `not a contract body: ${body.slice(0, 80)}`];
  }
  const error = answer.error as { code?: unknown; message?: unknown; issues?: unknown } | null;
  const code = error?.code;
  if (typeof code !== "string" || !Object.hasOwn(ERRORS, code)) {
    return [...problems, `undocumented code ${String(code)}`];
  }
  if (ERRORS[code as keyof typeof ERRORS].status !== status) {
    problems.push(`code ${code} with status ${status}`);
  }
  if (typeof error?.message !== "string") problems.push("no message");
  if (error?.issues !== undefined && !Array.isArray(error.issues)) problems.push("issues");
  const extra = Object.keys(error ?? {}).filter((k) => !["code", "message", "issues"].includes(k));
  if (extra.length > 0) problems.push(`error keys ${extra.join()}`);
  return problems;
}
