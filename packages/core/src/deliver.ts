import type { ClaimResult, MaybePromise, VersionedClaim } from "./dedupe/DedupeStore.js";
import type { DedupeKey } from "./dedupe/defaultKeys.js";
import type { DeliveryContext } from "./handlers/DeliveryContext.js";
import type { StoredHandler } from "./handlers/registry.js";
import type { Ticking } from "./handlers/Ticker.js";
import type { AroundHandlers } from "./handlers/types.js";
import {
  DUPLICATE,
  errorResponse,
  PROCESSED,
  UNKNOWN_TYPE_PROCESSED,
  type WebhookResponse,
} from "./http/response.js";
import { NotProcessedError } from "./NotProcessedError.js";
import type { ResolvedOptions } from "./options.js";
import type { Receiver } from "./receive.js";
import { ServiceUnavailableError } from "./ServiceUnavailableError.js";
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
 * Hands on a promised outcome (of a store call or a handler) once it settles,
 * under the deadline: `run.watch()` first, so the deadline covers one that
 * hangs. Callers call the operation themselves and come here only when it
 * answered a promise, so a synchronous answer allocates no callbacks.
 */
function later<T>(
  run: Run,
  promise: PromiseLike<T>,
  onValue: (value: T) => void,
  onError: (error: unknown) => void,
): void {
  run.watch();
  promise.then(run.guard(onValue), run.guard(onError));
}

/**
 * Calls `operation` (a store call or a handler) and hands its outcome on: at
 * once when it answered synchronously, after the promise otherwise (see
 * {@link later}). A throw, a rejection or a `then` that throws is a failure.
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
    if (isThenable(result)) {
      later(run, result, onValue, onError);
      return;
    }
  } catch (error) {
    onError(error);
    return;
  }
  onValue(result);
}

/** A store's answer in an error message: strings quoted, objects as JSON where they can be. */
function describe(answer: unknown): string {
  if (typeof answer === "string") return JSON.stringify(answer);
  if (typeof answer === "object" && answer !== null) {
    try {
      return JSON.stringify(answer);
    } catch {}
  }
  return String(answer);
}

/**
 * Claims the event's key, runs its handlers under the deadline, then completes
 * or releases the claim (contract rows 8 to 14). Never rejects.
 */
export function deliver(
  r: Receiver,
  event: AnyEvent,
  dedupe: DedupeKey,
  handlers: readonly StoredHandler[],
  ctx: DeliveryContext,
  unknownType: boolean,
  fresh: boolean,
): Promise<WebhookResponse> {
  const run = new Run(r, event, dedupe, handlers, ctx, unknownType);
  // A delivery that arrived just now (not read lazily, no earlier receivedAt) has its deadline ahead.
  if (!fresh && Date.now() >= run.deadlineAt) {
    // The body or the event loop took the whole deadline: claim nothing, the vendor retries.
    run.timeOut();
  } else if (r.o.store) run.claim();
  else run.start();
  return run.answer;
}

/**
 * One delivery past validation: its claim (and, for a busy `latest` key, its
 * place in the queue behind the running version), handlers, deadline, lease
 * renewals and answer.
 */
export class Run implements Ticking {
  /** When the answer is due at the latest (from the delivery's arrival). */
  readonly deadlineAt: number;
  /** The answer once known; the first one wins (the deadline's 503 over a late success). */
  private settled: WebhookResponse | undefined;
  private promise: Promise<WebhookResponse> | undefined;
  private resolvePromise: ((response: WebhookResponse) => void) | undefined;
  private holdsClaim = false;
  /** The deadline passed (or the receiver closed): no more renewals, polls or answers. */
  private expired = false;
  /** A claim call is waiting for the store. */
  private claiming = false;
  /** Queued behind the running version of its `latest` key. */
  private queued = false;
  /** The handlers were started (their signal fires at the deadline). */
  private running = false;
  /** What the deadline answers, by what the run waits on. */
  private late: "handler_timeout" | "store_unavailable" | "in_progress" | "duplicate" =
    "handler_timeout";
  private nextRenewal = 0;
  private nextPoll = 0;
  /** Registered with the ticker and the receiver's in-flight runs. */
  private watched = false;

  constructor(
    private readonly r: Receiver,
    private readonly event: AnyEvent,
    private readonly dedupe: DedupeKey,
    private readonly handlers: readonly StoredHandler[],
    private readonly ctx: DeliveryContext,
    private readonly unknownType: boolean,
  ) {
    this.deadlineAt = ctx.deadlineAt;
  }

  /** The answer, as a promise (made when first asked for: often already settled by then). */
  get answer(): Promise<WebhookResponse> {
    this.promise ??= this.settled
      ? Promise.resolve(this.settled)
      : new Promise<WebhookResponse>((resolve) => {
          this.resolvePromise = resolve;
        });
    return this.promise;
  }

  /**
   * Wraps a callback of the run: whatever it throws (a bug, a store's odd
   * answer) answers the contract's 500 instead of leaving the delivery open.
   */
  guard<T>(callback: (value: T) => void): (value: T) => void {
    return (value) => {
      try {
        callback(value);
      } catch (error) {
        this.r.o.logger.error(
          { err: error, deliveryId: this.ctx.deliveryId },
          "fineguide-webhooks: unexpected error",
        );
        this.ctx.failure = error;
        this.giveBack();
        this.finish(errorResponse("internal_error"));
      }
    };
  }

  private resolve(response: WebhookResponse): void {
    if (this.settled) return;
    this.settled = response;
    this.resolvePromise?.(response);
  }

  claim(): void {
    const store = this.r.o.store!;
    const { dedupe, ctx } = this;
    this.claiming = true;
    if (!this.queued) this.late = "store_unavailable";
    // As settleWith(), written out: this runs for every delivery.
    let answer: MaybePromise<ClaimResult>;
    try {
      // The delivery id is unique per delivery: it doubles as the claim's owner token.
      answer = store.claim(dedupe.key, {
        token: ctx.deliveryId,
        leaseMs: this.r.o.leaseMs,
        mode: dedupe.mode,
        fingerprint: dedupe.fingerprint,
        retryWindowMs: this.r.o.ttlMs,
        versions: true,
      });
      if (isThenable(answer)) {
        later(
          this,
          answer,
          (result) => this.claimAnswered(result),
          (error) => this.storeDown(error),
        );
        return;
      }
    } catch (error) {
      this.storeDown(error);
      return;
    }
    this.claimAnswered(answer);
  }

  private claimAnswered(answer: ClaimResult): void {
    this.claiming = false;
    let result: unknown = answer;
    if (answer === "reclaimed") {
      this.ctx.retry = true;
      result = "claimed";
    } else if (typeof answer === "object" && answer !== null) result = this.versioned(answer);
    if (this.expired) {
      // Answered 503 while the store was slow: give a late claim straight back.
      if (result === "claimed") {
        this.holdsClaim = true;
        this.giveBack();
      }
      this.leave();
      return;
    }
    if (result === "claimed") {
      // Holding the claim first: leaving the queue then lets no one behind claim in vain.
      this.holdsClaim = true;
      this.leaveQueue();
      this.start();
      return;
    }
    if (result === "in_progress") {
      if (this.dedupe.mode === "latest") {
        this.wait();
        return;
      }
      this.finish(errorResponse("in_progress"));
      return;
    }
    if (result !== "duplicate") {
      // A store's bug must not pass for a duplicate: the vendor would stop retrying an event
      // no handler ran. Answered like a store that cannot be reached.
      this.storeDown(
        new TypeError(
          `fineguide-webhooks: the dedupe store's claim answered ${describe(answer)}, not "claimed", "duplicate" or "in_progress" (nor "reclaimed" or a well-formed { result, version }).`,
        ),
      );
      return;
    }
    this.leaveQueue();
    const { o, registry } = this.r;
    if (o.debug)
      o.logger.debug(
        { type: this.event.type, key: this.dedupe.key, deliveryId: this.ctx.deliveryId },
        "fineguide-webhooks: duplicate",
      );
    if (registry.duplicate.length === 0) {
      this.finish(DUPLICATE);
      return;
    }
    this.late = "duplicate";
    this.watch();
    runHooks(registry.duplicate, [this.event, this.ctx], o.logger).then(() =>
      this.finish(DUPLICATE),
    );
  }

  /**
   * Reads a {@link VersionedClaim} into the context; returns its result, or
   * the answer itself when it is not a well-formed one (a store failure).
   */
  private versioned(answer: VersionedClaim): unknown {
    const { result, version } = answer as { result?: unknown; version?: unknown };
    if (
      !(result === "claimed" || result === "reclaimed" || result === "duplicate") ||
      typeof version !== "number" ||
      !Number.isSafeInteger(version) ||
      version < 0
    ) {
      return answer;
    }
    // A claim answer is read once per claim; a retried claim (queued latest) overwrites.
    this.ctx.version = version;
    if (result === "reclaimed") {
      this.ctx.retry = true;
      return "claimed";
    }
    return result;
  }

  /**
   * A newer version of a `latest` key whose older version is running: wait
   * in arrival order, claimed again when the local run ends or, for one in
   * another process, on every tick, until the deadline.
   */
  private wait(): void {
    this.late = "in_progress";
    if (!this.queued) {
      this.queued = true;
      const queue = this.r.waiting.get(this.dedupe.key);
      if (queue) queue.push(this);
      else this.r.waiting.set(this.dedupe.key, [this]);
    }
    this.nextPoll = Date.now() + this.r.tickMs;
    this.watch();
  }

  private leaveQueue(): void {
    if (!this.queued) return;
    this.queued = false;
    const queue = this.r.waiting.get(this.dedupe.key);
    if (!queue) return;
    const index = queue.indexOf(this);
    if (index !== -1) queue.splice(index, 1);
    if (queue.length === 0) this.r.waiting.delete(this.dedupe.key);
    // The next in line claims now if the key is free (this run did not take it).
    else if (!this.holdsClaim && index === 0) queue[0]!.claimNow();
  }

  /** Claims again at once if this run heads the queue of its key. */
  claimNow(): void {
    if (this.expired || this.claiming) return;
    if (this.r.waiting.get(this.dedupe.key)?.[0] === this) this.claim();
  }

  private storeDown(error: unknown): void {
    this.claiming = false;
    this.ctx.failure = error;
    if (this.expired) {
      this.leave();
      return;
    }
    this.leaveQueue();
    const { o } = this.r;
    const fields = { err: error, type: this.event.type, key: this.dedupe.key };
    if (!o.failOpen) {
      o.logger.error(
        { ...fields, deliveryId: this.ctx.deliveryId },
        "fineguide-webhooks: dedupe store unreachable; answering 503 so the vendor retries",
      );
      this.finish(errorResponse("store_unavailable"));
      return;
    }
    o.logger.warn(
      { ...fields, deliveryId: this.ctx.deliveryId },
      "fineguide-webhooks: dedupe store unreachable; processing WITHOUT deduplication (fail-open)",
    );
    this.start();
  }

  /**
   * Runs the handlers under the deadline. Synchronous handlers settle without
   * a detour through promises, and a run that ends synchronously never joins
   * the ticker.
   */
  start(): void {
    this.running = true;
    this.late = "handler_timeout";
    const { around } = this.r.registry;
    if (around.length === 0) this.startHandlers();
    else this.startAround(around);
  }

  /** Starts the handlers inside the `aroundHandlers` wrappers, the first registered outermost. */
  private startAround(around: readonly AroundHandlers<DeliveryContext>[]): void {
    const { event, ctx } = this;
    const { logger } = this.r.o;
    let started = false;
    const startOnce = () => {
      if (started) return;
      started = true;
      this.startHandlers();
    };
    let run = startOnce;
    for (let i = around.length - 1; i >= 0; i--) {
      const wrapper = around[i]!;
      const inner = run;
      run = () => {
        let called = false;
        let threw = false;
        try {
          wrapper(
            () => {
              if (called) return;
              called = true;
              inner();
            },
            event,
            ctx,
          );
        } catch (error) {
          threw = true;
          logger.error(
            { err: error, deliveryId: ctx.deliveryId },
            "fineguide-webhooks: an aroundHandlers wrapper threw",
          );
        }
        if (!called) {
          // Late calls of `run` are ignored: the handlers start once, now.
          called = true;
          if (!threw)
            logger.error(
              { deliveryId: ctx.deliveryId },
              "fineguide-webhooks: an aroundHandlers wrapper did not call run; running the handlers anyway",
            );
          inner();
        }
      };
    }
    run();
  }

  private startHandlers(): void {
    const { event, ctx, handlers } = this;
    if (handlers.length <= 1) {
      const handler = handlers[0];
      if (!handler) {
        this.succeed();
        return;
      }
      // As settleWith(), written out: this runs for every delivery.
      try {
        const done = handler(event, ctx);
        if (isThenable(done)) {
          later(
            this,
            done,
            () => this.succeed(),
            (error) => this.fail([error]),
          );
          return;
        }
      } catch (error) {
        this.fail([error]);
        return;
      }
      this.succeed();
      return;
    }
    this.watch();
    Promise.allSettled(handlers.map(async (h) => h(event, ctx))).then(
      this.guard((results: PromiseSettledResult<unknown>[]) => {
        const errors: unknown[] = [];
        for (const r of results) if (r.status === "rejected") errors.push(r.reason);
        if (errors.length > 0) this.fail(errors);
        else this.succeed();
      }),
    );
  }

  /**
   * Puts the run under the ticker (deadline, lease renewals, polls) and among
   * the receiver's in-flight runs, once it waits on a handler or the store.
   */
  watch(): void {
    if (this.watched || this.expired) return;
    this.watched = true;
    // Renewals only concern runs that wait: a third of the lease from now.
    this.nextRenewal = Date.now() + this.r.o.leaseMs / 3;
    this.r.inflight.add(this);
    this.r.ticker.add(this);
  }

  /** Called by the ticker: renews the lease, polls a queued claim, enforces the deadline. */
  tick(now: number): void {
    if (now >= this.deadlineAt) {
      this.timeOut();
      return;
    }
    const { o } = this.r;
    if (this.holdsClaim && now >= this.nextRenewal) {
      this.nextRenewal = now + o.leaseMs / 3;
      const { key } = this.dedupe;
      settleWith(
        this,
        () => o.store!.renew(key, this.ctx.deliveryId, o.leaseMs),
        () => {},
        (err) =>
          o.logger.error(
            { err, key, deliveryId: this.ctx.deliveryId },
            "fineguide-webhooks: lease renewal failed",
          ),
      );
    }
    if (this.queued && !this.claiming && now >= this.nextPoll) this.claimNow();
  }

  /**
   * The deadline passed: answer 503 now. A running handler's signal fires and
   * its lease is no longer renewed, so the claim lapses before the vendor's
   * next attempt even if the handler never settles; a late finish still
   * completes or releases the claim it owns, and nothing it no longer owns.
   */
  timeOut(): void {
    if (this.expired) return;
    const { o } = this.r;
    this.leaveQueue();
    this.expire();
    if (this.late === "duplicate") {
      this.resolve(DUPLICATE);
      return;
    }
    if (this.running) {
      o.logger.warn(
        {
          type: this.event.type,
          key: this.dedupe.key,
          deadlineMs: o.deadlineMs,
          deliveryId: this.ctx.deliveryId,
        },
        "fineguide-webhooks: handler still running at the deadline; answering 503",
      );
      this.ctx.abort("deadline");
    }
    this.resolve(errorResponse(this.late));
  }

  /**
   * The receiver closed and its grace period ended: answer 503, fire the
   * signal and give the claim back so the vendor's retry runs the event.
   */
  abandon(): Promise<void> {
    this.leaveQueue();
    this.expire();
    this.ctx.abort("shutdown");
    this.resolve(errorResponse("shutting_down"));
    this.leave();
    return this.giveBack();
  }

  /** Leaves the ticker: no more deadline, renewals or polls. */
  private expire(): void {
    this.expired = true;
    this.r.ticker.delete(this);
  }

  /** Leaves the ticker and the receiver's in-flight runs. */
  private leave(): void {
    if (!this.watched) return;
    this.r.ticker.delete(this);
    this.r.inflight.delete(this);
  }

  /** Releases a claim this run holds; resolves when the store answered, whatever it said. */
  private giveBack(): Promise<void> {
    if (!this.holdsClaim) return Promise.resolve();
    this.holdsClaim = false;
    const { o } = this.r;
    const { key } = this.dedupe;
    return new Promise((done) =>
      settleWith(
        this,
        () => o.store!.release(key, this.ctx.deliveryId),
        () => {
          this.r.wake(key);
          done();
        },
        (err) => {
          o.logger.error(
            { err, key, deliveryId: this.ctx.deliveryId },
            "fineguide-webhooks: release failed; the lease will expire",
          );
          done();
        },
      ),
    );
  }

  private succeed(): void {
    const { o } = this.r;
    const { key } = this.dedupe;
    const response = this.unknownType ? UNKNOWN_TYPE_PROCESSED : PROCESSED;
    if (o.debug)
      o.logger.debug(
        { type: this.event.type, key, deliveryId: this.ctx.deliveryId },
        "fineguide-webhooks: processed",
      );
    if (!this.holdsClaim) {
      this.finish(response);
      return;
    }
    // As settleWith(), written out: this runs for every delivery.
    try {
      const done = o.store!.complete(key, this.ctx.deliveryId, o.completeOptions);
      if (isThenable(done)) {
        later(
          this,
          done,
          () => this.finish(response),
          (error) => this.completeFailed(error, response),
        );
        return;
      }
    } catch (error) {
      this.completeFailed(error, response);
      return;
    }
    this.finish(response);
  }

  /**
   * The handlers succeeded but the store could not record it: answered as
   * processed, unless the store says their work did not take hold (a
   * transactional store whose writes rolled back): then as a failed handler
   * (500, `onError`), and the vendor retries.
   */
  private completeFailed(err: unknown, response: WebhookResponse): void {
    if (NotProcessedError.is(err)) {
      this.fail([err]);
      return;
    }
    this.r.o.logger.error(
      { err, key: this.dedupe.key, deliveryId: this.ctx.deliveryId },
      "fineguide-webhooks: complete failed after success",
    );
    this.finish(response);
  }

  private fail(errors: unknown[]): void {
    const { o, registry } = this.r;
    const { event, ctx } = this;
    const { key } = this.dedupe;
    const error =
      errors.length === 1
        ? errors[0]
        : new AggregateError(errors, `${errors.length} handlers failed for ${event.type}`);
    ctx.failure = error;
    // "Come back later" from every failing handler: 503, as a store that cannot be reached.
    const unavailable = errors.every((e) => ServiceUnavailableError.is(e));
    const fields = { err: error, type: event.type, key, deliveryId: ctx.deliveryId };
    if (unavailable) {
      o.logger.warn(fields, "fineguide-webhooks: a handler is unavailable; answering 503");
    } else o.logger.error(fields, "fineguide-webhooks: handler failed");
    const answer = errorResponse(unavailable ? "handler_unavailable" : "handler_failed");
    this.watch(); // the error hooks and the release may take time
    runHooks(registry.error, [error, event, ctx], o.logger).then(
      this.guard(() => {
        if (!this.holdsClaim) {
          this.finish(answer);
          return;
        }
        settleWith(
          this,
          () => o.store!.release(key, ctx.deliveryId),
          () => this.finish(answer),
          (err) => {
            o.logger.error(
              { err, key, deliveryId: ctx.deliveryId },
              "fineguide-webhooks: release failed; the lease will expire",
            );
            this.finish(answer);
          },
        );
      }),
    );
  }

  /** The run is over: answer (unless the deadline did), leave the ticker, wake the next version. */
  private finish(response: WebhookResponse): void {
    this.leave();
    this.leaveQueue();
    const held = this.holdsClaim;
    this.holdsClaim = false;
    this.running = false;
    this.resolve(response);
    if (held && this.dedupe.mode === "latest") this.r.wake(this.dedupe.key);
  }
}
