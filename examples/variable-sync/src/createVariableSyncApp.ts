import {
  createSecretVerifier,
  fingerprint,
  type VariableUpdateEvent,
  type WebhookContext,
  type Webhooks,
} from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import express from "express";
import type { SaveResult, VariableStore } from "./openVariableStore.js";

/** Options of {@link createVariableSyncApp}. */
export interface VariableSyncAppOptions {
  /** The value the secret header must carry (FineGuide's Header Value). */
  readonly secret: string;
  /** Where the latest variables of each session go. */
  readonly store: VariableStore;
  /** One line per delivery and per write; default none. */
  readonly log?: (line: string) => void;
}

/** The fields of VARIABLE_UPDATE that core's default fingerprint covers. */
const VARIABLE_UPDATE_FIELDS = ["botId", "sessionId", "type", "variables"] as const;

const short = (id: string) => id.slice(0, 8);

/** Local time as `09:20:35.765`. */
const time = (at: Date) => {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
};

const describeSave = ({ changed, row }: SaveResult) =>
  `${changed ? "saved    " : "unchanged"}  session ${short(row.sessionId)} (bot ${short(row.botId)}) ` +
  `version ${row.version}: ${Object.keys(row.variables).join(", ") || "(no variables)"}`;

/**
 * The receiver: Express, the kit's middleware on `POST /webhook` keeping the
 * latest `variables` of each (botId, sessionId) in `store`, and
 * `GET /bots/:botId/sessions/:sessionId/variables` to read a row back (behind
 * the same secret header: the variables are what people told the assistant).
 *
 * The row is replaced, not merged: FineGuide sends the session's variables,
 * so a variable it no longer sends is gone. Retries of the version already
 * stored are answered `{ ok: true, duplicate: true }` by the kit and, should
 * the kit have forgotten them, change nothing in the store.
 *
 * @example
 * ```ts
 * const store = openVariableStore("variables.sqlite");
 * const { app } = createVariableSyncApp({ secret: "s3cret", store, log: console.log });
 * app.listen(3000);
 * ```
 */
export function createVariableSyncApp(options: VariableSyncAppOptions): {
  app: express.Express;
  webhooks: Webhooks;
} {
  const { store } = options;
  const log = options.log ?? (() => {});

  const onVariableUpdate = async (event: VariableUpdateEvent, ctx: WebhookContext) => {
    const saved = await store.save(
      {
        botId: event.botId,
        sessionId: event.sessionId,
        variables: event.variables,
        // Set for VARIABLE_UPDATE by core's default keys (`latest` mode).
        fingerprint: ctx.fingerprint ?? fingerprint(event, VARIABLE_UPDATE_FIELDS),
        dedupeKey: ctx.dedupeKey,
        receivedAt: ctx.receivedAt,
      },
      ctx.signal,
    );
    log(`${time(new Date())}  ${describeSave(saved)}`);
  };

  const webhook = fineguideWebhook(
    {
      secret: options.secret,
      onVariableUpdate,
      onError: (error, event) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`${time(new Date())}  failed     ${event.type}: ${message}`);
      },
    },
    {
      onResponse: (answer) => log(`${time(new Date())}  ${answer.status} ${answer.outcome}`),
    },
  );
  const { webhooks } = webhook;
  const verify = createSecretVerifier([options.secret]);

  const app = express();
  app.disable("x-powered-by");
  app.post("/webhook", webhook);
  app.get("/bots/:botId/sessions/:sessionId/variables", (req, res) => {
    res.set("cache-control", "no-store");
    if (!verify(req.get(webhooks.secretHeader))) {
      res.status(401).json({
        ok: false,
        error: { code: "unauthorized", message: "The secret header is missing or wrong." },
      });
      return;
    }
    const row = store.get(req.params.botId, req.params.sessionId);
    if (!row) {
      res.status(404).json({
        ok: false,
        error: { code: "not_found", message: "No variables stored for this session." },
      });
      return;
    }
    res.json(row);
  });
  return { app, webhooks };
}
