import { accessSync, constants } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** The environment {@link chromiumPath} and friends read (default `process.env`). */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Chromium to drive: `$CHROMIUM_PATH` when set, else Debian's
 * `/usr/bin/chromium`. Playwright's own browser downloads are not used.
 *
 * @example
 * ```ts
 * chromiumPath({}); // "/usr/bin/chromium"
 * ```
 */
export function chromiumPath(env: Env = process.env): string {
  return env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const missing = (path: string) =>
  `Chromium was not found at ${path}; install the Debian package \`chromium\` (\`.ci/run\` does) ` +
  "or set CHROMIUM_PATH to a Chromium or Chrome executable.";

/**
 * Whether the browser tests of `suite` should run. With Chromium present:
 * yes. Without, under `CI=true`: also yes, so that they fail (on
 * {@link launchChromium}'s error) instead of passing unseen; elsewhere no,
 * with a warning saying why they were skipped.
 *
 * @example
 * ```ts
 * describe.runIf(chromiumAvailable("the dashboard"))("the dashboard in Chromium", () => { … });
 * ```
 */
export function chromiumAvailable(
  suite: string,
  env: Env = process.env,
  warn: (message: string) => void = console.warn,
): boolean {
  const path = chromiumPath(env);
  if (executable(path)) return true;
  if (env.CI === "true") return true;
  warn(`SKIPPED ${suite}: ${missing(path)}`);
  return false;
}

/** Flags for a quiet headless Chromium that talks to nothing but the pages it is sent to. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches headless Chromium ({@link chromiumPath}) through playwright-core.
 * Rejects with an error naming the missing path (and, under `CI=true`,
 * saying the tests must run) when it is not installed. Close the browser
 * when done.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 *   await page.goto("http://127.0.0.1:3000/");
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export async function launchChromium(env: Env = process.env): Promise<Browser> {
  const path = chromiumPath(env);
  if (!executable(path)) {
    const ci = env.CI === "true" ? " Under CI=true the Chromium tests must run." : "";
    throw new Error(`${missing(path)}${ci}`);
  }
  return chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS] });
}
