import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether `curl` can be run here; the tests that paste the printed curls need it. */
export const hasCurl = await run("curl", ["--version"]).then(
  () => true,
  () => false,
);

/** Runs a printed `curl` as a developer would paste it, through `sh`: its status and JSON body. */
export async function paste(curl: string, env: NodeJS.ProcessEnv = {}) {
  const { stdout } = await run("sh", ["-c", curl], { env: { ...process.env, ...env } });
  const [head = "", body = ""] = stdout.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), json: JSON.parse(body) as unknown };
}
