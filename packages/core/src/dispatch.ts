import type { DeliveryExtras } from "./handlers/DeliveryContext.js";
import type { OutcomeInfo } from "./handlers/types.js";
import { errorResponse, type WebhookResponse } from "./http/response.js";
import { reportOutcome, Trace } from "./outcome.js";
import { accept, type Receiver, unexpected } from "./receive.js";

/**
 * Runs an event through validation, dedupe and the handlers without HTTP or
 * a secret (`webhooks.dispatch()`). Never rejects.
 */
export function dispatchEvent(
  r: Receiver,
  event: unknown,
  extras: DeliveryExtras & { readonly receivedAt?: number | undefined },
): Promise<OutcomeInfo> {
  const { signal } = extras;
  const arrivedAt = extras.receivedAt ?? Date.now();
  const trace = new Trace(r.nextDeliveryId(), arrivedAt);
  let pending: Promise<WebhookResponse>;
  try {
    pending = Promise.resolve(
      r.closing
        ? errorResponse("shutting_down")
        : accept(
            r,
            {
              req: undefined,
              arrivedAt,
              deliveryId: trace.deliveryId,
              matched: -1,
              trace,
              fresh: extras.receivedAt === undefined,
              extras,
            },
            event,
          ),
    );
  } catch (error) {
    pending = Promise.resolve(unexpected(r, error, trace));
  }
  // The caller's signal (a worker shutting down) fires the handlers' `ctx.signal`. One
  // aborted before did so in `accept()`; one aborted as the handlers started, here.
  const abort = () => trace.ctx?.abort("shutdown");
  if (signal?.aborted) abort();
  else signal?.addEventListener("abort", abort, { once: true });
  return pending.then((res) => {
    signal?.removeEventListener("abort", abort);
    const info = trace.info(res);
    reportOutcome(r, info);
    return info;
  });
}
