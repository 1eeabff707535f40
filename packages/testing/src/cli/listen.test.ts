import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PROBE_BOT_ID } from "../check/probeMarks.js";
import { createEvent } from "../factories/createEvent.js";
import { postEvent } from "../requests/postEvent.js";
import { assertBuilt, type RunningCli, runCli, spawnCli } from "../testSupport/cli.js";
import { kitServer, type RunningServer } from "../testSupport/servers.js";

interface Line {
  status: number;
  outcome: string;
  type?: string;
  probe?: boolean;
  issues?: { path: (string | number)[]; message: string }[];
  headers: Record<string, string>;
  payload?: unknown;
  forward?: { url: string; status?: number; error?: string };
}

describe("fineguide-webhooks listen", { timeout: 20_000 }, () => {
  const running: RunningCli[] = [];
  const servers: RunningServer[] = [];
  beforeAll(assertBuilt);
  afterEach(async () => {
    for (const cli of running.splice(0)) await cli.stop();
    for (const server of servers.splice(0)) await server.close();
  });

  async function listen(args: string[], env: Record<string, string> = {}) {
    const cli = spawnCli(["listen", "--port", "0", ...args], env);
    running.push(cli);
    return cli;
  }

  async function listenJson(args: string[] = []) {
    const cli = await listen(["--json", ...args]);
    const { listening } = JSON.parse(await cli.nextLine()) as { listening: string };
    return {
      cli,
      url: `${listening}/webhook`,
      next: async () => JSON.parse(await cli.nextLine()) as Line,
    };
  }

  it("prints every delivery with its verdict, never the secret (--json)", async () => {
    const { url, next } = await listenJson(["--secret", "s3cret"]);
    const ticket = createEvent("TICKET");

    expect((await postEvent(url, ticket, { secret: "s3cret" })).status).toBe(200);
    const ok = await next();
    expect(ok).toMatchObject({
      status: 200,
      outcome: "processed",
      type: "TICKET",
      payload: ticket,
    });
    expect(ok.headers["x-webhook-secret"]).toBe("[redacted]");

    expect((await postEvent(url, ticket, { secret: "s3cret" })).status).toBe(200);
    expect(await next()).toMatchObject({ status: 200, outcome: "duplicate" });

    expect((await postEvent(url, ticket, { secret: "guess" })).status).toBe(401);
    const refused = await next();
    expect(refused).toMatchObject({ status: 401, outcome: "unauthorized" });
    expect(JSON.stringify(refused)).not.toContain("guess");

    const bad = createEvent("RATE_MESSAGE", { rating: 3 as 1 });
    expect((await postEvent(url, bad, { secret: "s3cret" })).status).toBe(400);
    expect(await next()).toMatchObject({
      status: 400,
      outcome: "invalid_payload",
      issues: [{ path: ["rating"], message: "Expected 1 or -1" }],
    });

    const probe = createEvent("SESSION_OPEN", { botId: PROBE_BOT_ID });
    await postEvent(url, probe, { secret: "s3cret" });
    expect(await next()).toMatchObject({ status: 200, probe: true });
  });

  it("prints for people without --json, and stops cleanly on SIGTERM", async () => {
    const cli = await listen(["--secret", "s3cret"]);
    const banner = await cli.nextLine((l) => l.startsWith("Listening on"));
    const base = /Listening on (http:\/\/\S+)/.exec(banner)![1]!;
    await postEvent(`${base}/hooks`, createEvent("MESSAGE", { message: "hello there" }), {
      secret: "s3cret",
    });
    expect(await cli.nextLine((l) => l.includes("POST /hooks"))).toMatch(
      /POST \/hooks {2}200 processed {2}MESSAGE$/,
    );
    expect(await cli.nextLine((l) => l.includes("hello there"))).toContain(
      '"message": "hello there"',
    );
    const { code, stderr } = await cli.stop();
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("forwards each delivery to --forward-to and answers with its reply", async () => {
    const app = await kitServer({ secret: "s3cret", strict: true });
    servers.push(app);
    const { url, next } = await listenJson(["--secret", "s3cret", "--forward-to", app.url]);
    const lead = createEvent("CREATE_LEAD");

    const res = await postEvent(url, lead, { secret: "s3cret" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(app.events).toEqual([lead]);
    expect(await next()).toMatchObject({
      status: 200,
      type: "CREATE_LEAD",
      forward: { url: app.url, status: 200 },
    });

    // The sender gets the app's answer, even where the listener's verdict differs:
    // the app is strict about e-mails, the listener (the kit's default) is not.
    const ticket = createEvent("TICKET", { customerEmail: "not an e-mail" });
    const refused = await postEvent(url, ticket, { secret: "s3cret" });
    expect(refused.status).toBe(400);
    expect(await next()).toMatchObject({
      status: 200,
      outcome: "processed",
      forward: { status: 400 },
    });
  });

  it("answers 502 when the forward target is down", async () => {
    const gone = await kitServer();
    await gone.close();
    const { url, next } = await listenJson(["--secret", "s3cret", "--forward-to", gone.url]);
    const res = await postEvent(url, createEvent("TICKET"), { secret: "s3cret" });
    expect(res.status).toBe(502);
    expect(await next()).toMatchObject({
      status: 200,
      forward: { url: gone.url, error: expect.stringContaining("ECONNREFUSED") },
    });
  });

  it("warns when it runs without a secret", async () => {
    const cli = await listen([]);
    await cli.nextLine((l) => l.startsWith("Listening on"));
    const { stderr } = await cli.stop();
    expect(stderr).toContain("warning: no --secret");
  });

  it("exits 2 on a bad port", async () => {
    const run = await runCli(["listen", "--port", "99999"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port must be");
  });
});
