/*
 * `listen --ui` in a real headless Chromium (Debian's /usr/bin/chromium, or
 * $CHROMIUM_PATH), driven by playwright-core as examples/analytics does.
 * Deliveries are made by the built CLI's `send`, as a user would.
 */
import { accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, type RunningCli, runCli, spawnCli } from "../testSupport/cli.js";
import { type RunningServer, startServer } from "../testSupport/servers.js";

const SECRET = "ui-s3cret-value";
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** Where the screenshot goes: the README's with LISTEN_UI_SCREENSHOT set, else a temp file. */
const SCREENSHOT = process.env.LISTEN_UI_SCREENSHOT || join(tmpdir(), "fineguide-listen-ui.png");

const hasChromium = (() => {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return true;
  } catch {
    // Under CI=true the suite runs anyway and fails on the launch, rather than pass unseen.
    if (process.env.CI === "true") return true;
    console.warn(
      `SKIPPED listen --ui in Chromium: no Chromium at ${chromiumPath} (set CHROMIUM_PATH).`,
    );
    return false;
  }
})();

describe.runIf(hasChromium)("listen --ui in a real Chromium", { timeout: 60_000 }, () => {
  let browser: Browser;
  const running: RunningCli[] = [];
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    assertBuilt();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
  }, 30_000);
  afterAll(() => browser?.close());
  afterEach(async () => {
    for (const cli of running.splice(0)) await cli.stop();
    for (const server of servers.splice(0)) await server.close();
  });

  /** The app deliveries are forwarded to: it keeps what reached it and answers 202. */
  async function app() {
    const received: { secret: string | undefined; body: string }[] = [];
    const server = await startServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += String(chunk);
      received.push({ secret: req.headers["x-webhook-secret"] as string | undefined, body });
      res.writeHead(202, { "content-type": "application/json" }).end('{"queued":true}');
    });
    servers.push(server);
    return { ...server, received };
  }

  async function listenUi(args: string[] = []) {
    const cli = spawnCli(["listen", "--ui", "--port", "0", "--json", "--secret", SECRET, ...args]);
    running.push(cli);
    const { listening, ui } = JSON.parse(await cli.nextLine()) as { listening: string; ui: string };
    return { cli, url: `${listening}/webhook`, ui };
  }

  const send = async (url: string, args: string[]) => {
    const run = await runCli(["send", ...args, "--url", url, "--secret", SECRET]);
    expect(run.stderr).toBe("");
    return run;
  };

  async function open(ui: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: new URL(ui).origin,
    });
    const page = await context.newPage();
    await page.goto(ui);
    await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    return page;
  }

  const cards = (page: Page) =>
    page.getByRole("list", { name: "Deliveries, newest first" }).getByRole("article");

  it("shows deliveries live, newest first, with verdicts, failing paths, filters, replay and curl", async () => {
    const forwarded = await app();
    const { url, ui } = await listenUi(["--forward-to", forwarded.url]);
    const page = await open(ui);
    await expect.poll(() => page.locator("#shown").textContent()).toBe("No deliveries yet.");

    await send(url, ["TICKET", "--set", "customerName=Ada Lovelace"]);
    await cards(page).first().getByText("processed", { exact: true }).waitFor();
    await send(url, ["RATE_MESSAGE", "--set", "rating=5"]);
    await cards(page).filter({ hasText: "RATE_MESSAGE" }).waitFor();
    const wrong = await runCli(["send", "MESSAGE", "--url", url, "--secret", "not-the-one"]);
    expect(wrong.code).toBe(0); // the app behind answers, not the kit's verdict
    await expect.poll(() => cards(page).count()).toBe(3);

    // Newest first, each with the kit's verdict.
    const titles = await cards(page).getByRole("heading", { level: 2 }).allTextContents();
    expect(titles.map((t) => t.replace(/\s+/g, " ").trim())).toEqual([
      "MESSAGE unauthorized",
      "RATE_MESSAGE invalid",
      "TICKET processed",
    ]);
    await expect
      .poll(() => page.locator("#announce").textContent())
      .toContain("New delivery: MESSAGE, unauthorized");

    // The invalid one shows its failing path, highlighted in the payload.
    const invalid = cards(page).filter({ hasText: "RATE_MESSAGE" });
    expect(await invalid.getByRole("list", { name: "Failing paths" }).textContent()).toContain(
      "rating: Expected 1 or -1",
    );
    const marked = invalid.locator("mark.failing");
    expect(await marked.count()).toBe(1);
    expect(await marked.getAttribute("data-path")).toBe("rating");
    expect(await marked.textContent()).toBe('  "rating": 5 (fails: Expected 1 or -1)');

    // The payload is pretty-printed; headers are listed with the secret redacted.
    const ticket = cards(page).filter({ hasText: "TICKET" });
    expect(await ticket.locator("pre.payload").textContent()).toContain(
      '  "customerName": "Ada Lovelace",',
    );
    await ticket.getByText("Headers", { exact: true }).click();
    const secretRow = ticket.getByRole("row", { name: /x-webhook-secret/ });
    expect(await secretRow.getByRole("cell").textContent()).toBe("[redacted]");

    // Filters, by verdict and by type, announce how many are shown.
    await page.getByLabel("Verdict").selectOption("invalid");
    await expect.poll(() => cards(page).filter({ visible: true }).count()).toBe(1);
    expect(await page.locator("#shown").textContent()).toBe("1 of 3 deliveries shown.");
    await page.getByLabel("Verdict").selectOption("");
    await page.getByLabel("Type").selectOption("TICKET");
    await expect.poll(() => cards(page).filter({ visible: true }).count()).toBe(1);
    await page.getByLabel("Type").selectOption("");

    // Replay, from the keyboard: it reaches the forwarded app with the secret, and the answer shows.
    const before = forwarded.received.length;
    const replay = ticket.getByRole("button", { name: `Replay to ${forwarded.url}` });
    await replay.focus();
    await page.keyboard.press("Enter");
    await ticket.locator(".result", { hasText: "Your app answered 202" }).waitFor();
    expect(forwarded.received.length).toBe(before + 1);
    const replayed = forwarded.received.at(-1)!;
    expect(replayed.secret).toBe(SECRET);
    expect(JSON.parse(replayed.body)).toMatchObject({
      type: "TICKET",
      customerName: "Ada Lovelace",
    });
    expect(await ticket.locator(".result").textContent()).toContain('{"queued":true}');

    // Copy as curl: the secret comes from the shell.
    await ticket.getByRole("button", { name: /Copy delivery \d+ as a curl command/ }).click();
    const command = await page.evaluate(() => navigator.clipboard.readText());
    expect(command).toMatch(
      new RegExp(
        `^curl -sS -i -X POST '${forwarded.url}' -H 'content-type: application/json' -H "x-webhook-secret: \\$FINEGUIDE_WEBHOOK_SECRET" --data '\\{"type":"TICKET"`,
      ),
    );
    expect(await ticket.locator("pre.curl").textContent()).toBe(command);
    expect(await ticket.locator(".copied").textContent()).toContain("Copied the curl command");
    expect(await ticket.locator(".result").textContent()).toContain("Your app answered 202");

    // Nowhere on the page, nor in what it was sent, is the secret.
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.content()).not.toContain("not-the-one");
    const stream = await page.evaluate(async () => {
      const res = await fetch("events");
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      await reader.cancel();
      return new TextDecoder().decode(value);
    });
    expect(stream).toContain("event: delivery");
    expect(stream).not.toContain(SECRET);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.context().close();
  });

  it("shows what the listener kept to a page opened later, and no replay without --forward-to", async () => {
    const { url, ui } = await listenUi();
    await send(url, ["SESSION_OPEN"]);
    await send(url, ["SESSION_OPEN", "--set", "sessionId=not-a-uuid"]);
    const page = await open(ui);
    await expect.poll(() => cards(page).count()).toBe(2);
    expect(await page.getByRole("button", { name: /^Replay/ }).count()).toBe(0);
    const bad = cards(page).first();
    expect(await bad.locator("mark.failing").getAttribute("data-path")).toBe("sessionId");
    // Every control has a name; the page's landmarks and labels are there.
    expect(await page.getByRole("main").count()).toBe(1);
    expect(await page.getByRole("combobox").count()).toBe(2);
    await page.getByRole("link", { name: "Skip to the deliveries" }).focus();
    await page.context().close();
  });
});
