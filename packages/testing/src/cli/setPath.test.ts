import { describe, expect, it } from "vitest";
import { UsageError } from "./args.js";
import { parseValue, setPath } from "./setPath.js";

describe("setPath", () => {
  it("sets top-level and dotted paths on a copy", () => {
    const event = { type: "CREATE_LEAD", props: { campaign: "spring" } };
    const out = setPath(setPath(event, "props.referrer=google"), "name=Jane Smith");
    expect(out).toEqual({
      type: "CREATE_LEAD",
      name: "Jane Smith",
      props: { campaign: "spring", referrer: "google" },
    });
    expect(event).toEqual({ type: "CREATE_LEAD", props: { campaign: "spring" } });
  });

  it("creates objects on the way", () => {
    expect(setPath({}, "variables.plan.tier=2")).toEqual({ variables: { plan: { tier: 2 } } });
  });

  it("reads values as JSON when they parse, else as text", () => {
    expect(parseValue("-1")).toBe(-1);
    expect(parseValue("null")).toBeNull();
    expect(parseValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseValue('"123"')).toBe("123");
    expect(parseValue("ada@example.com")).toBe("ada@example.com");
    expect(parseValue("")).toBe("");
  });

  it("refuses malformed assignments and prototype paths", () => {
    expect(() => setPath({}, "novalue")).toThrow(UsageError);
    expect(() => setPath({}, "=1")).toThrow(UsageError);
    expect(() => setPath({}, "a..b=1")).toThrow(UsageError);
    expect(() => setPath({}, "__proto__.polluted=1")).toThrow(UsageError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
