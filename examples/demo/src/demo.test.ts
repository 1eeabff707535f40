import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "./startDemo.js";

const run = promisify(execFile);

/** Whether `curl` can be run here; the test falls back to fetch when not. */
const hasCurl = await run("curl", ["--version"]).then(
  () => true,
  () => false,
);

/** An answer as the developer sees it. */
interface Answer {
  readonly status: number;
  readonly json: { ok: boolean; duplicate?: true; error?: { code: string } };
}

/**
 * Runs the printed command as a developer would paste it: through `sh` with
 * curl, or, without curl, the same request with fetch (parsed from the command).
 */
async function deliver(curl: string, env: NodeJS.ProcessEnv = {}): Promise<Answer> {
  if (hasCurl) {
    const { stdout } = await run("sh", ["-c", curl], { env: { ...process.env, ...env } });
    const [head = "", body = ""] = stdout.split("\r\n\r\n");
    return { status: Number(head.split(" ")[1]), json: JSON.parse(body) };
  }
  const url = /curl -sS -i -X POST '([^']+)'/.exec(curl)![1]!;
  const [, name, value] = /-H '([^:']+): ([^']+)'/.exec(curl.split("content-type")[1]!)!;
  const body = /--data '(.*)'$/.exec(curl)![1]!;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [name!]: value! },
    body,
  });
  return { status: res.status, json: await res.json() };
}

describe("the npm start demo", () => {
  let demo: RunningDemo | undefined;
  afterEach(async () => demo?.close());

  it("the printed curl delivers the sample: 200, then a duplicate, one log line each", async () => {
    const lines: string[] = [];
    demo = await startDemo({ env: {}, port: 0, print: (line) => lines.push(line) });
    const printed = lines.find((line) => line.trim().startsWith("curl "));
    expect(printed?.trim()).toBe(demo.curl);

    expect(await deliver(demo.curl)).toEqual({ status: 200, json: { ok: true } });
    expect(await deliver(demo.curl)).toEqual({ status: 200, json: { ok: true, duplicate: true } });

    const deliveries = lines.slice(lines.indexOf(printed!) + 1).filter((l) => /^\d\d:/.test(l));
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}MESSAGE +processed +USER: "Hi, I need help with my order" \(session b8e034be\)$/,
    );
    expect(deliveries[1]).toMatch(/ MESSAGE +duplicate +USER: /);
  });

  it("a generated secret is printed in one line only (the curl), never in delivery lines", async () => {
    const lines: string[] = [];
    demo = await startDemo({ env: {}, port: 0, print: (line) => lines.push(line) });
    const secret = /x-webhook-secret: (dev-[0-9a-f]+)/.exec(demo.curl)![1]!;

    const wrong = demo.curl.replace(secret, "dev-wrong");
    const rejected = await deliver(wrong);
    expect(rejected.status).toBe(401);
    expect(rejected.json.error?.code).toBe("unauthorized");
    await deliver(demo.curl);

    expect(lines.filter((line) => line.includes(secret))).toEqual([`  ${demo.curl}`]);
    expect(lines.at(-2)).toMatch(/ - +unauthorized +401 The secret header is missing or wrong\.$/);
    expect(lines.at(-1)).toMatch(/ MESSAGE +processed /);
  });

  it("a secret from FINEGUIDE_WEBHOOK_SECRET is never printed; the curl reads it from the shell", async () => {
    const lines: string[] = [];
    const env = { FINEGUIDE_WEBHOOK_SECRET: "my-real-secret-4f1a" };
    demo = await startDemo({ env, port: 0, print: (line) => lines.push(line) });

    expect(lines.join("\n")).not.toContain(env.FINEGUIDE_WEBHOOK_SECRET);
    expect(demo.curl).toContain('"x-webhook-secret: $FINEGUIDE_WEBHOOK_SECRET"');
    if (hasCurl) expect(await deliver(demo.curl, env)).toEqual({ status: 200, json: { ok: true } });
  });

  it("logs invalid and unknown deliveries with their type and outcome", async () => {
    const lines: string[] = [];
    const env = { FINEGUIDE_WEBHOOK_SECRET: "s" };
    demo = await startDemo({ env, port: 0, print: (line) => lines.push(line) });
    const post = (body: unknown) =>
      fetch(demo!.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-secret": "s" },
        body: JSON.stringify(body),
      });

    expect((await post({ type: "TICKET", botId: "nope" })).status).toBe(400);
    expect((await post({ type: "NEW_THING", botId: "b", sessionId: "s" })).status).toBe(200);

    expect(lines.at(-2)).toMatch(/ TICKET +invalid_payload +400 The event does not match/);
    expect(lines.at(-1)).toMatch(/ NEW_THING +unknown_type +undocumented type, fields type, botId/);
  });
});
