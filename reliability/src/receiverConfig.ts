/**
 * What a child receiver is told to be: its store, its injected fault and its
 * (time-scaled) deadline and lease. Sent to the child over IPC.
 */

/**
 * What a handler call does wrong, for `faultRate` of its calls:
 * - `none`: nothing;
 * - `fail`: throws before recording its effect;
 * - `slow`: runs twice the deadline, honouring `ctx.signal` (aborted at the
 *   deadline, it throws and records nothing);
 * - `ignore-signal`: runs 1.2 times the deadline, ignores `ctx.signal`, then
 *   records its effect (after the 503 was answered, within the lease);
 * - `never-settle`: returns a promise that never settles, records nothing.
 */
export type Fault = "none" | "fail" | "slow" | "ignore-signal" | "never-settle";

/** Options of one child receiver (`receiverProcess.ts`). */
export interface ReceiverConfig {
  readonly secret: string;
  readonly store: "memory" | "redis";
  /** With `store: "redis"`. */
  readonly redisUrl?: string;
  /** Key prefix in Redis, so scenarios sharing a server do not meet. */
  readonly prefix?: string;
  /**
   * The Redis store's (and client's) operation timeout, in ms. Default 1000,
   * the store's own, not scaled: the receiver's scaled deadline answers a
   * store that hangs, and a scaled one (10 ms) would fail on every stall.
   */
  readonly storeTimeoutMs?: number;
  readonly fault: Fault;
  /** The share of handler calls that go wrong, 0 to 1. */
  readonly faultRate: number;
  /** core's `deadlineMs` (scaled from 25 s); core's default when undefined. */
  readonly deadlineMs: number | undefined;
  /** core's `leaseMs` (scaled from 45 s); core's default when undefined. */
  readonly leaseMs: number | undefined;
  /** Every handler call first works a random 0 to `workMs` ms. */
  readonly workMs: number;
  /**
   * Where successful handler calls append `<eventId>\t<pid>\t<epoch ms>`
   * lines; omit to record nothing.
   */
  readonly effectsFile?: string;
}
