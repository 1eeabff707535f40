import type { WebhookResponse } from "@fineguide-webhooks/core";
import type { Request, Response } from "express";
import type { ExpressAdapterOptions } from "./options.js";
import { drain } from "./requestBody.js";

/**
 * Builds the function that writes core's answer as it is (status, every
 * header, the JSON text), discards what is left of the body, then tells
 * `onResponse`.
 */
export function answerWith(
  options: ExpressAdapterOptions,
): (answer: WebhookResponse, req: Request, res: Response) => void {
  const { onResponse } = options;
  return (answer, req, res) => {
    if (res.headersSent) return;
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(answer.body);
    drain(req);
    if (!onResponse) return;
    try {
      onResponse(answer, req, res);
    } catch (error) {
      process.emitWarning(
        `fineguide-webhooks: onResponse threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
