import { errorResponse, type WebhookResponse } from "@fineguide-webhooks/core";
import type { Request, Response } from "express";
import type { ExpressAdapterOptions } from "./options.js";
import { drain } from "./requestBody.js";

/** Writes core's answer, then discards the body's rest and tells `onResponse`. */
export type Answer = (answer: WebhookResponse, req: Request, res: Response) => void;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Builds the function that writes core's answer as it is (status, every
 * header, the JSON text), discards what is left of the body, then tells
 * `onResponse`.
 */
export function answerWith(options: ExpressAdapterOptions): Answer {
  const { onResponse } = options;
  return (answer, req, res) => {
    if (res.headersSent) return;
    try {
      res.statusCode = answer.status;
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      res.end(answer.body);
    } catch (error) {
      // Nothing went out: take back the headers of the answer that could not be written.
      if (!res.headersSent) for (const name of Object.keys(answer.headers)) res.removeHeader(name);
      throw error;
    }
    drain(req);
    if (!onResponse) return;
    try {
      onResponse(answer, req, res);
    } catch (error) {
      process.emitWarning(`fineguide-webhooks: onResponse threw: ${messageOf(error)}`);
    }
  };
}

/**
 * Answers an error that escaped the adapter's own path (core's `receive()`,
 * writing the answer) with core's 500 `internal_error`, the contract's JSON,
 * instead of Express's HTML error page. Reported with `process.emitWarning`.
 * When the answer had already started, the response is ended where it is
 * (the client sees no 2xx, so the vendor retries). Never throws.
 */
export function answerUnexpected(
  answer: Answer,
  error: unknown,
  req: Request,
  res: Response,
): void {
  try {
    process.emitWarning(`fineguide-webhooks: unexpected error, answered 500: ${messageOf(error)}`);
  } catch {}
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  try {
    answer(errorResponse("internal_error"), req, res);
  } catch {
    res.destroy();
  }
}
