import type { DedupeKey } from "./dedupe/defaultKeys.js";
import type { DeliveryContext } from "./handlers/DeliveryContext.js";
import type { Registry } from "./handlers/registry.js";
import type { Ticker, Ticking } from "./handlers/Ticker.js";
import type { Handler } from "./handlers/types.js";
import {
  DUPLICATE,
  errorResponse,
  PROCESSED,
  UNKNOWN_TYPE_PROCESSED,
  type WebhookResponse,
} from "./http/response.js";
import type { ResolvedOptions } from "./options.js";
import type { AnyEvent } from "./types.js";

/** Runs hooks; a hook's own failure is logged and changes nothing. */
export async function runHooks<A extends unknown[]>(
  hooks: readonly ((...args: A) => unknown)[],
  args: A,
  logger: ResolvedOptions["logger"],
): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook(...args);
    } catch (error) {
      logger.error({ err: error }, "fineguide-webhooks: a hook threw");
    }
  }
}

/** Every handler's failure, after all of them settled. */
async function runAll(
  handlers: readonly Handler<AnyEvent>[],
  event: AnyEvent,
  ctx: DeliveryContext,
): Promise<unknown[]> {
  if (handlers.length <= 1) {
    try {
      await handlers[0]?.(event, ctx);
      return [];
    } catch (error) {
      return [error];
    }
  }
  const results = await Promise.allSettled(handlers.map(async (h) => h(event, ctx)));
  const errors: unknown[] = [];
  for (const r of results) if (r.status === "rejected") errors.push(r.reason);
  return errors;
}

/**
 * Claims the event's key, runs its handlers under the deadline, then completes
 * or releases the claim (contract rows 8 to 14).
 */
export async function deliver(
  o: ResolvedOptions,
  registry: Registry,
  event: AnyEvent,
  dedupe: DedupeKey,
  handlers: readonly Handler<AnyEvent>[],
  ctx: DeliveryContext,
  unknownType: boolean,
  ticker: Ticker,
): Promise<WebhookResponse> {
  let claimed = false;
  if (o.store) {
    try {
      // The delivery id is random per delivery: it doubles as the claim's owner token.
      const result = await o.store.claim(dedupe.key, {
        token: ctx.deliveryId,
        leaseMs: o.leaseMs,
        mode: dedupe.mode,
        fingerprint: dedupe.fingerprint,
      });
      if (result === "duplicate") {
        o.logger.debug({ type: event.type, key: dedupe.key }, "fineguide-webhooks: duplicate");
        if (registry.duplicate.length > 0)
          await runHooks(registry.duplicate, [event, ctx], o.logger);
        return DUPLICATE;
      }
      if (result === "in_progress") return errorResponse("in_progress");
      claimed = true;
    } catch (error) {
      if (!o.failOpen) {
        o.logger.error(
          { err: error, type: event.type, key: dedupe.key },
          "fineguide-webhooks: dedupe store unreachable; answering 503 so the vendor retries",
        );
        return errorResponse("store_unavailable");
      }
      o.logger.warn(
        { err: error, type: event.type, key: dedupe.key },
        "fineguide-webhooks: dedupe store unreachable; processing WITHOUT deduplication (fail-open)",
      );
    }
  }
  const run = new Run(o, registry, event, dedupe.key, ctx, claimed, unknownType);
  return run.start(handlers, ticker);
}

/** One run of an event's handlers: the deadline, lease renewals, and the claim's outcome. */
class Run implements Ticking {
  private timedOut = false;
  private readonly deadlineAt: number;
  private nextRenewal: number;
  private resolve: (response: WebhookResponse) => void = () => {};

  constructor(
    private readonly o: ResolvedOptions,
    private readonly registry: Registry,
    private readonly event: AnyEvent,
    private readonly key: string,
    private readonly ctx: DeliveryContext,
    private readonly claimed: boolean,
    private readonly unknownType: boolean,
  ) {
    const now = Date.now();
    this.deadlineAt = now + o.deadlineMs;
    this.nextRenewal = now + o.leaseMs / 3;
  }

  start(handlers: readonly Handler<AnyEvent>[], ticker: Ticker): Promise<WebhookResponse> {
    const answer = new Promise<WebhookResponse>((resolve) => {
      this.resolve = resolve;
    });
    ticker.add(this);
    runAll(handlers, this.event, this.ctx)
      .then((errors) => this.finish(errors))
      .then((response) => {
        ticker.delete(this);
        this.resolve(response);
      });
    return answer;
  }

  /** Called by the ticker while the handlers run: renews the lease, enforces the deadline. */
  tick(now: number): void {
    const { o, key, ctx } = this;
    if (this.claimed && now >= this.nextRenewal) {
      this.nextRenewal = now + o.leaseMs / 3;
      o.store!.renew(key, ctx.deliveryId, o.leaseMs).catch((err: unknown) => {
        o.logger.error({ err, key }, "fineguide-webhooks: lease renewal failed");
      });
    }
    if (!this.timedOut && now >= this.deadlineAt) {
      this.timedOut = true;
      o.logger.warn(
        { type: this.event.type, key, deadlineMs: o.deadlineMs },
        "fineguide-webhooks: handler still running at the deadline; answering 503",
      );
      ctx.abort();
      this.resolve(errorResponse("handler_timeout"));
    }
  }
  private async finish(errors: unknown[]): Promise<WebhookResponse> {
    const { o, event, key, ctx } = this;
    if (errors.length > 0) {
      const error =
        errors.length === 1
          ? errors[0]
          : new AggregateError(errors, `${errors.length} handlers failed for ${event.type}`);
      o.logger.error({ type: event.type, key }, "fineguide-webhooks: handler failed");
      await runHooks(this.registry.error, [error, event, ctx], o.logger);
      if (this.claimed) {
        await o.store!.release(key, ctx.deliveryId).catch((err: unknown) => {
          o.logger.error({ err, key }, "fineguide-webhooks: release failed; the lease will expire");
        });
      }
      return errorResponse("handler_failed");
    }
    if (this.claimed) {
      await o.store!.complete(key, ctx.deliveryId, { ttlMs: o.ttlMs }).catch((err: unknown) => {
        o.logger.error({ err, key }, "fineguide-webhooks: complete failed after success");
      });
    }
    o.logger.debug({ type: event.type, key }, "fineguide-webhooks: processed");
    return this.unknownType ? UNKNOWN_TYPE_PROCESSED : PROCESSED;
  }
}
