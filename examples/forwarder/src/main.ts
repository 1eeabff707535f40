/*
 * `npm start -w examples/forwarder`: the forwarder on PORT (default 3000),
 * 127.0.0.1 (or HOST), forwarding to DOWNSTREAM_URL or, when unset, to a
 * local downstream it starts on a free port.
 */
import { startForwarder } from "./startForwarder.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";

try {
  const running = await startForwarder({
    env: process.env,
    port,
    host,
    print: (line) => console.log(line),
  });
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === "EADDRINUSE"
      ? `Port ${port} is in use: run with PORT=3001 npm start -w examples/forwarder (or any free port).`
      : `The forwarder could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
