import type { LoadDelivery } from "./loadMix.js";

/** What came back for one delivery. */
export type LoadAnswer =
  | {
      readonly status: number;
      readonly body: string;
      readonly latencyMs: number;
      /** When it was sent, on `performance.now()`'s clock. */
      readonly sentAt: number;
    }
  | { readonly error: "no answer"; readonly sentAt: number };

/** How {@link runLoad} drives the endpoint. */
export interface RunLoadOptions {
  readonly url: string;
  /** Headers of every request (content type, the secret header). */
  readonly headers: Readonly<Record<string, string>>;
  /** Requests in flight at once (connections, one request each). */
  readonly connections: number;
  /** Requests per second over all connections; without it, as fast as answers come. */
  readonly rate?: number;
  /** How long to wait for an answer before giving it up (at least 1000 ms). */
  readonly timeoutMs: number;
  /** Called as each request is sent. */
  readonly onSent?: (delivery: LoadDelivery) => void;
  /** Called as each answer comes in. */
  readonly onAnswer?: (delivery: LoadDelivery, answer: LoadAnswer) => void;
  /** Called on each request that got no answer (timeout, connection lost). */
  readonly onError?: () => void;
}

interface Context {
  delivery?: LoadDelivery;
  sentAt?: number;
}

/**
 * Sends `deliveries`, in order, over autocannon's connections (loaded only
 * when a load runs) and resolves with the answer, or the lack of one, for
 * each delivery id. Requests are pipelined one per connection, so a
 * response belongs to the last request its connection sent.
 *
 * @example
 * ```ts
 * const answers = await runLoad(plan.first, { url, headers, connections: 10, timeoutMs: 35_000 });
 * ```
 */
export async function runLoad(
  deliveries: readonly LoadDelivery[],
  options: RunLoadOptions,
): Promise<Map<number, LoadAnswer>> {
  const answers = new Map<number, LoadAnswer>();
  if (deliveries.length === 0) return answers;
  const { default: autocannon } = await import("autocannon");
  const url = new URL(options.url);
  const path = `${url.pathname}${url.search}`;
  let next = 0;
  const inFlight = new Map<number, { delivery: LoadDelivery; sentAt: number }>();

  let finished: (error: Error | null) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finished = (error) => (error ? reject(error) : resolve());
  });
  const settings: Parameters<typeof autocannon>[0] = {
    url: url.href,
    connections: Math.max(1, Math.min(options.connections, deliveries.length)),
    amount: deliveries.length,
    pipelining: 1,
    timeout: Math.max(1, options.timeoutMs / 1000),
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    requests: [
      {
        method: "POST",
        setupRequest: (request, context) => {
          // autocannon asks for exactly `amount` requests; the guard never fires.
          const delivery = deliveries[Math.min(next++, deliveries.length - 1)]!;
          const sentAt = performance.now();
          Object.assign(context as Context, { delivery, sentAt });
          inFlight.set(delivery.id, { delivery, sentAt });
          options.onSent?.(delivery);
          return {
            ...request,
            method: "POST",
            path,
            headers: { ...options.headers },
            body: delivery.body,
          };
        },
        onResponse: (status, body, context) => {
          const { delivery, sentAt } = context as Context;
          if (!delivery || sentAt === undefined || !inFlight.delete(delivery.id)) return;
          const answer = { status, body, latencyMs: performance.now() - sentAt, sentAt };
          answers.set(delivery.id, answer);
          options.onAnswer?.(delivery, answer);
        },
      },
    ],
  };
  const instance = autocannon(settings, (error) => finished(error ?? null));
  instance.on("reqError", () => options.onError?.());
  await done;
  // A request that timed out or lost its connection was replaced by the next one.
  for (const { delivery, sentAt } of inFlight.values()) {
    const answer = { error: "no answer" as const, sentAt };
    answers.set(delivery.id, answer);
    options.onAnswer?.(delivery, answer);
  }
  return answers;
}
