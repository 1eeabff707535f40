/**
 * `@fineguide-webhooks/core/json-schema`: JSON Schema of every documented
 * event type. A subpath of its own because zod's JSON Schema converter is
 * about a third of core's bundle and a receiver never needs it.
 *
 * @module
 */
export { type JsonSchema, jsonSchemas } from "./schemas/jsonSchemas.js";
