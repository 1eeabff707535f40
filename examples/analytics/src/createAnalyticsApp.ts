import type { WebhookContext, Webhooks } from "@fineguide-webhooks/core";
import { fineguideWebhook } from "@fineguide-webhooks/express";
import { type SqliteContext, sqliteStore } from "@fineguide-webhooks/sql/sqlite";
import type Database from "better-sqlite3";
import express from "express";
import { localTime } from "../../shared/src/localTime.js";
import { assistantSummaries } from "./assistantSummaries.js";
import { DASHBOARD_CSS_HASH } from "./dashboardStyles.js";
import { type AnalyticsEvent, recordEvent } from "./recordEvent.js";
import { renderDashboard } from "./renderDashboard.js";
import { sessionSummaries } from "./sessionSummaries.js";

/** Options of {@link createAnalyticsApp}. */
export interface AnalyticsAppOptions {
  /** The value the secret header must carry (FineGuide's Header Value). */
  readonly secret: string;
  /**
   * The analytics database (`openAnalyticsDatabase()`). The kit's dedupe
   * table is created in it too, and each event's rows commit together with
   * its done mark.
   */
  readonly db: Database.Database;
  /** One line per delivery and per write; default none. */
  readonly log?: (line: string) => void;
  /**
   * When an event happened (epoch ms). Default its arrival, `ctx.receivedAt`;
   * tests and demos give their own clock.
   */
  readonly clock?: (ctx: WebhookContext) => number;
  /** The time zone of the page's times. Default the process's. */
  readonly timeZone?: string;
  /** Sessions listed per assistant on the overview. Default 8. */
  readonly sessionsPerAssistant?: number;
  /** Sessions listed on an assistant's own page. Default 200. */
  readonly sessionsPerPage?: number;
}

const short = (id: string) => id.slice(0, 8);

// The page needs its inline stylesheet and inline SVG; nothing else loads.
const PAGE_HEADERS = {
  "content-security-policy": `default-src 'none'; style-src ${DASHBOARD_CSS_HASH}; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/**
 * The receiver and its dashboard: Express, the kit's middleware on
 * `POST /webhook` writing MESSAGE, RATE_MESSAGE, SESSION_OPEN and
 * SESSION_CLOSED into the analytics tables, `GET /` the page of every
 * assistant, `GET /assistants/:botId` one assistant's page with all its
 * latest sessions.
 *
 * @example
 * ```ts
 * const db = openAnalyticsDatabase("analytics.sqlite");
 * const { app } = createAnalyticsApp({ secret: "s3cret", db, log: console.log });
 * app.listen(3000); // open http://127.0.0.1:3000/ in a browser
 * ```
 */
export function createAnalyticsApp(options: AnalyticsAppOptions): {
  app: express.Express;
  webhooks: Webhooks;
} {
  const { db } = options;
  const log = options.log ?? (() => {});
  const clock = options.clock ?? ((ctx: WebhookContext) => ctx.receivedAt.getTime());
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const overviewSessions = options.sessionsPerAssistant ?? 8;
  const pageSessions = options.sessionsPerPage ?? 200;

  const store = sqliteStore({ db });
  store.migrate();

  // Runs inside the store's transaction: the event's rows and its done mark
  // commit together, or roll back together if anything here throws.
  const record = store.transactional((event: AnalyticsEvent, ctx: SqliteContext) => {
    const { changed } = recordEvent(ctx.tx, event, clock(ctx));
    log(
      `${localTime(new Date())}  ${changed ? "recorded " : "unchanged"}  ${event.type.padEnd(14)} session ${short(event.sessionId)} (bot ${short(event.botId)})`,
    );
  });

  const webhook = fineguideWebhook(
    {
      secret: options.secret,
      dedupe: store,
      onMessage: record,
      onRateMessage: record,
      onSessionOpen: record,
      onSessionClosed: record,
      onError: (error, event) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`${localTime(new Date())}  failed     ${event.type}: ${message}`);
      },
    },
    {
      onResponse: (answer) => log(`${localTime(new Date())}  ${answer.status} ${answer.outcome}`),
    },
  );

  const app = express();
  app.disable("x-powered-by");
  app.post("/webhook", webhook);
  app.get("/", (req, res) => {
    const assistants = assistantSummaries(db).map((summary) => ({
      summary,
      sessions: sessionSummaries(db, summary.botId, overviewSessions),
    }));
    const webhookUrl = `${req.protocol}://${req.get("host") ?? "localhost"}/webhook`;
    res
      .set(PAGE_HEADERS)
      .type("html")
      .send(renderDashboard({ assistants, generatedAt: Date.now(), timeZone, webhookUrl }));
  });
  app.get("/assistants/:botId", (req, res) => {
    const { botId } = req.params;
    const assistants = assistantSummaries(db, botId).map((summary) => ({
      summary,
      sessions: sessionSummaries(db, summary.botId, pageSessions),
    }));
    res
      .status(assistants.length === 0 ? 404 : 200)
      .set(PAGE_HEADERS)
      .type("html")
      .send(renderDashboard({ assistants, single: botId, generatedAt: Date.now(), timeZone }));
  });
  return { app, webhooks: webhook.webhooks };
}
