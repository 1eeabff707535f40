import type { CreateLeadEvent, TicketEvent } from "@fineguide-webhooks/core";

/**
 * Escapes text for Slack's mrkdwn: `&`, `<` and `>` become `&amp;`, `&lt;` and
 * `&gt;` (Slack's own rule), so what a customer typed is shown, never
 * interpreted: `<!channel>` cannot ping a channel, `<https://evil|bank>`
 * cannot make a link, `<@U123>` cannot mention anyone.
 *
 * @example
 * ```ts
 * escapeMrkdwn("<!channel> Tom & Jerry"); // "&lt;!channel&gt; Tom &amp; Jerry"
 * ```
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** What an incoming webhook takes: `text` (mrkdwn). */
export interface SlackMessage {
  readonly text: string;
}

/** One line of a message: a label and what the customer gave (escaped), or a dash. */
const line = (label: string, value: string | null | undefined) =>
  `*${label}:* ${value === null || value === undefined || value === "" ? "–" : escapeMrkdwn(value)}`;

/**
 * The Slack message for a ticket.
 *
 * @example
 * ```ts
 * ticketMessage(ticket).text; // ":ticket: *New ticket* ...\n*From:* John Doe <john@...>"
 * ```
 */
export function ticketMessage(ticket: TicketEvent): SlackMessage {
  return {
    text: [
      ":ticket: *New ticket* from the assistant",
      line("From", `${ticket.customerName} (${ticket.customerEmail})`),
      line("Message", ticket.customerMessage),
      `_session ${escapeMrkdwn(ticket.sessionId)}_`,
    ].join("\n"),
  };
}

/**
 * The Slack message for a lead.
 *
 * @example
 * ```ts
 * leadMessage(lead).text; // ":sparkles: *New lead* ...\n*Name:* Jane Smith"
 * ```
 */
export function leadMessage(lead: CreateLeadEvent): SlackMessage {
  return {
    text: [
      ":sparkles: *New lead* from the assistant",
      line("Name", lead.name),
      line("Email", lead.email),
      line("Phone", lead.phone),
      line("Location", lead.location),
      line("Intent", lead.intent),
      `_session ${escapeMrkdwn(lead.sessionId)}_`,
    ].join("\n"),
  };
}
