import { randomUUID } from "node:crypto";
import type { DedupeKey } from "./dedupe/defaultKeys.js";
import type { DeliveryContext } from "./handlers/DeliveryContext.js";
import type { Registry } from "./handlers/registry.js";
import type { Handler } from "./handlers/types.js";
import {
  duplicateResponse,
  errorResponse,
  okResponse,
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
  if (handlers.length === 1) {
    try {
      await handlers[0]!(event, ctx);
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

interface Claim {
  readonly key: string;
  readonly token: string;
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
): Promise<WebhookResponse> {
  let claim: Claim | undefined;
  if (o.store) {
    const token = randomUUID();
    try {
      const result = await o.store.claim(dedupe.key, {
        token,
        leaseMs: o.leaseMs,
        mode: dedupe.mode,
        ...(dedupe.fingerprint === undefined ? {} : { fingerprint: dedupe.fingerprint }),
      });
      if (result === "duplicate") {
        o.logger.debug({ type: event.type, key: dedupe.key }, "fineguide-webhooks: duplicate");
        await runHooks(registry.duplicate, [event, ctx], o.logger);
        return duplicateResponse();
      }
      if (result === "in_progress") return errorResponse("in_progress");
      claim = { key: dedupe.key, token };
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

  const finish = async (errors: unknown[]): Promise<WebhookResponse> => {
    if (errors.length > 0) {
      const error =
        errors.length === 1
          ? errors[0]
          : new AggregateError(errors, `${errors.length} handlers failed for ${event.type}`);
      o.logger.error({ type: event.type, key: dedupe.key }, "fineguide-webhooks: handler failed");
      await runHooks(registry.error, [error, event, ctx], o.logger);
      if (claim) {
        await o.store!.release(claim.key, claim.token).catch((err: unknown) => {
          o.logger.error(
            { err, key: claim!.key },
            "fineguide-webhooks: release failed; the lease will expire",
          );
        });
      }
      return errorResponse("handler_failed");
    }
    if (claim) {
      await o.store!.complete(claim.key, claim.token, { ttlMs: o.ttlMs }).catch((err: unknown) => {
        o.logger.error(
          { err, key: claim!.key },
          "fineguide-webhooks: complete failed after success",
        );
      });
    }
    o.logger.debug({ type: event.type, key: dedupe.key }, "fineguide-webhooks: processed");
    return okResponse(unknownType ? "unknown_type" : "processed");
  };

  const settled = runAll(handlers, event, ctx).then(finish);

  return new Promise<WebhookResponse>((resolve) => {
    const started = Date.now();
    const deadlineAt = started + o.deadlineMs;
    const renewEvery = Math.max(1, Math.floor(o.leaseMs / 3));
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = (now: number) => {
      const untilDeadline = timedOut ? Number.POSITIVE_INFINITY : deadlineAt - now;
      timer = setTimeout(
        tick,
        Math.max(0, Math.min(claim ? renewEvery : untilDeadline, untilDeadline)),
      );
    };
    const tick = () => {
      const now = Date.now();
      if (claim) {
        o.store!.renew(claim.key, claim.token, o.leaseMs).catch((err: unknown) => {
          o.logger.error({ err, key: claim!.key }, "fineguide-webhooks: lease renewal failed");
        });
      }
      if (!timedOut && now >= deadlineAt) {
        timedOut = true;
        o.logger.warn(
          { type: event.type, key: dedupe.key, deadlineMs: o.deadlineMs },
          "fineguide-webhooks: handler still running at the deadline; answering 503",
        );
        ctx.abort();
        resolve(errorResponse("handler_timeout"));
      }
      if (claim || !timedOut) schedule(now);
    };
    schedule(started);
    settled.then((response) => {
      clearTimeout(timer);
      resolve(response);
    });
  });
}
