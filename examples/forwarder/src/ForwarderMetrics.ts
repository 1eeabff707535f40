/** What {@link ForwarderMetrics.snapshot} answers (the JSON of `GET /metrics`). */
export interface MetricsSnapshot {
  /** When counting started (ISO 8601). */
  readonly since: string;
  /** Deliveries answered, whatever the answer. */
  readonly deliveries: number;
  /** Deliveries by the kit's outcome: `processed`, `duplicate`, `unauthorized`, ... */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Outcomes by event type (`-` before a type was known: 401, malformed JSON). */
  readonly types: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Events the downstream accepted, by the bot whose secret matched. */
  readonly forwarded: Readonly<Record<string, number>>;
  readonly downstream: {
    /** Requests made to the downstream. */
    readonly requests: number;
    /** Of which retries within a delivery (after a 5xx, a 429, a connection error). */
    readonly retries: number;
    /** Requests by the status answered; `error` when none (connection refused or reset). */
    readonly statuses: Readonly<Record<string, number>>;
  };
}

/** Distinct event types counted separately; more (junk from a valid sender) go to `(other)`. */
const MAX_TYPES = 64;
const OTHER = "(other)";
const NO_TYPE = "-";

const bump = (counts: Map<string, number>, key: string, by = 1) =>
  counts.set(key, (counts.get(key) ?? 0) + by);

/** Prometheus label values: backslash, double quote and newline escaped. */
const label = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

/**
 * The forwarder's counters: every delivery's outcome (fed by the kit's
 * `onOutcome`), every request to the downstream, every event forwarded. Read
 * them as JSON (`snapshot()`) or in Prometheus' text format (`prometheus()`).
 * Counts are kept in `Map`s, so an event type named `__proto__` is just a name.
 *
 * @example
 * ```ts
 * const metrics = new ForwarderMetrics();
 * webhooks.onOutcome((info) => metrics.recordOutcome(info));
 * metrics.snapshot().outcomes; // { processed: 3, duplicate: 1 }
 * ```
 */
export class ForwarderMetrics {
  private readonly since = new Date();
  private deliveries = 0;
  private readonly outcomes = new Map<string, number>();
  private readonly types = new Map<string, Map<string, number>>();
  private readonly forwardedByBot = new Map<string, number>();
  private requests = 0;
  private retries = 0;
  private readonly statuses = new Map<string, number>();

  /** One delivery answered (the kit's `OutcomeInfo` fits). */
  recordOutcome(info: { readonly outcome: string; readonly type: string | undefined }): void {
    this.deliveries++;
    bump(this.outcomes, info.outcome);
    let type = info.type ?? NO_TYPE;
    if (!this.types.has(type) && this.types.size >= MAX_TYPES) type = OTHER;
    let byOutcome = this.types.get(type);
    if (!byOutcome) {
      byOutcome = new Map();
      this.types.set(type, byOutcome);
    }
    bump(byOutcome, info.outcome);
  }

  /** One request to the downstream; `attempt` > 1 is a retry. */
  recordRequest(attempt: number, status: number | undefined): void {
    this.requests++;
    if (attempt > 1) this.retries++;
    bump(this.statuses, status === undefined ? "error" : String(status));
  }

  /** One event the downstream accepted, for `botId`. */
  recordForwarded(botId: string): void {
    bump(this.forwardedByBot, botId);
  }

  /** Every counter, as plain JSON. */
  snapshot(): MetricsSnapshot {
    return {
      since: this.since.toISOString(),
      deliveries: this.deliveries,
      outcomes: Object.fromEntries(this.outcomes),
      types: Object.fromEntries(
        [...this.types].map(([type, counts]) => [type, Object.fromEntries(counts)]),
      ),
      forwarded: Object.fromEntries(this.forwardedByBot),
      downstream: {
        requests: this.requests,
        retries: this.retries,
        statuses: Object.fromEntries(this.statuses),
      },
    };
  }

  /** Every counter in Prometheus' text exposition format (0.0.4). */
  prometheus(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    counter(
      "fineguide_forwarder_deliveries_total",
      "Webhook deliveries answered, by outcome and event type.",
      [...this.types].flatMap(([type, counts]) =>
        [...counts].map(([outcome, n]): [string, number] => [
          `{outcome="${label(outcome)}",type="${label(type)}"}`,
          n,
        ]),
      ),
    );
    counter(
      "fineguide_forwarder_forwarded_total",
      "Events the downstream accepted, by bot.",
      [...this.forwardedByBot].map(([bot, n]) => [`{bot="${label(bot)}"}`, n]),
    );
    counter(
      "fineguide_forwarder_downstream_requests_total",
      "Requests made to the downstream, by status (error: no answer).",
      [...this.statuses].map(([status, n]) => [`{status="${label(status)}"}`, n]),
    );
    counter("fineguide_forwarder_downstream_retries_total", "Retries within a delivery.", [
      ["", this.retries],
    ]);
    return `${lines.join("\n")}\n`;
  }
}
