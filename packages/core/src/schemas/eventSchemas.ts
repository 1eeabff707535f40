import * as z from "zod";
import type { EventType } from "../eventTypes.js";
import type { EventOf } from "../types.js";
import { jsonObject, MESSAGE_ROLES, type MessageRole, rating, uuid } from "./fields.js";

/*
 * Structure is strict (ids, rating, objects); what people typed is any string.
 * Unknown fields are kept. Fields the vendor marks "(if provided)" are optional
 * and may be null. See the receiver contract, "Validation".
 */
const optionalText = () => z.string().nullish();
const lenientRole = () => z.string() as unknown as z.ZodType<MessageRole, string>;

const session = <T extends EventType>(type: T) => ({
  type: z.literal(type),
  botId: uuid(),
  sessionId: uuid(),
});

/**
 * The default (lenient) schema of every documented event type. Its output
 * keeps unknown fields, so zod's inferred type has an index signature; the
 * exact documented types are `TicketEvent`, ... (`EventOf<T>`), which these
 * outputs are assignable to, and `extraFields(event)` reads what is not
 * documented.
 *
 * @example
 * ```ts
 * import { eventSchemas, type TicketEvent } from "@fineguide-webhooks/core";
 * const ticket: TicketEvent = eventSchemas.TICKET.parse(JSON.parse(body));
 * ```
 */
export const eventSchemas = {
  MESSAGE: z.looseObject({
    ...session("MESSAGE"),
    role: lenientRole(),
    message: z.string(),
    messageId: uuid(),
  }),
  SESSION_OPEN: z.looseObject(session("SESSION_OPEN")),
  SESSION_CLOSED: z.looseObject(session("SESSION_CLOSED")),
  TICKET: z.looseObject({
    ...session("TICKET"),
    customerName: z.string(),
    customerEmail: z.string(),
    customerMessage: z.string(),
  }),
  CREATE_LEAD: z.looseObject({
    ...session("CREATE_LEAD"),
    organizationId: z.string(),
    name: optionalText(),
    email: optionalText(),
    phone: optionalText(),
    location: optionalText(),
    intent: z.string(),
    source: z.string(),
    props: jsonObject().nullish(),
  }),
  RATE_MESSAGE: z.looseObject({
    ...session("RATE_MESSAGE"),
    messageId: uuid(),
    rating: rating(),
  }),
  MESSAGE_AUDIO_URL: z.looseObject({
    ...session("MESSAGE_AUDIO_URL"),
    messageId: uuid(),
    audioUrl: z.string(),
  }),
  VARIABLE_UPDATE: z.looseObject({
    ...session("VARIABLE_UPDATE"),
    variables: jsonObject(),
  }),
} satisfies { [T in EventType]: z.ZodType<EventOf<T>> };

/**
 * The `strict: true` schemas: unknown fields, undocumented roles, malformed
 * emails and URLs, and `null` for optional fields are all rejected. Their
 * output is exactly the documented type (`EventOf<T>`).
 *
 * @example
 * ```ts
 * import { strictEventSchemas } from "@fineguide-webhooks/core";
 * strictEventSchemas.MESSAGE.safeParse({ ...message, role: "ROBOT" }).success; // false
 * ```
 */
export const strictEventSchemas: {
  [T in EventType]: z.ZodType<EventOf<T>>;
} = {
  MESSAGE: z.strictObject({
    ...session("MESSAGE"),
    role: z.enum(MESSAGE_ROLES),
    message: z.string(),
    messageId: uuid(),
  }),
  SESSION_OPEN: z.strictObject(session("SESSION_OPEN")),
  SESSION_CLOSED: z.strictObject(session("SESSION_CLOSED")),
  TICKET: z.strictObject({
    ...session("TICKET"),
    customerName: z.string(),
    customerEmail: z.email(),
    customerMessage: z.string(),
  }),
  CREATE_LEAD: z.strictObject({
    ...session("CREATE_LEAD"),
    organizationId: z.string(),
    name: z.string().optional(),
    email: z.email().optional(),
    phone: z.string().optional(),
    location: z.string().optional(),
    intent: z.string(),
    source: z.string(),
    props: jsonObject().optional(),
  }),
  RATE_MESSAGE: z.strictObject({
    ...session("RATE_MESSAGE"),
    messageId: uuid(),
    rating: rating(),
  }),
  MESSAGE_AUDIO_URL: z.strictObject({
    ...session("MESSAGE_AUDIO_URL"),
    messageId: uuid(),
    audioUrl: z.url(),
  }),
  VARIABLE_UPDATE: z.strictObject({
    ...session("VARIABLE_UPDATE"),
    variables: jsonObject(),
  }),
};

/**
 * A discriminated union on `type` of the default schemas.
 *
 * @example
 * ```ts
 * import { fineGuideEventSchema } from "@fineguide-webhooks/core";
 * const result = fineGuideEventSchema.safeParse(payload);
 * if (result.success && result.data.type === "TICKET") notify(result.data.customerEmail);
 * ```
 */
export const fineGuideEventSchema = z.discriminatedUnion("type", [
  eventSchemas.MESSAGE,
  eventSchemas.SESSION_OPEN,
  eventSchemas.SESSION_CLOSED,
  eventSchemas.TICKET,
  eventSchemas.CREATE_LEAD,
  eventSchemas.RATE_MESSAGE,
  eventSchemas.MESSAGE_AUDIO_URL,
  eventSchemas.VARIABLE_UPDATE,
]);
