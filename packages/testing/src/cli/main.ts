import { EXIT, UsageError } from "./args.js";
import { check } from "./check.js";
import { listen } from "./listen.js";
import { load } from "./load.js";
import { type Io, painter, version } from "./output.js";
import { queue } from "./queue.js";
import { send } from "./send.js";

const help = `Usage: fineguide-webhooks <command> [options]

Test FineGuide AI-Assistant webhooks before FineGuide ever calls you.

Commands:
  send <TYPE...> | --all   deliver events to an endpoint, print status and time
  check                    audit an endpoint against the receiver contract
  listen                   a local receiver that prints every delivery (--ui: a live page)
  load                     drive an endpoint with many events; latency, 5xx, duplicates
  queue <action>           the @fineguide-webhooks/bullmq queue: status, failed, replay

Run "fineguide-webhooks <command> --help" for a command's options.
Options: -h, --help  this help;  -v, --version  the version.
Colours: on a terminal only; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.
`;

const commands: Record<string, (argv: readonly string[], io: Io) => Promise<number>> = {
  send,
  check,
  listen,
  load,
  queue,
};

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands[topic];
    if (command) return command(["--help"], io);
    io.stdout.write(help);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "-v" || name === "--version") {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  const paint = painter(io.stderr, io.env);
  try {
    if (!command) throw new UsageError(`unknown command "${name}".`);
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const more = command ? `fineguide-webhooks ${name} --help` : "fineguide-webhooks --help";
      io.stderr.write(`${paint("red", "error:")} ${error.message}\nRun "${more}" for usage.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${paint("red", "error:")} ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failed;
  }
}

// `fineguide-webhooks check | head`: a closed pipe ends the run quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
