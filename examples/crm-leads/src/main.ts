/*
 * `npm start -w examples/crm-leads`: the receiver on PORT (default 3000),
 * 127.0.0.1 (or HOST), its SQLite file at CRM_LEADS_DB (default under the OS
 * temp directory).
 */
import { startCrmLeads } from "./startCrmLeads.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";

try {
  const running = await startCrmLeads({
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
      ? `Port ${port} is in use: run with PORT=3001 npm start -w examples/crm-leads (or any free port).`
      : `The receiver could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
