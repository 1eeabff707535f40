import { Agent } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { type DeliveryResult, simulateDelivery } from "@fineguide-webhooks/testing";
import { httpFetch } from "./httpFetch.js";
import type { SentPayload } from "./mixedEvents.js";
import type { Timing } from "./timing.js";

/** Options of {@link sendLikeVendor}. */
export interface SendOptions {
  readonly secret: string;
  readonly timing: Timing;
  /** The first attempts are spread evenly over this many ms, as events happen over time. */
  readonly spreadMs: number;
  /**
   * Where each copy of an event is delivered: one function per copy (two to
   * deliver every event twice at once), asked again for every attempt (a load
   * balancer).
   */
  readonly targets: readonly (() => string)[];
}

/** What the vendor saw for one event: one delivery per copy. */
export interface SentEvent {
  readonly id: string;
  readonly deliveries: readonly DeliveryResult[];
}

/** What {@link sendLikeVendor} did. */
export interface Sent {
  readonly events: readonly SentEvent[];
  /**
   * The sender's longest event-loop stall while sending, in ms: a stalled
   * sender reads answers late, so its attempts time out and its retries come
   * late (the machine was too busy for the time scale).
   */
  readonly senderLagMs: number;
}

/**
 * Delivers every event as FineGuide would, with the test kit's
 * `simulateDelivery`: up to four attempts, the retries after the scaled 1, 5
 * and 15 minutes, an attempt failing on anything but a 2xx within the timeout.
 * Requests go out on `node:http` with keep-alive (see `httpFetch`).
 *
 * @example
 * ```ts
 * const { events } = await sendLikeVendor(mixedEvents(300), {
 *   secret, timing: scaledTiming(0.01), spreadMs: 600, targets: [() => receiver.url],
 * });
 * ```
 */
export async function sendLikeVendor(
  events: readonly SentPayload[],
  options: SendOptions,
): Promise<Sent> {
  const { timing, targets } = options;
  const step = events.length > 0 ? options.spreadMs / events.length : 0;
  const started = performance.now();
  const agent = new Agent({ keepAlive: true });
  const send = httpFetch(agent);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    const sent = await Promise.all(
      events.map(async (event, i) => {
        const wait = started + i * step - performance.now();
        if (wait > 0) await sleep(wait);
        const deliveries = await Promise.all(
          targets.map((target) =>
            simulateDelivery({
              // Each attempt asks `target` where to go; the URL given here is not used.
              fetch: (_url, init) => send(target(), init),
              event: event.payload,
              secret: options.secret,
              timeScale: timing.scale,
              timeoutMs: timing.attemptTimeoutMs,
            }),
          ),
        );
        return { id: event.id, deliveries };
      }),
    );
    return { events: sent, senderLagMs: lag.max / 1e6 };
  } finally {
    lag.disable();
    agent.destroy();
  }
}
