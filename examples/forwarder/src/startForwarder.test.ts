import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { vendorExamples } from "@fineguide-webhooks/testing";
import { afterEach, describe, expect, it } from "vitest";
import { sampleMessage } from "./sampleMessage.js";
import { type RunningDownstream, startDownstream } from "./startDownstream.js";
import { type RunningForwarder, startForwarder } from "./startForwarder.js";

const run = promisify(execFile);

/** Whether `curl` can be run here; the tests that paste the printed curls need it. */
const hasCurl = await run("curl", ["--version"]).then(
  () => true,
  () => false,
);

/** Runs a printed `curl` as a developer would paste it, through `sh`. */
async function paste(curl: string, env: NodeJS.ProcessEnv = {}) {
  const { stdout } = await run("sh", ["-c", curl], { env: { ...process.env, ...env } });
  const [head = "", body = ""] = curl.includes(" -i ")
    ? stdout.split("\r\n\r\n")
    : ["HTTP/1.1 200", stdout];
  return { status: Number(head.split(" ")[1]), json: JSON.parse(body) as unknown };
}

describe("npm start (startForwarder)", () => {
  let running: RunningForwarder | undefined;
  let downstream: RunningDownstream | undefined;

  afterEach(async () => {
    await running?.close(0);
    await downstream?.close();
    running = undefined;
    downstream = undefined;
  });

  const start = (env: NodeJS.ProcessEnv, lines: string[]) =>
    startForwarder({ env, port: 0, print: (line) => lines.push(line) });

  it("prints the vendor's sample MESSAGE, as copied", () => {
    expect(sampleMessage).toEqual(vendorExamples.MESSAGE);
  });

  it.runIf(hasCurl)(
    "on its defaults the printed curls deliver to a local downstream that logs what it got, and read the counters",
    async () => {
      const lines: string[] = [];
      running = await start({}, lines);
      const { curls } = running;
      for (const curl of [curls.botA, curls.botB, curls.metrics])
        expect(lines).toContain(`  ${curl}`);
      expect(running.downstream).toBeDefined();
      expect(lines).toContain(
        `Forwarding every event to ${running.downstreamUrl}, a local downstream started for this run (set DOWNSTREAM_URL to forward to your automation tool).`,
      );

      expect(await paste(curls.botA)).toEqual({ status: 200, json: { ok: true } });
      expect(await paste(curls.botA)).toEqual({ status: 200, json: { ok: true, duplicate: true } });
      expect(await paste(curls.botB)).toEqual({ status: 200, json: { ok: true } });
      // Assistant B's event with assistant A's secret: the wrong tenant.
      const secretA = /x-webhook-secret: (dev-[0-9a-f]+)/.exec(curls.botA)![1]!;
      const wrongTenant = curls.botB.replace(/dev-[0-9a-f]+/, secretA);
      expect(await paste(wrongTenant)).toMatchObject({ status: 401 });

      expect(running.downstream?.received).toHaveLength(2);
      const got = lines.filter((line) => line.includes(" downstream got POST MESSAGE "));
      expect(got).toHaveLength(2);
      expect(got[0]).toMatch(/idempotency-key [\w-]{43} {2}bot 6434515b {2}\d+ bytes -> 200$/);
      expect(lines.filter((line) => / 200 processed +MESSAGE /.test(line))).toHaveLength(2);
      expect(lines.filter((line) => / 401 unauthorized /.test(line))).toHaveLength(1);

      expect(await paste(curls.metrics)).toMatchObject({
        status: 200,
        json: {
          deliveries: 4,
          outcomes: { processed: 2, duplicate: 1, unauthorized: 1 },
          forwarded: {
            "6434515b-8541-4861-bb24-8acd6e77e8c4": 1,
            "2f9d7c1a-5e3b-4a8c-9d6e-1b0a3c5e7f92": 1,
          },
        },
      });
      // Each generated secret appears in its own curl only.
      expect(lines.filter((line) => line.includes(secretA))).toEqual([`  ${curls.botA}`]);
    },
  );

  it.runIf(hasCurl)(
    "forwards to DOWNSTREAM_URL; secrets from the environment are never printed, the curls read them from the shell",
    async () => {
      downstream = await startDownstream();
      const env = {
        DOWNSTREAM_URL: `${downstream.url}catch?token=tok-93c1`,
        FINEGUIDE_BOT_A_SECRET: "env-secret-a-5d1f",
        FINEGUIDE_BOT_B_SECRET: "env-secret-b-0c7e",
      };
      const lines: string[] = [];
      running = await start(env, lines);

      expect(running.downstream).toBeUndefined();
      const printed = lines.join("\n");
      for (const value of Object.values(env)) expect(printed).not.toContain(value);
      expect(running.curls.botA).toContain('"x-webhook-secret: $FINEGUIDE_BOT_A_SECRET"');

      expect(await paste(running.curls.botB, env)).toEqual({ status: 200, json: { ok: true } });
      expect(downstream.received).toHaveLength(1);
      expect(downstream.received[0]).toMatchObject({
        path: "/catch?token=tok-93c1",
        headers: { "x-fineguide-bot": "2f9d7c1a-5e3b-4a8c-9d6e-1b0a3c5e7f92" },
      });
    },
  );

  it("close() stops the forwarder and its local downstream", async () => {
    running = await start({}, []);
    const { url, downstreamUrl } = running;
    await running.close(0);
    running = undefined;
    await expect(fetch(url)).rejects.toThrow();
    await expect(fetch(downstreamUrl)).rejects.toThrow();
  });
});
