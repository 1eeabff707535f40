import * as z from "zod";
import type { EventType } from "../eventTypes.js";
import { eventSchemas } from "./eventSchemas.js";

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * JSON Schema (draft 2020-12) of every documented event type, made by zod's
 * own converter from the default schemas.
 *
 * @example
 * ```ts
 * import { jsonSchemas } from "@fineguide-webhooks/core/json-schema";
 * writeFileSync("ticket.schema.json", JSON.stringify(jsonSchemas.TICKET, null, 2));
 * ```
 */
export const jsonSchemas: { readonly [T in EventType]: JsonSchema } = Object.fromEntries(
  Object.entries(eventSchemas).map(([type, schema]) => [type, z.toJSONSchema(schema)]),
) as unknown as { [T in EventType]: JsonSchema };
