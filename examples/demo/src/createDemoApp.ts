import { AsyncLocalStorage } from "node:async_hooks";
import type { AnyEvent, Webhooks } from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import express from "express";
import { formatDelivery } from "./formatDelivery.js";

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** The value the secret header must carry. */
  readonly secret: string;
  /** Where the one line per delivery goes. */
  readonly log: (line: string) => void;
}

/** What the handlers saw of the delivery in flight, for its log line. */
interface Seen {
  type?: string;
  event?: AnyEvent;
}

/**
 * The demo receiver: Express, the adapter on `/webhook`, in-memory dedupe (the
 * default), and one log line per delivery.
 *
 * @example
 * ```ts
 * const { app } = createDemoApp({ secret: "dev-secret", log: console.log });
 * app.listen(3000);
 * ```
 */
export function createDemoApp(options: DemoAppOptions): {
  app: express.Express;
  webhooks: Webhooks;
} {
  // Handlers learn the event, `onResponse` the outcome: this links the two per request.
  const current = new AsyncLocalStorage<Seen>();
  const see = (event: AnyEvent) => {
    const seen = current.getStore();
    if (seen) Object.assign(seen, { type: event.type, event });
  };

  const webhook = fineguideWebhook(
    {
      secret: options.secret,
      // Your code goes here: onTicket, onCreateLead, onMessage, ... (typed per event).
      onAny: see,
      onDuplicate: see,
      onInvalid: ({ payload }) => {
        const type = (payload as { type?: unknown }).type;
        const seen = current.getStore();
        if (seen && typeof type === "string") seen.type = type;
      },
    },
    {
      onResponse: (answer) => {
        const seen = current.getStore();
        options.log(formatDelivery(new Date(), answer, seen?.type, seen?.event));
      },
    },
  );

  const app = express();
  app.disable("x-powered-by");
  app.get("/", (_req, res) => {
    res.type("text/plain").send("FineGuide webhook demo: POST events to /webhook\n");
  });
  app.use("/webhook", (_req, _res, next) => current.run({}, next), webhook);
  return { app, webhooks: webhook.webhooks };
}
