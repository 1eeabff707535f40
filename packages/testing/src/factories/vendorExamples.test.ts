import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  EVENT_TYPES,
  type EventOf,
  eventSchemas,
  type TicketEvent,
} from "@fineguide-webhooks/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { vendorExamples } from "./vendorExamples.js";

/*
 * A copy of the vendor's page (as text) is kept in the repository, so these
 * tests run in every clone. Where the project's shared/ folder sits beside
 * the repo, the copy is also compared with it, to notice a newer page.
 */
const page = fileURLToPath(new URL("./fixtures/fineguide-assistant-webhooks.txt", import.meta.url));
const shared = fileURLToPath(
  new URL("../../../../../shared/reference/fineguide-assistant-webhooks.txt", import.meta.url),
);

/** The JSON block of `type` as printed on the page, parsed. */
function printedExample(text: string, type: string): unknown {
  const start = text.indexOf(`{\n"type": "${type}"`);
  if (start === -1) throw new Error(`no example for ${type} on the page`);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`unterminated example for ${type}`);
}

describe("vendorExamples", () => {
  it("has one example per documented type, in the page's order", () => {
    expect(Object.keys(vendorExamples)).toEqual([...EVENT_TYPES]);
  });

  it.each(EVENT_TYPES)("%s parses with core's default schema", (type) => {
    expect(eventSchemas[type].safeParse(vendorExamples[type]).error).toBeUndefined();
  });

  it.each(EVENT_TYPES)("%s is exactly the page's example", (type) => {
    const text = readFileSync(page, "utf8");
    expect(vendorExamples[type]).toStrictEqual(printedExample(text, type));
  });

  it.runIf(existsSync(shared))("the repository's copy of the page is the shared one", () => {
    expect(readFileSync(page, "utf8")).toBe(readFileSync(shared, "utf8"));
  });

  it("cannot be changed by a test", () => {
    expect(Object.isFrozen(vendorExamples.CREATE_LEAD)).toBe(true);
    expect(Object.isFrozen(vendorExamples.CREATE_LEAD.props)).toBe(true);
  });

  it("is typed per event type", () => {
    expectTypeOf(vendorExamples.TICKET).toEqualTypeOf<Readonly<TicketEvent>>();
    expectTypeOf(vendorExamples.RATE_MESSAGE.rating).toEqualTypeOf<1 | -1>();
    expectTypeOf(vendorExamples)
      .toHaveProperty("VARIABLE_UPDATE")
      .toEqualTypeOf<Readonly<EventOf<"VARIABLE_UPDATE">>>();
  });
});
