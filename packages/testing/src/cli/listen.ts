import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import {
  BODY_TOO_LARGE,
  createWebhooks,
  readLimited,
  type WebhookResponse,
} from "@fineguide-webhooks/core";
import { isProbeEvent } from "../check/probeMarks.js";
import { EXIT, httpUrl, positiveInt, SECRET_ENV, secretFrom, UsageError, usage } from "./args.js";
import { type ForwardResult, forward } from "./forward.js";
import { createInspector, UI_PATH } from "./listenUi.js";
import { type Io, ms, type Paint, painter } from "./output.js";

export const listenHelp = `Usage: fineguide-webhooks listen [options]

A local receiver, like a local webhook.site: every delivery (any path) goes
through the kit's own receiver and is printed with its verdict (status,
outcome, validation issues) and payload. With --forward-to, each delivery is
also sent on, as received, to your app, and the sender gets your app's answer.
The secret is never printed. Stop with Ctrl+C.

Options:
  --port P              port to listen on (default: 8787; 0 picks a free one)
  --host H              address to bind (default: 127.0.0.1)
  --secret S            the secret to expect (default: $${SECRET_ENV}); without
                        one, every delivery is accepted (with a warning)
  --header NAME         the secret header's name (default: x-webhook-secret)
  --forward-to URL      also deliver each request to URL and answer with its reply
  --max-body-bytes N    largest accepted body (default: 1048576)
  --timeout MS          how long to wait for the forward target (default: 30000)
  --ui                  also serve a live inspector page at /_ui/ (deliveries as
                        they arrive, verdicts, failing paths, filters, replay to
                        --forward-to, copy as curl); the secret is never shown
  --json                one JSON line per delivery (and one when listening)
  -h, --help            this help
`;

/** One delivery as `listen` prints it (and `--json` writes it). */
export interface DeliveryLog {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly outcome: string;
  readonly type?: string;
  /** Sent by `fineguide-webhooks check` (botId PROBE_BOT_ID). */
  readonly probe?: true;
  readonly issues?: readonly { path: readonly (string | number)[]; message: string }[];
  readonly error?: string;
  readonly headers: Record<string, string>;
  readonly payload?: unknown;
  readonly forward?: Omit<ForwardResult, "headers" | "body">;
}

const decoder = new TextDecoder();
/** Payloads longer than this are cut when printed for people (not in --json). */
const MAX_PRINTED = 4000;

function headerRecord(req: IncomingMessage, secretHeader: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key] =
      key === secretHeader ? "[redacted]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function parsePayload(raw: Uint8Array | undefined): unknown {
  if (raw === undefined || raw.byteLength === 0) return undefined;
  const text = decoder.decode(raw);
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  }
}

function describeResponse(res: WebhookResponse): Pick<DeliveryLog, "issues" | "error"> {
  try {
    const body = JSON.parse(res.body) as {
      error?: { message?: string; issues?: DeliveryLog["issues"] };
    };
    return {
      ...(body.error?.message ? { error: body.error.message } : {}),
      ...(body.error?.issues ? { issues: body.error.issues } : {}),
    };
  } catch {
    return {};
  }
}

function printHuman(io: Io, paint: Paint, log: DeliveryLog): void {
  const at = new Date(log.at);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
  const ok = log.status >= 200 && log.status < 300;
  const status = paint(ok ? "green" : "red", `${log.status} ${log.outcome}`);
  const type = log.type ? `  ${paint("bold", log.type)}` : "";
  const probe = log.probe ? `  ${paint("dim", "(check probe)")}` : "";
  io.stdout.write(`${paint("dim", time)}  ${log.method} ${log.path}  ${status}${type}${probe}\n`);
  if (log.error && !ok) io.stdout.write(`    ${paint("red", log.error)}\n`);
  for (const issue of log.issues ?? []) {
    io.stdout.write(
      `    ${paint("red", "✗")} ${issue.path.join(".") || "(root)"}: ${issue.message}\n`,
    );
  }
  if (log.payload !== undefined) {
    const text =
      typeof log.payload === "string" ? log.payload : JSON.stringify(log.payload, null, 2);
    const shown =
      text.length > MAX_PRINTED
        ? `${text.slice(0, MAX_PRINTED)}… (${text.length} characters)`
        : text;
    io.stdout.write(`${shown.replace(/^/gm, "    ")}\n`);
  }
  if (log.forward) {
    const f = log.forward;
    const result =
      f.status === undefined
        ? paint("red", f.error ?? "failed")
        : paint(f.status >= 200 && f.status < 300 ? "green" : "red", `${f.status}`);
    io.stdout.write(`    → ${f.url}  ${result}  ${ms(f.durationMs)}\n`);
  }
}

/** Whether `host` only accepts connections from this machine. */
const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || host.startsWith("127.");

/** `fineguide-webhooks listen`: resolves when the server stops (SIGINT/SIGTERM). */
export async function listen(argv: readonly string[], io: Io): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        secret: { type: "string" },
        header: { type: "string" },
        "forward-to": { type: "string" },
        "max-body-bytes": { type: "string" },
        timeout: { type: "string" },
        ui: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(listenHelp);
    return EXIT.ok;
  }
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError("--port must be an integer from 0 to 65535.");
  }
  const host = values.host ?? "127.0.0.1";
  const target =
    values["forward-to"] === undefined ? undefined : httpUrl(values["forward-to"], "--forward-to");
  const timeoutMs = positiveInt(values.timeout, "--timeout", 30_000);
  const secret = secretFrom(values.secret, io);
  const webhooks = createWebhooks({
    ...(secret === undefined ? { allowUnauthenticated: true } : { secret }),
    ...(values.header === undefined ? {} : { header: values.header }),
    maxBodyBytes: positiveInt(values["max-body-bytes"], "--max-body-bytes", 1024 * 1024),
  });
  const paint = painter(io.stdout, io.env);
  const warn = painter(io.stderr, io.env);
  if (secret === undefined) {
    io.stderr.write(
      `${warn("yellow", "warning:")} no --secret (or ${SECRET_ENV}): accepting every delivery without a secret check.\n`,
    );
  }

  const inspector = values.ui
    ? createInspector({
        ...(target === undefined ? {} : { forwardTo: target }),
        secretHeader: webhooks.secretHeader,
        timeoutMs,
        loopbackOnly: isLoopback(host),
      })
    : undefined;
  let url = "";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (inspector?.owns(new URL(req.url ?? "/", "http://x").pathname)) {
      return inspector.handle(req, res, url);
    }
    const arrived = new Date();
    const method = req.method ?? "GET";
    const head = { method, headers: req.headers };
    let raw: Uint8Array | undefined;
    let answer = target ? undefined : webhooks.preflight(head);
    if (answer) {
      req.resume();
    } else {
      const body = await readLimited(req, webhooks.maxBodyBytes);
      if (body === BODY_TOO_LARGE) req.resume();
      else raw = body;
      answer = await webhooks.receive({ method, headers: req.headers, body });
    }
    const payload = parsePayload(raw);
    const fwd =
      target && raw !== undefined
        ? await forward(target, method, req.headers, raw, timeoutMs)
        : undefined;

    const type =
      payload !== null &&
      typeof payload === "object" &&
      typeof (payload as { type?: unknown }).type === "string"
        ? (payload as { type: string }).type
        : undefined;
    const log: DeliveryLog = {
      at: arrived.toISOString(),
      method,
      path: req.url ?? "/",
      status: answer.status,
      outcome: answer.outcome,
      ...(type === undefined ? {} : { type }),
      ...(isProbeEvent(payload) ? { probe: true as const } : {}),
      ...describeResponse(answer),
      headers: headerRecord(req, webhooks.secretHeader),
      ...(payload === undefined ? {} : { payload }),
      ...(fwd
        ? {
            forward: {
              url: fwd.url,
              durationMs: fwd.durationMs,
              ...(fwd.status === undefined ? { error: fwd.error } : { status: fwd.status }),
            },
          }
        : {}),
    };
    inspector?.record(log, req.headers, raw);
    if (values.json) io.stdout.write(`${JSON.stringify(log)}\n`);
    else printHuman(io, paint, log);

    if (fwd?.status !== undefined) {
      res.writeHead(fwd.status, fwd.headers).end(fwd.body);
    } else if (fwd) {
      res.writeHead(502, { "content-type": "application/json; charset=utf-8" }).end(
        JSON.stringify({
          ok: false,
          error: { code: "forward_failed", message: "The forward target did not answer." },
        }),
      );
    } else {
      res.writeHead(answer.status, answer.headers).end(answer.body);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      io.stderr.write(`error: ${(error as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new UsageError(`port ${port} is in use; pick another with --port.`)
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${shownHost}:${address.port}`;
  const ui = inspector ? `${url}${UI_PATH}` : undefined;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ listening: url, secretHeader: webhooks.secretHeader, ...(target ? { forwardTo: target } : {}), ...(ui ? { ui } : {}) })}\n`,
    );
  } else {
    io.stdout.write(
      `${paint("bold", "Listening on")} ${url} (any path; secret header ${webhooks.secretHeader})\n` +
        (target ? `Forwarding every delivery to ${target}\n` : "") +
        (ui ? `Inspector page: ${ui}\n` : "") +
        `${paint("dim", "Press Ctrl+C to stop.")}\n\n`,
    );
  }

  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close(() => resolve(EXIT.ok));
      server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
