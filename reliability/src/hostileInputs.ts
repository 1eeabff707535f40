import { randomBytes } from "node:crypto";
import { EVENT_TYPES, type EventType } from "@fineguide-webhooks/core";
import { createEvent, uuid } from "@fineguide-webhooks/testing";

/** The families of hostile requests, with their share of every hundred requests. */
export const HOSTILE_KINDS = {
  "random bytes": 12,
  "mutated JSON": 12,
  "deep nesting": 10,
  "prototype keys": 14,
  "wrong types": 30,
  "huge strings": 2,
  "body stops half way": 8,
  "broken HTTP": 4,
  "refused (method, secret, type)": 8,
} as const;

/** One family of {@link HOSTILE_KINDS}. */
export type HostileKind = keyof typeof HOSTILE_KINDS;

/** One hostile request. */
export interface HostileInput {
  readonly kind: HostileKind;
  /** This input in a few words (never its payload), to name it in a report. */
  readonly label: string;
  /**
   * How it is sent: `http` a whole request; `half-body` the headers and
   * `sendBytes` of the body, then the socket closes; `raw` the body bytes as
   * they are (not even HTTP, or HTTP broken on purpose).
   */
  readonly transport: "http" | "half-body" | "raw";
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** With `half-body`: how many bytes of the body go out before the close. */
  readonly sendBytes?: number;
}

/** Options of {@link createHostileInputs}. */
export interface HostileOptions {
  readonly secret: string;
  /** The receiver's body limit (core's default 1 MiB). */
  readonly maxBodyBytes: number;
}

/** Names on `Object.prototype` (and friends) that naive code looks up by accident. */
const PROTO_NAMES = [
  "constructor",
  "toString",
  "__proto__",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
  "prototype",
] as const;

/** Values (as JSON text) of the wrong type for any field. */
const WRONG_VALUES = [
  "null",
  "0",
  "-1",
  "1.5",
  "-0",
  "1e309",
  "123456789012345678901234567890",
  "true",
  "false",
  "[]",
  "{}",
  '""',
  '"x"',
  '"not-a-uuid"',
  '"\\u0000"',
  "[1,2,3]",
  '{"toString":1}',
  '{"valueOf":{},"toString":"x"}',
  `"${"x".repeat(100_000)}"`,
] as const;

/** Values (as JSON text) that mean harm to objects built from them. */
const PROTO_VALUES = [
  '{"toString":1}',
  '{"toString":1,"valueOf":1}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  "[]",
  "null",
  "1",
] as const;

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const json = (value: unknown) => JSON.stringify(value);

/** JSON text of an object from [key, JSON text] entries, so `__proto__` stays an own key. */
const object = (entries: readonly (readonly [string, string])[]) =>
  `{${entries.map(([key, value]) => `${json(key)}:${value}`).join(",")}}`;

/** The [key, JSON text] entries of a fresh valid event. */
const entriesOf = (type: EventType): [string, string][] =>
  Object.entries(createEvent(type)).map(([key, value]) => [key, json(value)]);

const set = (entries: [string, string][], key: string, value: string): [string, string][] => {
  const out = entries.filter(([k]) => k !== key);
  out.push([key, value]);
  return out;
};

/** Every (type, field, wrong value) combination, enumerated in order. */
const WRONG_TYPE_CASES: readonly (readonly [EventType, string, string])[] = EVENT_TYPES.flatMap(
  (type) =>
    Object.keys(createEvent(type)).flatMap((field) =>
      WRONG_VALUES.map((value) => [type, field, value] as const),
    ),
);

function nested(depth: number, shape: "arrays" | "objects"): string {
  return shape === "arrays"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Where deep nesting goes: a [label, body builder] per place. */
const NEST_PLACES: readonly (readonly [string, (nest: string) => string])[] = [
  ["MESSAGE.message", (n) => object(set(entriesOf("MESSAGE"), "message", n))],
  ["MESSAGE.botId", (n) => object(set(entriesOf("MESSAGE"), "botId", n))],
  ["VARIABLE_UPDATE.variables", (n) => object(set(entriesOf("VARIABLE_UPDATE"), "variables", n))],
  ["CREATE_LEAD.props", (n) => object(set(entriesOf("CREATE_LEAD"), "props", n))],
  ["TICKET.extra field", (n) => object(set(entriesOf("TICKET"), "extra", n))],
  ["RATE_MESSAGE.rating", (n) => object(set(entriesOf("RATE_MESSAGE"), "rating", n))],
  [
    "undocumented type, a field",
    (n) =>
      object([
        ["type", '"CALL_TRANSFERRED"'],
        ["botId", json(uuid())],
        ["sessionId", json(uuid())],
        ["agent", n],
      ]),
  ],
  [
    "undocumented type, sessionId",
    (n) =>
      object([
        ["type", '"CALL_TRANSFERRED"'],
        ["botId", json(uuid())],
        ["sessionId", n],
      ]),
  ],
  ["type", (n) => object([["type", n]])],
  ["the whole body", (n) => n],
];

/** Prototype-key bodies: a [label, body builder] per case. */
const PROTO_CASES: readonly (readonly [string, () => string])[] = [
  ...PROTO_NAMES.map(
    (name) =>
      [
        `type "${name}"`,
        () =>
          object([
            ["type", json(name)],
            ["botId", json(uuid())],
            ["sessionId", json(uuid())],
          ]),
      ] as const,
  ),
  ...PROTO_NAMES.flatMap((name) =>
    PROTO_VALUES.map(
      (value) =>
        [
          `type "${name}", botId and sessionId ${value}`,
          () =>
            object([
              ["type", json(name)],
              ["botId", value],
              ["sessionId", value],
            ]),
        ] as const,
    ),
  ),
  ...EVENT_TYPES.map(
    (type) =>
      [
        `${type} with own __proto__, constructor, hasOwnProperty keys`,
        () =>
          object([
            ...entriesOf(type),
            ["__proto__", '{"polluted":true}'],
            ["constructor", '{"prototype":{"polluted":true}}'],
            ["hasOwnProperty", "1"],
            ["toString", "1"],
            ["valueOf", '"x"'],
          ]),
      ] as const,
  ),
  ...PROTO_VALUES.flatMap((value) => [
    [
      `MESSAGE with messageId ${value}`,
      () => object(set(entriesOf("MESSAGE"), "messageId", value)),
    ] as const,
    [`TICKET with botId ${value}`, () => object(set(entriesOf("TICKET"), "botId", value))] as const,
    [
      `VARIABLE_UPDATE with variables ${value}`,
      () => object(set(entriesOf("VARIABLE_UPDATE"), "variables", value)),
    ] as const,
  ]),
  [
    "VARIABLE_UPDATE, variables with prototype keys",
    () =>
      object(
        set(
          entriesOf("VARIABLE_UPDATE"),
          "variables",
          object([
            ["__proto__", '{"polluted":true}'],
            ["constructor", '{"prototype":{"polluted":true}}'],
            ["hasOwnProperty", "1"],
          ]),
        ),
      ),
  ],
  [
    "CREATE_LEAD, props with prototype keys",
    () =>
      object(
        set(
          entriesOf("CREATE_LEAD"),
          "props",
          object([
            ["__proto__", '{"polluted":true}'],
            ["toString", "1"],
          ]),
        ),
      ),
  ],
  ['only "__proto__": { "type": "MESSAGE" }', () => object([["__proto__", '{"type":"MESSAGE"}']])],
  [
    'type "__proto__" and an own __proto__ key',
    () =>
      object([
        ["type", '"__proto__"'],
        ["__proto__", '{"type":"MESSAGE"}'],
        ["botId", json(uuid())],
        ["sessionId", json(uuid())],
      ]),
  ],
];

/** One character (as JSON text) repeated, and its size in the body: for huge strings. */
const HUGE_UNITS = [
  ["ASCII", "a", 1],
  ["2-byte UTF-8", "é", 2],
  ["4-byte UTF-8", "😀", 4],
  ["\\u0000 escapes", "\\u0000", 6],
  ['\\" escapes', '\\"', 2],
] as const;

/** Broken HTTP, as raw bytes: [label, bytes builder]. */
const BROKEN_HTTP: readonly (readonly [string, (secret: string) => string])[] = [
  ["not HTTP at all", () => "GARBAGE\r\n\r\n"],
  ["binary garbage", () => randomBytes(512).toString("latin1")],
  [
    "Content-Length not a number",
    (s) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nContent-Length: abc\r\n\r\n{}`,
  ],
  [
    "two different Content-Lengths",
    (s) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
  ],
  [
    "a chunk size that is not hex",
    (s) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  ],
  [
    "a header line without a colon",
    (s) => `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nnocolon\r\n\r\n`,
  ],
  [
    "32 kB of headers",
    (s) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nx-big: ${"a".repeat(32_768)}\r\n\r\n`,
  ],
  [
    "Content-Length over the limit, no body",
    (s) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nx-webhook-secret: ${s}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n`,
  ],
];

/**
 * A source of hostile requests, in a fixed mix ({@link HOSTILE_KINDS}); each
 * family walks its own cases in order (every type, field and wrong value in
 * turn), with random ids and random bytes where it says so.
 *
 * @example
 * ```ts
 * const next = createHostileInputs({ secret, maxBodyBytes: 1024 * 1024 });
 * const input = next(); // { kind: "wrong types", label: 'TICKET.botId = null', ... }
 * ```
 */
export function createHostileInputs(options: HostileOptions): () => HostileInput {
  const { secret, maxBodyBytes } = options;
  const headers = { "content-type": "application/json", "x-webhook-secret": secret };
  const cycle = Object.entries(HOSTILE_KINDS).flatMap(([kind, share]) =>
    Array.from({ length: share }, () => kind as HostileKind),
  );
  // Interleave the families rather than sending them in blocks.
  cycle.sort(() => Math.random() - 0.5);
  const counters = new Map<HostileKind, number>();
  let i = 0;

  const http = (kind: HostileKind, label: string, body: string | Buffer): HostileInput => ({
    kind,
    label,
    transport: "http",
    method: "POST",
    headers,
    body: typeof body === "string" ? Buffer.from(body) : body,
  });

  const builders: { readonly [K in HostileKind]: (n: number) => HostileInput } = {
    "random bytes": () => {
      const size = Math.floor(Math.random() * 2048);
      return http("random bytes", `${size} random bytes`, randomBytes(size));
    },
    "mutated JSON": () => {
      const type = pick(EVENT_TYPES);
      const chars = [...json(createEvent(type))];
      const edits = 1 + Math.floor(Math.random() * 5);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(Math.random() * chars.length);
        const op = Math.floor(Math.random() * 3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1)
          chars.splice(at, 0, pick(['"', "{", "}", "[", "]", ":", ",", "\\", "\u0000", "é"]));
        else chars.length = at;
      }
      return http("mutated JSON", `${type} with ${edits} random edits`, chars.join(""));
    },
    "deep nesting": (n) => {
      const [place, build] = NEST_PLACES[n % NEST_PLACES.length]!;
      const shape = Math.floor(n / NEST_PLACES.length) % 2 === 0 ? "arrays" : "objects";
      const depth = [10_000, 10_000, 1_000, 100_000][Math.floor(n / (2 * NEST_PLACES.length)) % 4]!;
      return http(
        "deep nesting",
        `${depth} nested ${shape} in ${place}`,
        build(nested(depth, shape)),
      );
    },
    "prototype keys": (n) => {
      const [label, build] = PROTO_CASES[n % PROTO_CASES.length]!;
      return http("prototype keys", label, build());
    },
    "wrong types": (n) => {
      const [type, field, value] = WRONG_TYPE_CASES[n % WRONG_TYPE_CASES.length]!;
      const shown = value.length > 40 ? `a ${value.length}-byte string` : value;
      return http(
        "wrong types",
        `${type}.${field} = ${shown}`,
        object(set(entriesOf(type), field, value)),
      );
    },
    "huge strings": (n) => {
      const [unitName, unit, unitBytes] = HUGE_UNITS[n % HUGE_UNITS.length]!;
      const over = Math.floor(n / HUGE_UNITS.length) % 2 === 1;
      const target = over
        ? maxBodyBytes + 1 + Math.floor(Math.random() * 64)
        : maxBodyBytes - Math.floor(Math.random() * 64);
      const frame = object(set(entriesOf("MESSAGE"), "message", '"#"'));
      const room = target - Buffer.byteLength(frame) + 1; // the "#" is replaced
      const units = Math.floor(room / unitBytes);
      const text = unit.repeat(units) + "a".repeat(room - units * unitBytes);
      const body = frame.replace('"#"', `"${text}"`);
      return http(
        "huge strings",
        `${unitName} string, body ${over ? "over" : "at or under"} the limit by ${Math.abs(Buffer.byteLength(body) - maxBodyBytes)} bytes`,
        body,
      );
    },
    "body stops half way": (n) => {
      const big = n % 4 === 3;
      const body = Buffer.from(
        big
          ? object(set(entriesOf("MESSAGE"), "message", json("x".repeat(500_000))))
          : json(createEvent(pick(EVENT_TYPES))),
      );
      const fraction = n % 5 === 0 ? 0 : Math.random();
      const sendBytes = Math.floor(body.length * fraction);
      return {
        kind: "body stops half way",
        label: `${sendBytes} of ${body.length} declared bytes, then the socket closes`,
        transport: "half-body",
        method: "POST",
        headers,
        body,
        sendBytes,
      };
    },
    "broken HTTP": (n) => {
      const [label, build] = BROKEN_HTTP[n % BROKEN_HTTP.length]!;
      return {
        kind: "broken HTTP",
        label,
        transport: "raw",
        method: "",
        headers: {},
        body: Buffer.from(build(secret), "latin1"),
      };
    },
    "refused (method, secret, type)": (n) => {
      const body = Buffer.from(json(createEvent(pick(EVENT_TYPES))));
      const cases: readonly [string, string, Record<string, string>][] = [
        ["GET", "GET", headers],
        ["PUT", "PUT", headers],
        ["no secret", "POST", { "content-type": "application/json" }],
        ["wrong secret", "POST", { ...headers, "x-webhook-secret": `${secret}x` }],
        ["content type text/html", "POST", { ...headers, "content-type": "text/html" }],
        ["content type application/xml", "POST", { ...headers, "content-type": "application/xml" }],
      ];
      const [label, method, h] = cases[n % cases.length]!;
      return {
        kind: "refused (method, secret, type)",
        label,
        transport: "http",
        method,
        headers: h,
        body: method === "GET" ? Buffer.alloc(0) : body,
      };
    },
  };

  return () => {
    const kind = cycle[i++ % cycle.length]!;
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    return builders[kind](n);
  };
}
