import { sha256 } from "../dedupe/sha256.js";
import { type HeadersInput, headersToRecord } from "../http/headers.js";
import type { Logger } from "../logger.js";
import type { WebhookContext } from "./types.js";

/** What `dispatch()` brings besides the event. */
export interface DeliveryExtras {
  readonly state?: unknown;
  readonly attempt?: number | undefined;
  /** A deadline other than the receiver's. */
  readonly deadlineMs?: number | undefined;
  /** An event id given by the caller (a queue's job id), instead of the computed one. */
  readonly eventId?: string | undefined;
  /** The caller's signal: one already aborted fires `ctx.signal` before the handlers start. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The `ctx` of one delivery. What costs something (the signal, the header
 * copy, the child logger, the event id) is made only when read.
 */
export class DeliveryContext implements WebhookContext<unknown, unknown> {
  readonly deliveryId: string;
  /** When the delivery arrived (epoch ms): the deadline counts from here. */
  readonly arrivedAt: number;
  readonly deadlineAt: number;
  readonly rawBody: string | Uint8Array | undefined;
  readonly request: unknown;
  readonly state: unknown;
  readonly attempt: number | undefined;
  verifiedBotId: string | undefined = undefined;
  /** The event's type, once known (for the child logger). */
  type: string | undefined = undefined;
  dedupeKey = "";
  fingerprint: string | undefined = undefined;
  /** The version of a `latest` key the store reported (0: the first, or a store that cannot tell). */
  version = 0;
  /** The store answered `reclaimed`: an earlier claim of this version was released or lapsed. */
  retry = false;
  /** What went wrong, for `onOutcome` and `dispatch()`. */
  failure: unknown = undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #controller: AbortController | undefined;
  #abortedBy: "deadline" | "shutdown" | undefined;
  #logger: Logger | undefined;
  #eventId: string | undefined;

  constructor(
    private readonly rawHeaders: HeadersInput,
    private readonly secretHeader: string,
    private readonly baseLogger: Logger,
    deliveryId: string,
    arrivedAt: number,
    deadlineMs: number,
    rawBody: string | Uint8Array | undefined,
    request: unknown,
    state: unknown,
    attempt: number | undefined,
  ) {
    this.deliveryId = deliveryId;
    this.arrivedAt = arrivedAt;
    this.deadlineAt = arrivedAt + deadlineMs;
    this.rawBody = rawBody;
    this.request = request;
    this.state = state;
    this.attempt = attempt;
  }

  get receivedAt(): Date {
    return new Date(this.arrivedAt);
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= headersToRecord(this.rawHeaders, this.secretHeader);
    return this.#headers;
  }

  get logger(): Logger {
    this.#logger ??=
      typeof this.baseLogger.child === "function"
        ? this.baseLogger.child({ deliveryId: this.deliveryId, type: this.type })
        : this.baseLogger;
    return this.#logger;
  }

  get eventId(): string {
    this.#eventId ??= eventIdOf(this.dedupeKey, this.fingerprint, this.version);
    return this.#eventId;
  }

  timeLeft(): number {
    return Math.max(0, this.deadlineAt - Date.now());
  }

  /** Sets the id given by `dispatch()` (a queue's job id). */
  useEventId(eventId: string): void {
    this.#eventId = eventId;
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

/**
 * The id of an event version: SHA-256 (base64url) of its dedupe key, and for
 * `latest` keys of its fingerprint and, from the second version the store
 * counted, of that version number. Stable across retries and processes.
 */
export function eventIdOf(dedupeKey: string, fingerprint: string | undefined, version = 0): string {
  return sha256(
    fingerprint === undefined
      ? dedupeKey
      : version > 0
        ? `${dedupeKey}\n${fingerprint}\n${version}`
        : `${dedupeKey}\n${fingerprint}`,
  );
}

const abortReason = (by: "deadline" | "shutdown") =>
  by === "deadline"
    ? new DOMException("The webhook handler deadline passed.", "TimeoutError")
    : new DOMException("The webhook receiver is shutting down.", "AbortError");
