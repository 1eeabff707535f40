import { parseArgs } from "node:util";
import { checkEndpoint, type ProbeResult } from "../check/checkEndpoint.js";
import { PROBE_BOT_ID, PROBE_HEADER } from "../check/probeMarks.js";
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
import { type Io, painter, table } from "./output.js";

export const checkHelp = `Usage: fineguide-webhooks check --url URL [options]

Audits an endpoint, ours or hand-rolled, against every row of the receiver
contract that can be seen from outside: GET (405), missing and wrong secret
(401), content type text/html (415), a 2 MiB body (413), malformed JSON,
an array body, a missing type (400), invalid ids (400), an unknown type (2xx),
the same event twice (2xx, 2xx), and a valid event of every documented type
(2xx). Prints probe / expected / got / verdict for each.

Probe events are marked so the receiver can tell them from real ones: botId
${PROBE_BOT_ID}, the header ${PROBE_HEADER}: check,
text fields saying "fineguide-webhooks check probe", e-mails and URLs on
.invalid domains. Valid probes are processed by the receiver: skip side effects
for that botId.

Options:
  --url URL              the endpoint (required)
  --secret S             the secret it expects (default: $${SECRET_ENV}; required)
  --header NAME          the secret header's name (default: x-webhook-secret)
  --timeout MS           give up on an answer after MS (default: 30000)
  --oversize-bytes N     size of the oversize probe (default: 2097152)
  --json                 print the report as JSON for machines
  -h, --help             this help

Exit code: 0 when every probe passed, 1 on any miss, 2 on a usage error.
`;

/** `fineguide-webhooks check`. */
export async function check(argv: readonly string[], io: Io): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: [...argv],
      options: { ...endpointOptions, "oversize-bytes": { type: "string" } },
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(checkHelp);
    return EXIT.ok;
  }
  const url = httpUrl(values.url);
  const secret = secretFrom(values.secret, io);
  if (secret === undefined) {
    throw new UsageError(`--secret is required (or set ${SECRET_ENV}).`);
  }
  const paint = painter(io.stdout, io.env);
  if (!values.json) {
    io.stdout.write(
      `Auditing ${url} against the receiver contract\n` +
        `${paint("dim", `(probe events carry botId ${PROBE_BOT_ID} and ${PROBE_HEADER}: check)`)}\n\n`,
    );
  }
  const report = await checkEndpoint({
    url,
    secret,
    ...(values.header === undefined ? {} : { header: values.header }),
    timeoutMs: positiveInt(values.timeout, "--timeout", 30_000),
    oversizeBytes: positiveInt(values["oversize-bytes"], "--oversize-bytes", 2 * 1024 * 1024),
  });

  if (values.json) {
    io.stdout.write(`${JSON.stringify({ url, ...report }, null, 2)}\n`);
    return report.ok ? EXIT.ok : EXIT.failed;
  }

  const notes: string[] = [];
  const expected = (r: ProbeResult) => {
    if (r.note === undefined) return r.expected;
    notes.push(r.note);
    return `${r.expected} ${"*".repeat(notes.length)}`;
  };
  const rows = report.results.map((r) => [
    String(r.row),
    r.probe,
    expected(r),
    r.got,
    r.pass ? paint("green", "pass") : paint(["red", "bold"], "MISS"),
  ]);
  io.stdout.write(table(["row", "probe", "expected", "got", "verdict"], rows));
  notes.forEach((note, i) => {
    io.stdout.write(`${paint("dim", `  ${"*".repeat(i + 1)} ${note}`)}\n`);
  });
  const missed = report.results.filter((r) => !r.pass).map((r) => r.probe);
  const total = report.results.length;
  io.stdout.write(
    missed.length === 0
      ? `\n${paint("green", `${total} of ${total} probes passed.`)}\n`
      : `\n${paint("red", `${report.passed} of ${total} probes passed; missed: ${missed.join(", ")}.`)}\n`,
  );
  return report.ok ? EXIT.ok : EXIT.failed;
}
