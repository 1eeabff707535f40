import { createWebhooks, type Webhooks } from "./createWebhooks.js";
import type { WebhooksOptions } from "./options.js";

/**
 * For adapters: the `Webhooks` instance given, or one created from
 * the options given (an instance is told from options by its `receive`).
 *
 * @example
 * ```ts
 * toWebhooks({ secret: "s" }).receive; // a fresh receiver
 * toWebhooks(webhooks) === webhooks; // true
 * ```
 */
export function toWebhooks(webhooksOrOptions: Webhooks | WebhooksOptions): Webhooks {
  return typeof (webhooksOrOptions as Partial<Webhooks>).receive === "function"
    ? (webhooksOrOptions as Webhooks)
    : createWebhooks(webhooksOrOptions as WebhooksOptions);
}
