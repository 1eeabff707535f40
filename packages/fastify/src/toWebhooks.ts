import { createWebhooks, type Webhooks, type WebhooksOptions } from "@fineguide-webhooks/core";

/**
 * The receiver to use: the `Webhooks` instance given, or one created from
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
