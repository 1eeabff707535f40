import { describe, expect, it } from "vitest";
import { chromiumAvailable, chromiumPath, launchChromium } from "./launchChromium.js";

const absent = "/nonexistent/chromium";

describe("chromiumAvailable / launchChromium", () => {
  it("uses CHROMIUM_PATH, else Debian's /usr/bin/chromium", () => {
    expect(chromiumPath({})).toBe("/usr/bin/chromium");
    expect(chromiumPath({ CHROMIUM_PATH: "" })).toBe("/usr/bin/chromium");
    expect(chromiumPath({ CHROMIUM_PATH: "/opt/chrome" })).toBe("/opt/chrome");
  });

  it("without Chromium, skips with a warning outside CI", async () => {
    const warnings: string[] = [];
    const env = { CHROMIUM_PATH: absent };
    expect(chromiumAvailable("the suite", env, (line) => warnings.push(line))).toBe(false);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^SKIPPED the suite: Chromium was not found at \/nonexistent\/chromium; install the Debian package `chromium`/,
      ),
    ]);
  });

  it("without Chromium under CI=true, runs the tests so that they fail on launch", async () => {
    const warnings: string[] = [];
    const env = { CHROMIUM_PATH: absent, CI: "true" };
    expect(chromiumAvailable("the suite", env, (line) => warnings.push(line))).toBe(true);
    expect(warnings).toEqual([]);
    await expect(launchChromium(env)).rejects.toThrow(
      /^Chromium was not found at \/nonexistent\/chromium; .* Under CI=true the Chromium tests must run\.$/,
    );
  });
});
