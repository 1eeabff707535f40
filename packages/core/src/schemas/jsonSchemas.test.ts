import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../eventTypes.js";
import { jsonSchemas } from "./jsonSchemas.js";

describe("jsonSchemas", () => {
  it.each(EVENT_TYPES)("describes %s with its type constant and required structure", (type) => {
    const schema = jsonSchemas[type] as {
      type: string;
      properties: Record<string, { const?: string }>;
      required: string[];
    };
    expect(schema.type).toBe("object");
    expect(schema.properties.type?.const).toBe(type);
    expect(schema.required).toEqual(expect.arrayContaining(["type", "botId", "sessionId"]));
  });

  it("marks ids as UUIDs and lead details as optional", () => {
    const message = jsonSchemas.MESSAGE as { properties: Record<string, { format?: string }> };
    expect(message.properties.messageId?.format).toBe("uuid");
    const lead = jsonSchemas.CREATE_LEAD as { required: string[] };
    expect(lead.required).not.toContain("email");
  });
});
