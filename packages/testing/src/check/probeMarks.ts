/**
 * The `botId` of every event `fineguide-webhooks check` sends. No FineGuide
 * assistant has it (a UUID ending in `c0de`, all zeros otherwise), so a receiver
 * can tell probes from real traffic and skip their side effects.
 *
 * @example
 * ```ts
 * import { PROBE_BOT_ID } from "@fineguide-webhooks/testing";
 * webhooks.onTicket(async (ticket) => {
 *   if (ticket.botId === PROBE_BOT_ID) return; // an audit by `fineguide-webhooks check`
 *   await helpdesk.open(ticket);
 * });
 * ```
 */
export const PROBE_BOT_ID = "00000000-0000-4000-8000-00000000c0de";

/**
 * A header every request of `fineguide-webhooks check` carries (value `check`),
 * for receivers and proxies that prefer filtering on headers.
 *
 * @example
 * ```ts
 * if (req.headers[PROBE_HEADER] === "check") log.info("audit probe");
 * ```
 */
export const PROBE_HEADER = "x-fineguide-webhooks-probe";

/**
 * The text fields of probe events (names, messages) start with this.
 *
 * @example
 * ```ts
 * if (ticket.customerMessage.startsWith(PROBE_TEXT)) return;
 * ```
 */
export const PROBE_TEXT = "fineguide-webhooks check probe";

/**
 * Whether an event was sent by `fineguide-webhooks check` (its `botId` is
 * {@link PROBE_BOT_ID}).
 *
 * @example
 * ```ts
 * webhooks.onAny((event) => {
 *   if (isProbeEvent(event)) return;
 *   analytics.track(event.type, event);
 * });
 * ```
 */
export function isProbeEvent(event: unknown): boolean {
  return (
    typeof event === "object" &&
    event !== null &&
    (event as { botId?: unknown }).botId === PROBE_BOT_ID
  );
}
