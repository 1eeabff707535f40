import type { AnyEvent, WebhookResponse } from "@fineguide-webhooks/core";

const MAX = 60;

const clip = (text: unknown) => {
  const s = typeof text === "string" ? text.replaceAll(/\s+/g, " ") : String(text);
  return JSON.stringify(s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);
};
const short = (id: unknown) => (typeof id === "string" ? id.slice(0, 8) : "?");

/**
 * A few words about an event: what a developer wants to see scroll by.
 *
 * @example
 * ```ts
 * summarize(vendorExamples.MESSAGE); // 'USER: "Hi, I need help with my order" (session b8e034be)'
 * ```
 */
export function summarize(event: AnyEvent): string {
  const e = event as AnyEvent & Record<string, unknown>;
  const session = `session ${short(e.sessionId)}`;
  switch (e.type) {
    case "MESSAGE":
      return `${String(e.role)}: ${clip(e.message)} (${session})`;
    case "SESSION_OPEN":
    case "SESSION_CLOSED":
      return session;
    case "TICKET":
      return `from ${clip(e.customerName)}: ${clip(e.customerMessage)} (${session})`;
    case "CREATE_LEAD":
      return `lead ${clip(e.name ?? e.email ?? "anonymous")}, intent ${clip(e.intent)} (${session})`;
    case "RATE_MESSAGE":
      return `rating ${e.rating === 1 ? "+1" : String(e.rating)} on message ${short(e.messageId)}`;
    case "MESSAGE_AUDIO_URL":
      return `audio for message ${short(e.messageId)}`;
    case "VARIABLE_UPDATE":
      return `variables ${Object.keys((e.variables as object | null) ?? {}).join(", ") || "(none)"} (${session})`;
    default:
      return `undocumented type, fields ${Object.keys(e).join(", ")}`;
  }
}

/**
 * One log line per delivery: local time, type, outcome, a short summary. Never the
 * secret, never headers; for a rejected delivery, only core's error message.
 *
 * @example
 * ```ts
 * formatDelivery(new Date(), answer, event.type, event);
 * // 09:12:01.734  MESSAGE            processed               USER: "Hi, I need help with my order" (session b8e034be)
 * ```
 */
export function formatDelivery(
  at: Date,
  answer: WebhookResponse,
  type?: string,
  event?: AnyEvent,
): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
  let summary: string;
  if (event && answer.status < 300) summary = summarize(event);
  else if (answer.status >= 300) summary = `${answer.status} ${errorMessage(answer.body)}`;
  else summary = "";
  return `${time}  ${(type ?? "-").padEnd(17)}  ${answer.outcome.padEnd(22)}  ${summary}`.trimEnd();
}

const errorMessage = (body: string) => {
  try {
    return (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? "";
  } catch {
    return "";
  }
};
