import { execFile } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { postEvent } from "../requests/postEvent.js";
import { assertBuilt, type RunningCli, spawnCli } from "../testSupport/cli.js";
import { type RunningServer, startServer } from "../testSupport/servers.js";
import { REPLAY_HEADER, verdictOf } from "./listenUi.js";

const SECRET = "inspector-s3cret";

/** A raw GET with a chosen Host header (fetch does not let a test set it). */
const getWithHost = (url: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });

/** The event stream's text until `until` appears. */
async function streamUntil(url: string, until: string): Promise<string> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text;
}

describe("verdictOf", () => {
  it("maps the receiver's outcomes to the page's five verdicts", () => {
    expect(
      [
        "processed",
        "unknown_type",
        "duplicate",
        "unauthorized",
        "invalid_payload",
        "invalid_json",
        "method_not_allowed",
        "payload_too_large",
        "in_progress",
        "handler_failed",
        "something_new",
      ].map(verdictOf),
    ).toEqual([
      "processed",
      "processed",
      "duplicate",
      "unauthorized",
      "invalid",
      "invalid",
      "invalid",
      "invalid",
      "error",
      "error",
      "error",
    ]);
  });
});

describe("listen --ui over HTTP", { timeout: 30_000 }, () => {
  const running: RunningCli[] = [];
  const servers: RunningServer[] = [];
  beforeAll(assertBuilt);
  afterEach(async () => {
    for (const cli of running.splice(0)) await cli.stop();
    for (const server of servers.splice(0)) await server.close();
  });

  async function listenUi(args: string[] = []) {
    const cli = spawnCli(["listen", "--ui", "--port", "0", "--json", "--secret", SECRET, ...args]);
    running.push(cli);
    const first = JSON.parse(await cli.nextLine()) as { listening: string; ui: string };
    return { ...first, cli };
  }

  it("serves the page with a strict CSP, streams deliveries with the secret redacted", async () => {
    const { listening, ui, cli } = await listenUi();
    expect(ui).toBe(`${listening}/_ui/`);
    const page = await fetch(ui);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="inspector.js" defer></script>');
    for (const file of ["inspector.js", "inspector.css"]) {
      expect((await fetch(`${ui}${file}`)).status).toBe(200);
    }
    const redirect = await fetch(`${listening}/_ui`, { redirect: "manual" });
    expect([redirect.status, redirect.headers.get("location")]).toEqual([308, "/_ui/"]);
    const config = (await (await fetch(`${ui}config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ listening, secretHeader: "x-webhook-secret", forwardTo: null });

    await postEvent(`${listening}/hook`, createEvent("TICKET"), { secret: SECRET });
    await postEvent(`${listening}/hook`, createEvent("TICKET"), { secret: "a-wrong-guess" });
    await cli.nextLine();
    await cli.nextLine();
    const stream = await streamUntil(`${ui}events`, "event: ready");
    const entries = [...stream.matchAll(/^data: (\{"id".*)$/gm)].map(
      (m) => JSON.parse(m[1]!) as { id: number; verdict: string; headers: Record<string, string> },
    );
    expect(entries.map((e) => [e.id, e.verdict])).toEqual([
      [1, "processed"],
      [2, "unauthorized"],
    ]);
    expect(entries.every((e) => e.headers["x-webhook-secret"] === "[redacted]")).toBe(true);
    expect(stream).not.toContain(SECRET);
    expect(stream).not.toContain("a-wrong-guess");
    // The page's own requests are not deliveries.
    expect((await fetch(`${ui}nope`)).status).toBe(404);
  });

  it("answers only a loopback Host (no DNS rebinding) and replays only with its header", async () => {
    const app = await startServer((_req, res) => void res.writeHead(204).end());
    servers.push(app);
    const { listening, ui, cli } = await listenUi(["--forward-to", app.url]);
    expect(await getWithHost(ui, "attacker.example")).toBe(403);
    expect(await getWithHost(ui, new URL(listening).host)).toBe(200);
    expect(await getWithHost(ui, `localhost:${new URL(listening).port}`)).toBe(200);

    await postEvent(`${listening}/webhook`, createEvent("MESSAGE"), { secret: SECRET });
    await cli.nextLine();
    expect((await fetch(`${ui}replay/1`, { method: "POST" })).status).toBe(403);
    const replay = await fetch(`${ui}replay/1`, {
      method: "POST",
      headers: { [REPLAY_HEADER]: "replay" },
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ url: app.url, status: 204 });
    const gone = await fetch(`${ui}replay/99`, {
      method: "POST",
      headers: { [REPLAY_HEADER]: "replay" },
    });
    expect(gone.status).toBe(404);
  });

  it("refuses replays without --forward-to", async () => {
    const { ui } = await listenUi();
    const res = await fetch(`${ui}replay/1`, {
      method: "POST",
      headers: { [REPLAY_HEADER]: "replay" },
    });
    expect(res.status).toBe(409);
  });

  it("ships the page in the package tarball", async () => {
    const cwd = fileURLToPath(new URL("../../", import.meta.url));
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json"], { cwd });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map(
      (f) => f.path,
    );
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli.js",
        "src/cli/ui/index.html",
        "src/cli/ui/inspector.js",
        "src/cli/ui/inspector.css",
        "docs/listen-ui.png",
      ]),
    );
  });
});
