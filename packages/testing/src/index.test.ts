import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import * as testing from "./index.js";
import { assertBuilt } from "./testSupport/cli.js";

describe("@fineguide-webhooks/testing", () => {
  it("exports the kit", () => {
    for (const name of [
      "createEvent",
      "createUnknownEvent",
      "createAllEvents",
      "vendorExamples",
      "createDelivery",
      "sendWithSupertest",
      "injectOptions",
      "requestInit",
      "postEvent",
      "simulateDelivery",
      "checkEndpoint",
      "PROBE_BOT_ID",
      "isProbeEvent",
      "EVENT_TYPES",
    ]) {
      expect(testing).toHaveProperty(name);
    }
  });

  describe("as built", () => {
    beforeAll(assertBuilt);

    // vitest is an optional peer: only the ./contract entry may load it.
    it.each(["index.js", "index.cjs", "cli.js"])("dist/%s never imports vitest", (file) => {
      const code = readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
      expect(code).not.toMatch(/["']vitest["']/);
    });
  });
});
