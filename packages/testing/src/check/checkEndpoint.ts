import type { ProbeRequest, ProbeResponse, Send } from "../contract/types.js";
import { DEFAULT_SECRET_HEADER } from "../requests/createDelivery.js";
import { meets, PROBES, type Probe } from "./probes.js";

/** Options of {@link checkEndpoint}. */
export interface CheckOptions {
  /** The endpoint to audit. Required unless `send` is given. */
  readonly url?: string;
  /** How to reach the receiver instead of `fetch(url)` (e.g. a contract-suite sender). */
  readonly send?: Send;
  /** The secret the receiver expects. */
  readonly secret: string;
  /** The secret header's name. Default `x-webhook-secret`. */
  readonly header?: string;
  /** How long to wait for each answer. Default 30 s, the vendor's timeout. */
  readonly timeoutMs?: number;
  /** The size of the oversize probe. Default 2 MiB (the kit's limit is 1 MiB). */
  readonly oversizeBytes?: number;
  /** Called after each probe, e.g. to print progress. */
  readonly onResult?: (result: ProbeResult) => void;
}

/** The outcome of one probe. */
export interface ProbeResult {
  readonly probe: string;
  /** The receiver contract's row. */
  readonly row: number;
  readonly expected: string;
  /** What came back, e.g. `401 unauthorized` or `200, 200 duplicate`. */
  readonly got: string;
  readonly pass: boolean;
  readonly note?: string;
}

/** Every probe's outcome. */
export interface CheckReport {
  /** True when every probe passed. */
  readonly ok: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly ProbeResult[];
}

/** Sends with the global fetch, each request bounded by `timeoutMs`. */
function fetchSend(url: string, timeoutMs: number): Send {
  return async (req: ProbeRequest): Promise<ProbeResponse> => {
    const res = await fetch(url, {
      method: req.method,
      headers: req.headers,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      ...(req.body === undefined ? {} : { body: req.body as BodyInit }),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { status: res.status, headers, body: await res.text() };
  };
}

/** `401 unauthorized`, `200`, `200 duplicate`: the status and what the body says. */
function describeAnswer(res: ProbeResponse): string {
  let detail = "";
  try {
    const body = JSON.parse(res.body) as {
      error?: { code?: unknown };
      duplicate?: unknown;
    } | null;
    if (typeof body?.error?.code === "string") detail = ` ${body.error.code}`;
    else if (body?.duplicate === true) detail = " duplicate";
  } catch {
    // Not JSON: the status says it all.
  }
  return `${res.status}${detail}`;
}

const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "no answer (timeout)";
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
};

async function runProbe(probe: Probe, send: Send, ctx: Parameters<Probe["steps"]>[0]) {
  const got: string[] = [];
  let pass = true;
  for (const step of probe.steps(ctx)) {
    try {
      const res = await send(step.request);
      got.push(describeAnswer(res));
      if (!meets(step.expect, res.status)) pass = false;
    } catch (error) {
      got.push(describeError(error));
      pass = false;
      break;
    }
  }
  const result: ProbeResult = {
    probe: probe.name,
    row: probe.row,
    expected: probe.expected,
    got: got.join(", "),
    pass,
    ...(probe.note === undefined ? {} : { note: probe.note }),
  };
  return result;
}

/**
 * Audits any receiver, ours or hand-rolled, against the receiver contract:
 * method, missing and wrong secret, content type, oversize body, malformed
 * JSON, non-object body, missing type, invalid ids, unknown type, duplicate,
 * and a valid event of every documented type. Every probe event carries botId
 * `PROBE_BOT_ID` and the header `x-fineguide-webhooks-probe: check`, so the
 * receiver can tell probes from real events. What `fineguide-webhooks check` runs.
 *
 * @example
 * ```ts
 * import { checkEndpoint } from "@fineguide-webhooks/testing";
 *
 * const report = await checkEndpoint({ url: "http://127.0.0.1:3000/webhook", secret });
 * expect(report.results.filter((r) => !r.pass)).toEqual([]);
 * ```
 */
export async function checkEndpoint(options: CheckOptions): Promise<CheckReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let send = options.send;
  if (!send) {
    if (options.url === undefined) throw new TypeError("checkEndpoint: pass `url` or `send`.");
    send = fetchSend(options.url, timeoutMs);
  }
  if (!options.secret) throw new TypeError("checkEndpoint: `secret` must be a non-empty string.");
  const ctx = {
    secret: options.secret,
    header: (options.header ?? DEFAULT_SECRET_HEADER).toLowerCase(),
    oversizeBytes: options.oversizeBytes ?? 2 * 1024 * 1024,
  };
  const results: ProbeResult[] = [];
  for (const probe of PROBES) {
    const result = await runProbe(probe, send, ctx);
    results.push(result);
    options.onResult?.(result);
  }
  const passed = results.filter((r) => r.pass).length;
  return { ok: passed === results.length, passed, failed: results.length - passed, results };
}
