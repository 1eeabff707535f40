import type { Logger } from "@fineguide-webhooks/core";
import { notClaimedHere } from "./errors.js";

/**
 * What the SQL stores answer to a claim: core's three plain answers (they
 * report no retries and no versions).
 *
 * @example
 * ```ts
 * const answer: SqlClaimResult = await store.claim(key, { token, leaseMs: 45_000, mode: "once" });
 * ```
 */
export type SqlClaimResult = "claimed" | "duplicate" | "in_progress";

/** A claim this store instance made and core has not completed or released yet. */
export interface Held<Tx> {
  readonly key: string;
  readonly leaseMs: number;
  /** The delivery's transaction, once a transactional handler opened it. */
  tx: Tx | undefined;
}

/**
 * The claims held in this process, by owner token (core's delivery id), so
 * that a transactional handler finds its delivery's claim and `complete` /
 * `release` find its transaction. Core completes or releases every claim it
 * got, so entries do not pile up.
 */
export class HeldClaims<Tx> {
  private readonly byToken = new Map<string, Held<Tx>>();

  add(token: string, key: string, leaseMs: number): void {
    this.byToken.set(token, { key, leaseMs, tx: undefined });
  }

  /** The claim a transactional handler's delivery holds, or the error to throw. */
  of(ctx: { readonly deliveryId: string; readonly dedupeKey: string }): Held<Tx> {
    const held = this.byToken.get(ctx.deliveryId);
    if (held === undefined || held.key !== ctx.dedupeKey) throw notClaimedHere(ctx.deliveryId);
    return held;
  }

  /** Forgets the claim of `token` on `key` (core is completing or releasing it). */
  take(token: string, key: string): Held<Tx> | undefined {
    const held = this.byToken.get(token);
    if (held === undefined || held.key !== key) return undefined;
    this.byToken.delete(token);
    return held;
  }

  get size(): number {
    return this.byToken.size;
  }
}

/** Logs without ever throwing (a logger's failure must not change an answer). */
export function warn(
  logger: Logger | undefined,
  fields: Record<string, unknown>,
  message: string,
): void {
  try {
    logger?.warn(fields, message);
  } catch {}
}

/**
 * The message for a claim released after its transaction committed: a
 * handler outside the transaction failed after the commit.
 */
export const RELEASED_AFTER_COMMIT =
  "fineguide-webhooks/sql: a handler failed after this delivery's transaction committed; the " +
  "event stays done (its retry is a duplicate). Wrap every handler of the event type in " +
  "transactional() so one failure rolls all of them back.";
