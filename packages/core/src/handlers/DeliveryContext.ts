import { type HeadersInput, headersToRecord } from "../http/headers.js";
import type { Logger } from "../logger.js";
import type { WebhookContext } from "./types.js";

/** The `ctx` of one delivery; the signal and header copy are made only when read. */
export class DeliveryContext implements WebhookContext {
  readonly deliveryId: string;
  readonly #receivedAt = Date.now();
  readonly logger: Logger;
  dedupeKey = "";
  fingerprint: string | undefined = undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #controller: AbortController | undefined;
  #aborted = false;

  constructor(
    private readonly rawHeaders: HeadersInput,
    private readonly secretHeader: string,
    logger: Logger,
    deliveryId: string,
  ) {
    this.deliveryId = deliveryId;
    this.logger = logger;
  }

  get receivedAt(): Date {
    return new Date(this.#receivedAt);
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= headersToRecord(this.rawHeaders, this.secretHeader);
    return this.#headers;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(deadlineReason());
    }
    return this.#controller.signal;
  }

  /** Fires the signal (at the deadline). */
  abort(): void {
    this.#aborted = true;
    this.#controller?.abort(deadlineReason());
  }
}

const deadlineReason = () =>
  new DOMException("The webhook handler deadline passed.", "TimeoutError");
