import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEvent, postEvent, uuid } from "@fineguide-webhooks/testing";
import type Database from "better-sqlite3";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAnalyticsApp } from "./createAnalyticsApp.js";
import { chromiumAvailable, launchChromium } from "./launchChromium.js";
import { openAnalyticsDatabase } from "./openAnalyticsDatabase.js";

const secret = "test-secret-chromium";
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

/** Where the test leaves its screenshots, overwritten on every run, to look at. */
export const SCREENSHOTS = {
  light: join(tmpdir(), "fineguide-analytics-dashboard.png"),
  dark: join(tmpdir(), "fineguide-analytics-dashboard-dark.png"),
  phone: join(tmpdir(), "fineguide-analytics-dashboard-phone.png"),
};

/** What the accessibility checks in the page found wrong, one line each. */
function pageProblems(): string[] {
  const problems: string[] = [];
  const rgba = (css: string) => {
    const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
    return { r, g, b, a: css.startsWith("rgba") ? a : 1 };
  };
  const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
    const linear = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const background = (el: Element | null) => {
    for (let node = el; node; node = node.parentElement) {
      const color = rgba(getComputedStyle(node).backgroundColor);
      if (color.a > 0) return color;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  // Every element with its own visible text: contrast at least 4.5:1 (WCAG AA).
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === "hidden" || el.closest(".sr, .skip")) continue;
    const fg = luminance(rgba(style.color));
    const bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5)
      problems.push(`contrast ${ratio.toFixed(2)} < 4.5: "${el.textContent?.trim()}"`);
  }
  if (document.documentElement.lang !== "en") problems.push("html has no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  for (const th of document.querySelectorAll("th")) {
    if (!th.getAttribute("scope")) problems.push(`th without scope: ${th.textContent}`);
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.querySelector("caption")?.textContent?.trim())
      problems.push("table without caption");
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.getAttribute("aria-hidden") !== "true") problems.push("svg not hidden from readers");
  }
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  if (new Set(ids).size !== ids.length) problems.push("duplicate ids");
  for (const el of document.querySelectorAll("[aria-labelledby]")) {
    const id = el.getAttribute("aria-labelledby") ?? "";
    if (!document.getElementById(id)) problems.push(`aria-labelledby points nowhere: ${id}`);
  }
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px`);
  }
  return problems;
}

/** Text with its runs of white space as one space, trimmed. */
const text = (value: string | null) => (value ?? "").replace(/\s+/g, " ").trim();

/** The text of each cell of a table's rows, by column header. */
async function tableRows(scope: Page | Locator, name: string): Promise<Record<string, string>[]> {
  const table = scope.getByRole("table", { name });
  const headers = (await table.locator("thead th").allTextContents()).map(text);
  const rows = await table.locator("tbody tr").all();
  return Promise.all(
    rows.map(async (row) => {
      const cells = (await row.locator("th, td").allTextContents()).map(text);
      return Object.fromEntries(headers.map((h, i) => [h.toLowerCase(), cells[i] ?? ""]));
    }),
  );
}

describe.runIf(chromiumAvailable("the analytics dashboard in Chromium"))(
  "the analytics dashboard in a real Chromium",
  () => {
    let browser: Browser;
    const cleanup: (() => unknown)[] = [];

    beforeAll(async () => {
      browser = await launchChromium();
    }, 20_000);
    afterAll(async () => {
      await browser?.close();
    });
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    /** The receiver on an in-memory database and a test clock, listening on a free port. */
    const start = async () => {
      const db: Database.Database = openAnalyticsDatabase(":memory:");
      cleanup.push(() => db.close());
      const clock = { now: T0 };
      const { app } = createAnalyticsApp({
        secret,
        db,
        clock: () => clock.now,
        timeZone: "UTC",
        sessionsPerAssistant: 2,
      });
      const server: Server = app.listen(0, "127.0.0.1");
      await once(server, "listening");
      cleanup.push(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      /** Delivers `event` as if it happened `minutes` after T0. */
      const send = async (minutes: number, event: object) => {
        clock.now = T0 + minutes * MIN;
        const res = await postEvent(`${origin}/webhook`, event, { secret });
        expect(res.status).toBe(200);
      };
      return { origin, send };
    };

    /** A page that fails the test on any console error (a CSP violation is one) or script error. */
    const open = async (options: Parameters<Browser["newPage"]>[0] = {}) => {
      const page = await browser.newPage(options);
      cleanup.push(() => page.close());
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      // Only the test's own server may be reached.
      await page.route("**/*", (route) =>
        new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
      );
      cleanup.push(() => expect(errors).toEqual([]));
      return page;
    };

    it("shows each assistant's sessions, durations, messages by role and rating changes; accessible; screenshots", async () => {
      const { origin, send } = await start();
      const sales = uuid();
      const support = uuid();
      const [first, second, third] = [uuid(), uuid(), uuid()];

      // Sales: a 7-minute conversation with a rating changed up, down, up.
      await send(0, createEvent("SESSION_OPEN", { botId: sales, sessionId: first }));
      const turns = ["USER", "ASSISTANT", "USER", "ASSISTANT", "OPERATOR"] as const;
      const messages = turns.map((role) =>
        createEvent("MESSAGE", { botId: sales, sessionId: first, role }),
      );
      for (const [i, message] of messages.entries()) await send(i + 1, message);
      const rated = messages[1]?.messageId ?? "";
      const up = createEvent("RATE_MESSAGE", { botId: sales, sessionId: first, messageId: rated });
      await send(3, up);
      await send(4, { ...up, rating: -1 });
      await send(5, up);
      await send(7, createEvent("SESSION_CLOSED", { botId: sales, sessionId: first }));
      // Sales: a 3-minute one rated down, and one still open.
      await send(10, createEvent("SESSION_OPEN", { botId: sales, sessionId: second }));
      await send(11, createEvent("MESSAGE", { botId: sales, sessionId: second }));
      await send(12, createEvent("RATE_MESSAGE", { botId: sales, sessionId: second, rating: -1 }));
      await send(13, createEvent("SESSION_CLOSED", { botId: sales, sessionId: second }));
      await send(20, createEvent("SESSION_OPEN", { botId: sales, sessionId: third }));
      // Support: one message, no session events.
      await send(15, createEvent("MESSAGE", { botId: support, role: "ASSISTANT" }));

      const page = await open({ viewport: { width: 1200, height: 900 } });
      await page.goto(`${origin}/`);

      expect(await page.title()).toBe("Conversation analytics");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "Conversation analytics",
      );
      const regions = page.getByRole("region");
      expect(await regions.count()).toBe(2);
      // Newest activity first: sales (20 min) before support (15 min).
      const salesRegion = page.getByRole("region", { name: `Assistant ${sales.slice(0, 8)}` });
      expect(await regions.first().getAttribute("aria-labelledby")).toBe(`bot-${sales}`);

      /** A KPI's term and values, as "term | value | detail". */
      const kpi = async (term: string) =>
        (
          await salesRegion
            .locator(".kpi")
            .filter({ has: page.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
            .locator("dt, dd")
            .allTextContents()
        )
          .map(text)
          .join(" | ");
      expect(await kpi("Sessions")).toBe("Sessions | 3 | 1 still open");
      expect(await kpi("Median duration")).toBe(
        "Median duration | 5 min | average 5 min, longest 7 min, of 2 closed",
      );
      expect(await kpi("Messages")).toBe("Messages | 6 | 2 per session");
      expect(await kpi("Rated helpful")).toBe("Rated helpful | 50 % | 1 up1 down");
      expect(await kpi("Rating changes")).toBe(
        "Rating changes | 4 | 2 messages rated, 1 of them re-rated",
      );
      expect(
        (await salesRegion.getByRole("figure").locator("li").allTextContents()).map(text),
      ).toEqual(["User 3 (50 %)", "Assistant 2 (33 %)", "Operator 1 (17 %)"]);

      // The overview lists 2 sessions per assistant (as configured) and links to all.
      const latest = await tableRows(salesRegion, "Latest sessions");
      expect(latest.slice(0, 2)).toEqual([
        {
          session: third.slice(0, 8),
          status: "Open",
          opened: "30 Nov, 09:20",
          duration: "—unknown",
          user: "0",
          assistant: "0",
          operator: "0",
          ratings: "—none",
          "rating changes": "0",
        },
        {
          session: second.slice(0, 8),
          status: "Closed",
          opened: "30 Nov, 09:10",
          duration: "3 min",
          user: "1",
          assistant: "0",
          operator: "0",
          ratings: "0 up1 down",
          "rating changes": "1",
        },
      ]);
      expect(await pageProblemsIn(page)).toEqual([]);
      await page.screenshot({ path: SCREENSHOTS.light, fullPage: true });

      // Dark scheme: the same checks of contrast.
      await page.emulateMedia({ colorScheme: "dark" });
      expect(await pageProblemsIn(page)).toEqual([]);
      await page.screenshot({ path: SCREENSHOTS.dark, fullPage: true });

      // The link to all of an assistant's sessions.
      await page.emulateMedia({ colorScheme: "light" });
      await salesRegion
        .getByRole("link", { name: `All 3 sessions of assistant ${sales.slice(0, 8)}` })
        .click();
      await page.waitForURL(`${origin}/assistants/${sales}`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        `Assistant ${sales.slice(0, 8)}`,
      );
      const all = await tableRows(page, "Sessions (3 latest of 3)");
      expect(all.map((row) => [row.session, row.duration, row["rating changes"]])).toEqual([
        [third.slice(0, 8), "—unknown", "0"],
        [second.slice(0, 8), "3 min", "1"],
        [first.slice(0, 8), "7 min", "3"],
      ]);
      expect(await pageProblemsIn(page)).toEqual([]);
      await page.getByRole("link", { name: "All assistants" }).click();
      await page.waitForURL(`${origin}/`);

      for (const path of Object.values(SCREENSHOTS).slice(0, 2)) {
        const png = readFileSync(path);
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        expect(png.readUInt32BE(16)).toBe(1200); // width
      }
    }, 30_000);

    it("fits a phone's width, and the keyboard reaches the skip link first", async () => {
      const { origin, send } = await start();
      const botId = uuid();
      for (let i = 0; i < 3; i++) {
        const sessionId = uuid();
        await send(i * 10, createEvent("SESSION_OPEN", { botId, sessionId }));
        await send(i * 10 + 1, createEvent("MESSAGE", { botId, sessionId }));
        await send(i * 10 + 4, createEvent("SESSION_CLOSED", { botId, sessionId }));
      }
      const page = await open({ viewport: { width: 360, height: 740 } });
      await page.goto(`${origin}/`);
      expect(await pageProblemsIn(page)).toEqual([]);
      await page.screenshot({ path: SCREENSHOTS.phone, fullPage: true });

      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: "Skip to content" });
      await expect.poll(() => skip.evaluate((el) => el === document.activeElement)).toBe(true);
      const box = await skip.boundingBox();
      expect(box && box.x >= 0 && box.y >= 0).toBe(true); // visible once focused
      await page.keyboard.press("Enter");
      await page.waitForURL(`${origin}/#main`);
    }, 30_000);

    it("says what to do when nothing was received yet", async () => {
      const { origin } = await start();
      const page = await open();
      await page.goto(`${origin}/`);
      expect(await page.getByRole("heading", { level: 2 }).textContent()).toBe(
        "No conversations yet",
      );
      expect(await page.getByRole("main").textContent()).toContain(`${origin}/webhook`);
      expect(await pageProblemsIn(page)).toEqual([]);
    }, 30_000);
  },
);

/** Runs {@link pageProblems} in the page. */
const pageProblemsIn = (page: Page) => page.evaluate(pageProblems);
