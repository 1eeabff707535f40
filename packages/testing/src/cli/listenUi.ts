import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ERRORS, EVENT_TYPES } from "@fineguide-webhooks/core";
import { forward, type IncomingHeaders } from "./forward.js";
import type { DeliveryLog } from "./listen.js";

/** Where the inspector's page and its endpoints live on the listener. */
export const UI_PATH = "/_ui/";

/** The kit receiver's verdict on a delivery, as the page shows and filters it. */
export type Verdict = "processed" | "duplicate" | "invalid" | "unauthorized" | "error";

/** A delivery as the page gets it: the printed log, an id and a verdict. */
export interface InspectorEntry extends DeliveryLog {
  readonly id: number;
  readonly verdict: Verdict;
}

/** How {@link createInspector} is set up. */
export interface InspectorOptions {
  /** Where replays go (the `--forward-to` URL); without it, no replay. */
  readonly forwardTo?: string;
  readonly secretHeader: string;
  readonly timeoutMs: number;
  /** Answer only requests whose Host is a loopback name (against DNS rebinding). */
  readonly loopbackOnly: boolean;
  /** Deliveries kept for the page and for replays (default 500). */
  readonly keep?: number;
}

/** The inspector of `listen --ui`. */
export interface Inspector {
  /** Whether `path` is one of the inspector's (the page, its files, its endpoints). */
  owns(path: string): boolean;
  /** Serves the page, its files, the event stream and replays. */
  handle(req: IncomingMessage, res: ServerResponse, listening: string): Promise<void>;
  /** Keeps a delivery and pushes it to every open page. */
  record(log: DeliveryLog, headers: IncomingHeaders, body: Uint8Array | undefined): InspectorEntry;
}

/**
 * The verdict for a receiver outcome: `processed` (and unknown types),
 * `duplicate`, `unauthorized`, `invalid` (any 4xx: method, media type, size,
 * JSON, type, schema) or `error` (5xx: store, handler, shutdown).
 *
 * @example
 * ```ts
 * verdictOf("invalid_payload"); // "invalid"
 * ```
 */
export function verdictOf(outcome: string): Verdict {
  if (outcome === "processed" || outcome === "unknown_type") return "processed";
  if (outcome === "duplicate" || outcome === "unauthorized") return outcome;
  const known = Object.hasOwn(ERRORS, outcome) ? ERRORS[outcome as keyof typeof ERRORS] : undefined;
  return known && known.status < 500 ? "invalid" : "error";
}

const FILES: Record<string, string> = {
  "": "text/html; charset=utf-8",
  "inspector.js": "text/javascript; charset=utf-8",
  "inspector.css": "text/css; charset=utf-8",
};

/** The page's files: beside this module in src/cli/ui, or from dist/cli.js at ../src/cli/ui. */
function readPage(): Map<string, string> {
  for (const base of ["./ui/", "../src/cli/ui/"]) {
    try {
      const dir = new URL(base, import.meta.url);
      return new Map(
        Object.keys(FILES).map((name) => [
          name,
          readFileSync(new URL(name || "index.html", dir), "utf8"),
        ]),
      );
    } catch {
      // Try the next place.
    }
  }
  throw new Error("the inspector page (src/cli/ui) is missing from this install.");
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The header a replay must carry: a page on another origin cannot send it without a preflight. */
export const REPLAY_HEADER = "x-fineguide-inspector";

const json = (res: ServerResponse, status: number, value: unknown) =>
  res
    .writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" })
    .end(JSON.stringify(value));

/**
 * The local inspector page served by `fineguide-webhooks listen --ui`: every
 * delivery is kept (the last `keep`) and streamed to open pages as
 * server-sent events; a page can replay one to the forward target. The page
 * sees headers with the secret redacted; only replays, made here, send it.
 *
 * @example
 * ```ts
 * const inspector = createInspector({ secretHeader: "x-webhook-secret", timeoutMs: 30_000, loopbackOnly: true });
 * if (inspector.owns(req.url)) return inspector.handle(req, res, "http://127.0.0.1:8787");
 * ```
 */
export function createInspector(options: InspectorOptions): Inspector {
  const page = readPage();
  const keep = options.keep ?? 500;
  const kept: { entry: InspectorEntry; headers: IncomingHeaders; body: Uint8Array }[] = [];
  const streams = new Set<ServerResponse>();
  let nextId = 1;
  const event = (entry: InspectorEntry) => `event: delivery\ndata: ${JSON.stringify(entry)}\n\n`;

  const hostAllowed = (req: IncomingMessage) => {
    if (!options.loopbackOnly) return true;
    const host = (req.headers.host ?? "").toLowerCase();
    return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  };

  return {
    owns: (path) => path === "/_ui" || path.startsWith(UI_PATH),

    async handle(req, res, listening) {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (!hostAllowed(req)) return void json(res, 403, { error: "Open the page on 127.0.0.1." });
      if (path === "/_ui") return void res.writeHead(308, { location: UI_PATH }).end();
      const name = path.slice(UI_PATH.length);
      if (req.method === "GET" && Object.hasOwn(FILES, name)) {
        res.writeHead(200, { ...SECURITY_HEADERS, "content-type": FILES[name]! });
        return void res.end(page.get(name));
      }
      if (req.method === "GET" && name === "config") {
        return void json(res, 200, {
          listening,
          secretHeader: options.secretHeader,
          forwardTo: options.forwardTo ?? null,
          types: EVENT_TYPES,
        });
      }
      if (req.method === "GET" && name === "events") {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          "content-type": "text/event-stream; charset=utf-8",
          connection: "keep-alive",
        });
        res.write("retry: 1000\n\n");
        for (const { entry } of kept) res.write(event(entry));
        res.write("event: ready\ndata: {}\n\n");
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return;
      }
      const replay = /^replay\/(\d+)$/.exec(name);
      if (replay && req.method === "POST") {
        req.resume();
        if (req.headers[REPLAY_HEADER] !== "replay") {
          return void json(res, 403, { error: `A replay needs the header ${REPLAY_HEADER}.` });
        }
        if (!options.forwardTo) {
          return void json(res, 409, { error: "Start listen with --forward-to to replay." });
        }
        const found = kept.find((k) => k.entry.id === Number(replay[1]));
        if (!found) return void json(res, 404, { error: "That delivery is no longer kept." });
        const { method } = found.entry;
        const answer = await forward(
          options.forwardTo,
          method,
          found.headers,
          found.body,
          options.timeoutMs,
        );
        const { headers: _headers, ...rest } = answer;
        return void json(res, 200, {
          ...rest,
          ...(rest.body !== undefined && rest.body.length > 4000
            ? { body: `${rest.body.slice(0, 4000)}…` }
            : {}),
        });
      }
      json(res, 404, { error: "Not an inspector path." });
    },

    record(log, headers, body) {
      const entry: InspectorEntry = { id: nextId++, verdict: verdictOf(log.outcome), ...log };
      kept.push({ entry, headers, body: body ?? new Uint8Array() });
      if (kept.length > keep) kept.shift();
      for (const stream of streams) stream.write(event(entry));
      return entry;
    },
  };
}
