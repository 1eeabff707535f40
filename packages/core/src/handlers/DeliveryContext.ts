import { type HeadersInput, headersToRecord } from "../http/headers.js";
import type { Logger } from "../logger.js";
import type { WebhookContext } from "./types.js";

/** The `ctx` of one delivery; the signal and header copy are made only when read. */
export class DeliveryContext implements WebhookContext {
  readonly deliveryId: string;
  /** When the delivery arrived (epoch ms): the deadline counts from here. */
  readonly arrivedAt: number;
  readonly logger: Logger;
  dedupeKey = "";
  fingerprint: string | undefined = undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #controller: AbortController | undefined;
  #abortedBy: "deadline" | "shutdown" | undefined;

  constructor(
    private readonly rawHeaders: HeadersInput,
    private readonly secretHeader: string,
    logger: Logger,
    deliveryId: string,
    arrivedAt: number,
  ) {
    this.deliveryId = deliveryId;
    this.logger = logger;
    this.arrivedAt = arrivedAt;
  }

  get receivedAt(): Date {
    return new Date(this.arrivedAt);
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= headersToRecord(this.rawHeaders, this.secretHeader);
    return this.#headers;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortedBy) this.#controller.abort(abortReason(this.#abortedBy));
    }
    return this.#controller.signal;
  }

  /** Fires the signal: at the deadline, or when the receiver closes. */
  abort(by: "deadline" | "shutdown"): void {
    if (this.#abortedBy) return;
    this.#abortedBy = by;
    this.#controller?.abort(abortReason(by));
  }
}

const abortReason = (by: "deadline" | "shutdown") =>
  by === "deadline"
    ? new DOMException("The webhook handler deadline passed.", "TimeoutError")
    : new DOMException("The webhook receiver is shutting down.", "AbortError");
