import type { DeliveryContext } from "./handlers/DeliveryContext.js";
import type { OutcomeInfo } from "./handlers/types.js";
import type { ValidationIssue } from "./http/errors.js";
import type { WebhookResponse } from "./http/response.js";
import type { Receiver } from "./receive.js";

/**
 * What `onOutcome` and `dispatch()` need beyond the answer: made only when
 * one of them asks, so a receiver without them pays nothing.
 */
export class Trace {
  ctx: DeliveryContext | undefined = undefined;
  issues: readonly ValidationIssue[] | undefined = undefined;
  error: unknown = undefined;

  constructor(
    readonly deliveryId: string,
    readonly arrivedAt: number,
  ) {}

  info(res: WebhookResponse): OutcomeInfo {
    const { ctx } = this;
    const keyed = ctx !== undefined && ctx.dedupeKey !== "" ? ctx : undefined;
    return {
      outcome: res.outcome,
      status: res.status,
      type: ctx?.type,
      deliveryId: this.deliveryId,
      dedupeKey: keyed?.dedupeKey,
      // Made now, a plain field: an object literal with a getter costs V8 more to build than
      // the SHA-256 it would spare, and a getter on a class would be lost to spread copies.
      eventId: keyed?.eventId,
      retry: ctx?.retry === true,
      durationMs: Date.now() - this.arrivedAt,
      error: ctx?.failure ?? this.error,
      issues: this.issues,
    };
  }
}

/** Calls the `onOutcome` hooks, not awaited; a throw or rejection is logged. */
export function reportOutcome(r: Receiver, info: OutcomeInfo): void {
  for (const hook of r.registry.outcome) {
    try {
      const result = hook(info);
      if (result instanceof Promise) result.catch((err) => logHookError(r, err));
    } catch (err) {
      logHookError(r, err);
    }
  }
}

const logHookError = (r: Receiver, err: unknown) =>
  r.o.logger.error({ err }, "fineguide-webhooks: an onOutcome hook threw");
