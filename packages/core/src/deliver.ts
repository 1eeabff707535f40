import type { ClaimResult, MaybePromise } from "./dedupe/DedupeStore.js";
import type { DedupeKey } from "./dedupe/defaultKeys.js";
import type { DeliveryContext } from "./handlers/DeliveryContext.js";
import type { Ticking } from "./handlers/Ticker.js";
import type { Handler } from "./handlers/types.js";
import {
  DUPLICATE,
  errorResponse,
  PROCESSED,
  UNKNOWN_TYPE_PROCESSED,
  type WebhookResponse,
} from "./http/response.js";
import type { ResolvedOptions } from "./options.js";
import type { Receiver } from "./receive.js";
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

const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  value instanceof Promise ||
  (typeof value === "object" &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function");

/**
 * Calls a store operation and hands its outcome on: at once when the store
 * answered synchronously, after the promise otherwise (`run.watch()` first,
 * so the deadline covers a store that hangs). A throw is a failure.
 */
function settleWith<T>(
  run: Run,
  operation: () => MaybePromise<T>,
  onValue: (value: T) => void,
  onError: (error: unknown) => void,
): void {
  let result: MaybePromise<T>;
  try {
    result = operation();
  } catch (error) {
    onError(error);
    return;
  }
  if (isThenable(result)) {
    run.watch();
    result.then(onValue, onError);
  } else onValue(result);
}

/**
 * Claims the event's key, runs its handlers under the deadline, then completes
 * or releases the claim (contract rows 8 to 14). Never rejects.
 */
export function deliver(
  r: Receiver,
  event: AnyEvent,
  dedupe: DedupeKey,
  handlers: readonly Handler<AnyEvent>[],
  ctx: DeliveryContext,
  unknownType: boolean,
): Promise<WebhookResponse> {
  const run = new Run(r, event, dedupe.key, ctx, unknownType);
  const { store, leaseMs } = r.o;
  if (!store) {
    run.start(handlers);
    return run.answer;
  }
  settleWith(
    run,
    // The delivery id is unique per delivery: it doubles as the claim's owner token.
    () =>
      store.claim(dedupe.key, {
        token: ctx.deliveryId,
        leaseMs,
        mode: dedupe.mode,
        fingerprint: dedupe.fingerprint,
      }),
    (result) => run.claimAnswered(result, handlers),
    (error) => run.storeDown(error, handlers),
  );
  return run.answer;
}

/** One delivery past validation: its claim, handlers, deadline, lease renewals and answer. */
class Run implements Ticking {
  /** The answer once known; the first one wins (the deadline's 503 over a late success). */
  private settled: WebhookResponse | undefined;
  private promise: Promise<WebhookResponse> | undefined;
  private resolvePromise: ((response: WebhookResponse) => void) | undefined;
  private holdsClaim = false;
  private timedOut = false;
  private deadlineAt = 0;
  private nextRenewal = 0;
  /** Registered with the ticker: only once something went asynchronous. */
  private watched = false;

  constructor(
    private readonly r: Receiver,
    private readonly event: AnyEvent,
    private readonly key: string,
    private readonly ctx: DeliveryContext,
    private readonly unknownType: boolean,
  ) {}

  /** The answer, as a promise (made when first asked for: often already settled by then). */
  get answer(): Promise<WebhookResponse> {
    this.promise ??= this.settled
      ? Promise.resolve(this.settled)
      : new Promise<WebhookResponse>((resolve) => {
          this.resolvePromise = resolve;
        });
    return this.promise;
  }

  private resolve(response: WebhookResponse): void {
    if (this.settled) return;
    this.settled = response;
    this.resolvePromise?.(response);
  }

  claimAnswered(result: ClaimResult, handlers: readonly Handler<AnyEvent>[]): void {
    if (result === "claimed") {
      this.holdsClaim = true;
      this.start(handlers);
      return;
    }
    if (result === "in_progress") {
      this.resolve(errorResponse("in_progress"));
      return;
    }
    const { o, registry } = this.r;
    if (o.debug)
      o.logger.debug({ type: this.event.type, key: this.key }, "fineguide-webhooks: duplicate");
    if (registry.duplicate.length === 0) {
      this.resolve(DUPLICATE);
      return;
    }
    runHooks(registry.duplicate, [this.event, this.ctx], o.logger).then(() =>
      this.resolve(DUPLICATE),
    );
  }

  storeDown(error: unknown, handlers: readonly Handler<AnyEvent>[]): void {
    const { o } = this.r;
    const fields = { err: error, type: this.event.type, key: this.key };
    if (!o.failOpen) {
      o.logger.error(
        fields,
        "fineguide-webhooks: dedupe store unreachable; answering 503 so the vendor retries",
      );
      this.resolve(errorResponse("store_unavailable"));
      return;
    }
    o.logger.warn(
      fields,
      "fineguide-webhooks: dedupe store unreachable; processing WITHOUT deduplication (fail-open)",
    );
    this.start(handlers);
  }

  /**
   * Runs the handlers under the deadline. Synchronous handlers settle without
   * a detour through promises, and a run that ends synchronously never joins
   * the ticker.
   */
  start(handlers: readonly Handler<AnyEvent>[]): void {
    const { o } = this.r;
    const now = Date.now();
    this.deadlineAt = now + o.deadlineMs;
    this.nextRenewal = now + o.leaseMs / 3;
    const { event, ctx } = this;
    if (handlers.length <= 1) {
      let result: unknown;
      try {
        result = handlers[0]?.(event, ctx);
      } catch (error) {
        this.fail([error]);
        return;
      }
      if (isThenable(result)) {
        this.watch();
        result.then(
          () => this.succeed(),
          (error: unknown) => this.fail([error]),
        );
      } else this.succeed();
      return;
    }
    this.watch();
    Promise.allSettled(handlers.map(async (h) => h(event, ctx))).then((results) => {
      const errors: unknown[] = [];
      for (const r of results) if (r.status === "rejected") errors.push(r.reason);
      if (errors.length > 0) this.fail(errors);
      else this.succeed();
    });
  }

  /**
   * Puts a started run under the ticker (deadline, lease renewals) while it
   * waits on a handler or on the store.
   */
  watch(): void {
    if (this.watched || this.deadlineAt === 0) return;
    this.watched = true;
    this.r.ticker.add(this);
  }

  /** Called by the ticker while the handlers run: renews the lease, enforces the deadline. */
  tick(now: number): void {
    const { o } = this.r;
    const { key, ctx } = this;
    if (this.holdsClaim && now >= this.nextRenewal) {
      this.nextRenewal = now + o.leaseMs / 3;
      settleWith(
        this,
        () => o.store!.renew(key, ctx.deliveryId, o.leaseMs),
        () => {},
        (err) => o.logger.error({ err, key }, "fineguide-webhooks: lease renewal failed"),
      );
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

  private succeed(): void {
    const { o } = this.r;
    const { key, ctx } = this;
    const response = this.unknownType ? UNKNOWN_TYPE_PROCESSED : PROCESSED;
    if (o.debug) o.logger.debug({ type: this.event.type, key }, "fineguide-webhooks: processed");
    if (!this.holdsClaim) {
      this.settle(response);
      return;
    }
    settleWith(
      this,
      () => o.store!.complete(key, ctx.deliveryId, { ttlMs: o.ttlMs }),
      () => this.settle(response),
      (err) => {
        o.logger.error({ err, key }, "fineguide-webhooks: complete failed after success");
        this.settle(response);
      },
    );
  }

  private fail(errors: unknown[]): void {
    const { o, registry } = this.r;
    const { event, key, ctx } = this;
    const error =
      errors.length === 1
        ? errors[0]
        : new AggregateError(errors, `${errors.length} handlers failed for ${event.type}`);
    o.logger.error({ type: event.type, key }, "fineguide-webhooks: handler failed");
    const answer = errorResponse("handler_failed");
    this.watch(); // the error hooks and the release may take time
    runHooks(registry.error, [error, event, ctx], o.logger).then(() => {
      if (!this.holdsClaim) {
        this.settle(answer);
        return;
      }
      settleWith(
        this,
        () => o.store!.release(key, ctx.deliveryId),
        () => this.settle(answer),
        (err) => {
          o.logger.error({ err, key }, "fineguide-webhooks: release failed; the lease will expire");
          this.settle(answer);
        },
      );
    });
  }

  private settle(response: WebhookResponse): void {
    if (this.watched) this.r.ticker.delete(this);
    this.resolve(response);
  }
}
