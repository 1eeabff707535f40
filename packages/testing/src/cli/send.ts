import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { EVENT_TYPES, type EventType, isEventType } from "@fineguide-webhooks/core";
import { createEvent, uuid } from "../factories/createEvent.js";
import { postEvent } from "../requests/postEvent.js";
import {
  EXIT,
  endpointOptions,
  httpUrl,
  positiveInt,
  SECRET_ENV,
  secretFrom,
  UsageError,
  usage,
} from "./args.js";
import { type Io, ms, pad, painter } from "./output.js";
import { setPath } from "./setPath.js";

export const sendHelp = `Usage: fineguide-webhooks send <TYPE...> | --all --url URL [options]

Delivers events to an endpoint the way FineGuide does (one POST each, JSON,
the secret in a header) and prints the status and time of each.

Types: ${EVENT_TYPES.join(", ")}
The events of one run share a botId and sessionId (one conversation), with
fresh messageIds, in the order given.

Options:
  --url URL          the endpoint (required)
  --secret S         the secret header's value (default: $${SECRET_ENV})
  --header NAME      the secret header's name (default: x-webhook-secret)
  --all              send one event of every documented type
  --set path=value   set a field on every event, repeatable; dotted paths
                     (props.campaign=spring); the value is JSON when it
                     parses (rating=-1, name=null), else text
  --file FILE        send the JSON payload(s) in FILE as they are (an object
                     or an array of objects), repeatable; --set applies
  --timeout MS       give up on an answer after MS (default: 30000, the vendor's)
  --json             print one JSON document for machines
  -h, --help         this help

Exit code: 0 when every event got a 2xx, 1 otherwise, 2 on a usage error.

Example:
  fineguide-webhooks send TICKET CREATE_LEAD --url http://127.0.0.1:3000/webhook \\
    --secret s3cret --set customerEmail=ada@example.com
`;

/** Milliseconds since `started`, to a tenth. */
const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

interface SendResult {
  readonly type: string;
  readonly status?: number;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly body?: string;
  readonly error?: string;
}

async function readPayloads(file: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`--file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--file ${file}: not valid JSON.`);
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.some((v) => v === null || typeof v !== "object" || Array.isArray(v))) {
    throw new UsageError(`--file ${file}: expected a JSON object or an array of objects.`);
  }
  return list as Record<string, unknown>[];
}

/** `fineguide-webhooks send`. */
export async function send(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: [...argv],
      options: {
        ...endpointOptions,
        all: { type: "boolean" },
        set: { type: "string", multiple: true },
        file: { type: "string", multiple: true },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(sendHelp);
    return EXIT.ok;
  }
  const url = httpUrl(values.url);
  const secret = secretFrom(values.secret, io);
  const timeoutMs = positiveInt(values.timeout, "--timeout", 30_000);

  const types = positionals.map((t) => t.toUpperCase());
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown event type ${unknown.join(", ")}; documented: ${EVENT_TYPES.join(", ")}.`,
    );
  }
  if (values.all) types.push(...EVENT_TYPES);
  const files = values.file ?? [];
  if (types.length === 0 && files.length === 0) {
    throw new UsageError("name at least one event type, or pass --all or --file.");
  }

  const conversation = { botId: uuid(), sessionId: uuid() };
  let events: Record<string, unknown>[] = types.map(
    (type) => createEvent(type as EventType, conversation) as Record<string, unknown>,
  );
  for (const file of files) events.push(...(await readPayloads(file)));
  for (const assignment of values.set ?? []) {
    events = events.map((event) => setPath(event, assignment));
  }

  const paint = painter(io.stdout, io.env);
  if (!values.json) io.stdout.write(`${paint("bold", "POST")} ${url}\n`);
  const results: SendResult[] = [];
  for (const event of events) {
    const type = typeof event.type === "string" ? event.type : "(no type)";
    const started = performance.now();
    let result: SendResult;
    try {
      const res = await postEvent(url, event, {
        ...(secret === undefined ? {} : { secret }),
        ...(values.header === undefined ? {} : { header: values.header }),
        signal: AbortSignal.timeout(timeoutMs),
        fetch: (target, init) => fetch(target, { ...init, redirect: "manual" }),
      });
      const body = await res.text();
      result = {
        type,
        status: res.status,
        ok: res.ok,
        durationMs: elapsed(started),
        body,
      };
    } catch (error) {
      const err = error as Error;
      const message =
        err.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ""}`;
      result = { type, ok: false, durationMs: elapsed(started), error: message };
    }
    results.push(result);
    if (!values.json) {
      const mark = result.ok ? paint("green", "✓") : paint("red", "✗");
      const status =
        result.status === undefined
          ? paint("red", result.error ?? "failed")
          : paint(result.ok ? "green" : "red", `${result.status}`);
      const detail = result.ok ? "" : `  ${paint("dim", (result.body ?? "").slice(0, 200))}`;
      const line = `  ${mark} ${pad(type, 18)} ${pad(status, 4)} ${pad(ms(result.durationMs), 9)}${detail}`;
      io.stdout.write(`${line.trimEnd()}\n`);
    }
  }

  const delivered = results.filter((r) => r.ok).length;
  const failed = results.length - delivered;
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ url, delivered, failed, results }, null, 2)}\n`);
  } else {
    const summary = `${results.length} sent: ${delivered} delivered, ${failed} failed`;
    io.stdout.write(`${paint(failed === 0 ? "green" : "red", summary)}\n`);
  }
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
