import { parseArgs } from "node:util";
import { EXIT, positiveInt, UsageError, usage } from "./args.js";
import { type Io, painter, table } from "./output.js";

/** The package behind `queue`: loaded only when the command runs (an optional peer). */
export const BULLMQ_KIT = "@fineguide-webhooks/bullmq";
type BullmqKit = typeof import("@fineguide-webhooks/bullmq");

export const queueHelp = `Usage: fineguide-webhooks queue <status | failed | replay <ID> | replay --all> [options]

Looks after the queue of @fineguide-webhooks/bullmq (the hand-off of events to
workers): job counts, the dead letters (jobs that used up their attempts, with
their error), and replays them once the handler or the downstream is fixed.
Needs @fineguide-webhooks/bullmq and bullmq installed next to this package.

Commands:
  status             job counts by state (waiting, active, delayed, failed, ...)
  failed             the failed jobs, newest first: id, type, attempts, when, error
  replay <ID>        move one failed job back to the queue, attempts reset
  replay --all       replay every failed job

Options:
  --redis URL        the Redis (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue NAME       the queue's name (default: fineguide-webhooks)
  --prefix P         BullMQ's key prefix (default: bull)
  --limit N          failed: at most N jobs (default: 20)
  --offset N         failed: skip the N newest (default: 0)
  --all              replay: every failed job
  --timeout MS       give up reaching Redis after MS (default: 5000)
  --json             print JSON for machines
  -h, --help         this help

Exit code: 0 on success, 1 when Redis cannot be reached or a job cannot be
replayed, 2 on a usage error.
`;

/**
 * Imports {@link BULLMQ_KIT} (or `specifier`), with a message naming what to
 * install when it is missing. The specifier is a variable so that bundlers
 * leave the import to run time.
 */
export async function loadBullmqKit(specifier: string = BULLMQ_KIT): Promise<BullmqKit> {
  try {
    return (await import(specifier)) as BullmqKit;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new Error(
        `the queue commands need ${specifier}, which is not installed here: ` +
          `npm install ${specifier} bullmq ioredis`,
      );
    }
    throw error;
  }
}

/** The URL without its password, for printing. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href.replace(/\/$/, "");
  } catch {
    return url;
  }
}

const nonNegativeInt = (value: string | undefined, flag: string, fallback: number) =>
  value === "0" ? 0 : positiveInt(value, flag, fallback);

/** `fineguide-webhooks queue`. */
export async function queue(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: [...argv],
      options: {
        redis: { type: "string" },
        queue: { type: "string" },
        prefix: { type: "string" },
        limit: { type: "string" },
        offset: { type: "string" },
        all: { type: "boolean" },
        timeout: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(queueHelp);
    return EXIT.ok;
  }
  const [action, id, ...extra] = positionals;
  if (action === undefined) throw new UsageError("say what to do: status, failed or replay.");
  if (action !== "status" && action !== "failed" && action !== "replay") {
    throw new UsageError(`unknown queue command "${action}" (status, failed, replay).`);
  }
  if (action === "replay" && (id === undefined) === (values.all !== true)) {
    throw new UsageError("replay takes a job id or --all (one of the two).");
  }
  if (extra.length > 0 || (action !== "replay" && id !== undefined)) {
    throw new UsageError(`unexpected argument "${extra[0] ?? id}".`);
  }
  const limit = positiveInt(values.limit, "--limit", 20);
  const offset = nonNegativeInt(values.offset, "--offset", 0);
  const timeoutMs = positiveInt(values.timeout, "--timeout", 5_000);
  const url = values.redis ?? io.env.REDIS_URL ?? "redis://127.0.0.1:6379";

  const kit = await loadBullmqKit();
  let connection: ReturnType<BullmqKit["connectionFromUrl"]>;
  try {
    connection = kit.connectionFromUrl(url);
  } catch (error) {
    throw new UsageError(`--redis: ${(error as Error).message}`);
  }
  const q = kit.createWebhookQueue({
    connection,
    ...(values.queue === undefined ? {} : { queueName: values.queue }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
  });
  const paint = painter(io.stdout, io.env);
  try {
    let timer: NodeJS.Timeout | undefined;
    const reached = await Promise.race([
      q.ready().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!reached) throw new Error(`cannot reach Redis at ${shown(url)} within ${timeoutMs} ms.`);

    if (action === "status") {
      const status = await q.status();
      if (values.json) {
        io.stdout.write(`${JSON.stringify({ queue: q.name, ...status })}\n`);
        return EXIT.ok;
      }
      io.stdout.write(`Queue ${q.name} on ${shown(url)}\n`);
      const rows = Object.entries(status).map(([state, value]) => {
        const text = typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
        return [state, state === "failed" && value !== 0 ? paint("red", text) : text];
      });
      io.stdout.write(table(["state", "jobs"], rows));
      return EXIT.ok;
    }

    if (action === "failed") {
      const [jobs, status] = await Promise.all([q.failed({ offset, limit }), q.status()]);
      if (values.json) {
        const out = jobs.map(({ event: _event, stacktrace: _stack, ...job }) => job);
        io.stdout.write(`${JSON.stringify({ queue: q.name, total: status.failed, jobs: out })}\n`);
        return EXIT.ok;
      }
      if (jobs.length === 0) {
        io.stdout.write(
          `No failed jobs in ${q.name}${offset > 0 ? ` past the first ${offset}` : ""}.\n`,
        );
        return EXIT.ok;
      }
      const rows = jobs.map((job) => [
        job.id,
        job.type,
        String(job.attemptsMade),
        job.failedAt?.toISOString() ?? "",
        job.failedReason.split("\n")[0] ?? "",
      ]);
      io.stdout.write(table(["id", "type", "attempts", "failed at", "error"], rows));
      io.stdout.write(
        `${paint("dim", `${jobs.length} of ${status.failed} failed jobs shown. Replay: fineguide-webhooks queue replay <id> | --all`)}\n`,
      );
      return EXIT.ok;
    }

    if (values.all) {
      const replayed = await q.replayAll();
      io.stdout.write(
        values.json
          ? `${JSON.stringify({ queue: q.name, replayed })}\n`
          : `Replayed ${replayed} failed job${replayed === 1 ? "" : "s"} of ${q.name}.\n`,
      );
      return EXIT.ok;
    }
    const replayed = await q.replay(id!);
    if (values.json) io.stdout.write(`${JSON.stringify({ queue: q.name, id, replayed })}\n`);
    else if (replayed) io.stdout.write(`Replayed ${id}: back in ${q.name}, attempts reset.\n`);
    else {
      const red = painter(io.stderr, io.env);
      io.stderr.write(`${red("red", "error:")} no failed job ${id} in ${q.name}.\n`);
    }
    return replayed ? EXIT.ok : EXIT.failed;
  } finally {
    await q.close().catch(() => {});
  }
}
