/*
 * `npm run screenshot -w examples/analytics`: renders the dashboard with the
 * demo data (ANALYTICS_DEMO's) in headless Chromium and saves it as
 * dashboard.png beside the README (or at the path given as an argument).
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createAnalyticsApp } from "./createAnalyticsApp.js";
import { launchChromium } from "./launchChromium.js";
import { openAnalyticsDatabase } from "./openAnalyticsDatabase.js";
import { seedDemo } from "./seedDemo.js";

const out = process.argv[2] ?? fileURLToPath(new URL("../dashboard.png", import.meta.url));
const db = openAnalyticsDatabase(":memory:");
seedDemo(db, Date.now());
const { app } = createAnalyticsApp({ secret: "unused", db, timeZone: "UTC" });
const server = app.listen(0, "127.0.0.1");
try {
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`Saved ${out}`);
  } finally {
    await browser.close();
  }
} finally {
  server.close();
  db.close();
}
