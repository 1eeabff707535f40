/*
 * `npm start -w examples/slack-alerts`: the receiver on PORT (default 3000),
 * 127.0.0.1 (or HOST), the worker, a stand-in for Slack (unless
 * SLACK_WEBHOOK_URL is set) and, unless REDIS_URL is set, a redis-server of
 * its own on a free port.
 */
import { RedisServerMissing } from "./localRedis.js";
import { startSlackAlerts } from "./startSlackAlerts.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";

try {
  const running = await startSlackAlerts({
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
    error instanceof RedisServerMissing
      ? error.message
      : code === "EADDRINUSE"
        ? `Port ${port} is in use: run with PORT=3001 npm start -w examples/slack-alerts (or any free port).`
        : `slack-alerts could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
