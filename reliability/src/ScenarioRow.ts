/**
 * One row of the table: what one scenario did to its events (or requests).
 * A count left undefined does not apply to the scenario (printed `-`).
 */
export interface ScenarioRow {
  readonly scenario: string;
  /** Events sent; requests, for the hostile scenario. */
  readonly events: number;
  /** Events whose handler succeeded exactly once. */
  readonly exactlyOnce?: number | undefined;
  /** Events whose handler succeeded twice or more. */
  readonly twiceOrMore?: number | undefined;
  /** Of {@link twiceOrMore}, those in the documented crash window. */
  readonly crashWindow?: number | undefined;
  /** Of {@link twiceOrMore}, those whose claim lapsed before its complete (a stalled machine). */
  readonly claimLapsed?: number | undefined;
  /** Of {@link twiceOrMore}, those whose complete failed (the store timed out; a stalled machine). */
  readonly completeFailed?: number | undefined;
  /** Events acknowledged 2xx whose handler never succeeded. */
  readonly ackedUnprocessed?: number | undefined;
  /** Events never processed after four attempts. */
  readonly lost?: number | undefined;
  /** The share of events expected lost, from the fault rate. */
  readonly expectedLossRate?: number | undefined;
  /** Answers 500 to 599 to bad input (hostile requests). */
  readonly serverErrors?: number | undefined;
  /** Receiver processes that died without being killed by the scenario. */
  readonly crashes: number;
  readonly notes: readonly string[];
  /**
   * Invariants this run broke, whatever the machine's speed: a 2xx for an
   * event never processed, a double outside every documented window, a
   * crash, a 5xx for bad input, memory growing. Empty when it passed.
   */
  readonly violations: readonly string[];
  /**
   * What went worse than expected in a way a machine too busy for the time
   * scale can cause: more events lost than the fault rate explains, doubles
   * after a claim lapsed or a `complete` failed. A failure of the full run
   * when the machine was not {@link busy}; reported, never asserted, by the
   * short run in `npm test`.
   */
  readonly speedDependent?: readonly string[] | undefined;
  /**
   * Whether a receiver's or the sender's event loop stalled over half the
   * (scaled) lease: the machine was too busy for the time scale.
   */
  readonly busy?: boolean | undefined;
  readonly durationMs: number;
  /** More, for `--json` (e.g. the hostile answers per family). */
  readonly details?: Readonly<Record<string, unknown>>;
}
