import * as z from "zod";

/** A documented set of values, widened with `string` so a new value is still accepted. */
export type Widened<T extends string> = T | (string & {});

/** Who sent a MESSAGE, as documented. */
export const MESSAGE_ROLES = ["USER", "ASSISTANT", "OPERATOR"] as const;
/** Who sent a MESSAGE: a documented role, or a new one the vendor added. */
export type MessageRole = Widened<(typeof MESSAGE_ROLES)[number]>;

/** UUID shape, any version (the vendor's ids are UUIDs). */
export const uuid = () => z.guid({ error: "Expected a UUID" });

/** A JSON object (`variables`, `props`). */
export const jsonObject = () =>
  z.record(z.string(), z.unknown(), { error: "Expected a JSON object" });

/** A thumbs up (1) or down (-1). */
export const rating = () => z.union([z.literal(1), z.literal(-1)], { error: "Expected 1 or -1" });
