import type { WebhookResponse } from "@fineguide-webhooks/core";
import type { Request, Response } from "express";

/** Options of the Express adapter itself (the receiver's options go to core). */
export interface ExpressAdapterOptions {
  /**
   * Called after every answer is written, for logging or metrics. It cannot
   * change the answer; an error it throws is reported with
   * `process.emitWarning` and otherwise ignored.
   *
   * @example
   * ```ts
   * fineguideWebhook(webhooks, {
   *   onResponse: (answer) => console.log(answer.status, answer.outcome),
   * });
   * ```
   */
  readonly onResponse?: (answer: WebhookResponse, req: Request, res: Response) => void;
}
