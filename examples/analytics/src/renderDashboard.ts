import type { AssistantSummary, MessagesByRole } from "./assistantSummaries.js";
import { DASHBOARD_CSS } from "./dashboardStyles.js";
import { formatDuration, isoDuration } from "./formatDuration.js";
import { html, SafeHtml } from "./html.js";
import type { SessionSummary } from "./sessionSummaries.js";

/** An assistant as the page shows it. */
export interface AssistantView {
  readonly summary: AssistantSummary;
  /** Its latest sessions (the overview shows a few, an assistant's page all). */
  readonly sessions: readonly SessionSummary[];
}

/** What {@link renderDashboard} renders. */
export interface DashboardPage {
  readonly assistants: readonly AssistantView[];
  /**
   * The botId of the one assistant the page is about (all its sessions, a
   * link back to all), rather than the overview of every assistant.
   */
  readonly single?: string;
  /** When the page was made (epoch ms). */
  readonly generatedAt: number;
  /** IANA time zone the times are shown in, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** The webhook URL, for the empty page's hint. */
  readonly webhookUrl?: string;
}

const ROLES = [
  { key: "USER", label: "User", css: "user" },
  { key: "ASSISTANT", label: "Assistant", css: "assistant-role" },
  { key: "OPERATOR", label: "Operator", css: "operator" },
  { key: "other", label: "Other roles", css: "other" },
] as const satisfies readonly { key: keyof MessagesByRole; label: string; css: string }[];

const short = (id: string) => id.slice(0, 8);
const count = (n: number) => n.toLocaleString("en-US");
const percent = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`;

// Material Design's thumb icon (Apache-2.0), turned over for "down".
const THUMB =
  "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
const thumb = (down: boolean) =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${THUMB}"${
    down ? html` transform="rotate(180 12 12)"` : ""
  }/></svg>`;

/** Thumbs up and down with their counts (a zero muted); `words` shows "up"/"down" to all. */
const thumbs = (up: number, down: number, words: boolean) => {
  const one = (n: number, isDown: boolean) => {
    const word = isDown ? " down" : " up";
    return html`<span class="rating ${n === 0 ? "zero" : isDown ? "bad" : "good"}">${thumb(isDown)}${count(n)}${
      words ? word : html`<span class="sr">${word}</span>`
    }</span>`;
  };
  return html`${one(up, false)}${one(down, true)}`;
};

/** Time formatters for one page. */
function clock(timeZone: string) {
  const dayTime = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const full = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    dateStyle: "medium",
    timeStyle: "long",
  });
  return {
    at: (ms: number) =>
      html`<time datetime="${new Date(ms).toISOString()}">${dayTime.format(ms)}</time>`,
    full: (ms: number) =>
      html`<time datetime="${new Date(ms).toISOString()}">${full.format(ms)}</time>`,
  };
}

/** A dash that says what it stands for to screen readers. */
const missing = (meaning: string) =>
  html`<span class="none" aria-hidden="true">—</span><span class="sr">${meaning}</span>`;

const duration = (ms: number | null) =>
  ms === null
    ? missing("unknown")
    : html`<time datetime="${isoDuration(ms)}">${formatDuration(ms)}</time>`;

function kpis(summary: AssistantSummary): SafeHtml {
  const rated = summary.thumbsUp + summary.thumbsDown;
  const timed = summary.timedSessions;
  return html`<dl class="kpis">
  <div class="kpi"><dt>Sessions</dt><dd class="value">${count(summary.sessions)}</dd>
    <dd class="detail">${count(summary.openSessions)} still open</dd></div>
  <div class="kpi"><dt>Median duration</dt><dd class="value">${duration(summary.medianDurationMs)}</dd>
    <dd class="detail">${
      timed === 0
        ? "no session opened and closed yet"
        : html`average ${duration(summary.averageDurationMs)}, longest ${duration(summary.longestDurationMs)}, of ${count(timed)} closed`
    }</dd></div>
  <div class="kpi"><dt>Messages</dt><dd class="value">${count(summary.messages)}</dd>
    <dd class="detail">${
      summary.sessions === 0
        ? ""
        : `${(summary.messages / summary.sessions).toLocaleString("en-US", { maximumFractionDigits: 1 })} per session`
    }</dd></div>
  <div class="kpi"><dt>Rated helpful</dt><dd class="value">${
    rated === 0 ? missing("no ratings yet") : percent(summary.thumbsUp, rated)
  }</dd>
    <dd class="detail">${thumbs(summary.thumbsUp, summary.thumbsDown, true)}</dd></div>
  <div class="kpi"><dt>Rating changes</dt><dd class="value">${count(summary.ratingChanges)}</dd>
    <dd class="detail">${
      rated === 0
        ? "no ratings yet"
        : `${count(rated)} ${rated === 1 ? "message" : "messages"} rated, ${count(summary.changedRatings)} of them re-rated`
    }</dd></div>
</dl>`;
}

function roleBar(byRole: MessagesByRole, total: number, id: string): SafeHtml {
  const roles = ROLES.filter((role) => role.key !== "other" || byRole.other > 0);
  let x = 0;
  const rects = roles.map((role) => {
    const width = total === 0 ? 0 : (byRole[role.key] / total) * 100;
    const rect = html`<rect class="${role.css}" x="${x.toFixed(3)}" y="0" width="${width.toFixed(3)}" height="12"/>`;
    x += width;
    return rect;
  });
  return html`<figure class="roles" aria-labelledby="${id}">
  <figcaption id="${id}">Messages by role</figcaption>
  <svg class="bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true" focusable="false">${rects}</svg>
  <ul class="legend">${roles.map(
    (role) =>
      html`<li><span class="swatch ${role.css}" aria-hidden="true"></span>${role.label} <span class="count">${count(byRole[role.key])}</span>${
        total === 0 ? "" : html` <span class="share">(${percent(byRole[role.key], total)})</span>`
      }</li>`,
  )}</ul>
</figure>`;
}

function sessionsTable(
  view: AssistantView,
  at: (ms: number) => SafeHtml,
  single: boolean,
): SafeHtml {
  const { summary, sessions } = view;
  const captionId = `bot-${summary.botId}-sessions`;
  const other = summary.messagesByRole.other > 0;
  const caption = single
    ? `Sessions (${count(sessions.length)} latest of ${count(summary.sessions)})`
    : "Latest sessions";
  const rows = sessions.map(
    (session) => html`<tr>
  <th scope="row"><code title="${session.sessionId}">${short(session.sessionId)}</code></th>
  <td>${session.closedAt === null ? html`<span class="chip live">Open</span>` : html`<span class="chip">Closed</span>`}</td>
  <td>${session.openedAt === null ? missing("not received") : at(session.openedAt)}</td>
  <td>${duration(session.durationMs)}</td>
  <td class="num">${count(session.messagesByRole.USER)}</td>
  <td class="num">${count(session.messagesByRole.ASSISTANT)}</td>
  <td class="num">${count(session.messagesByRole.OPERATOR)}</td>
  ${other ? html`<td class="num">${count(session.messagesByRole.other)}</td>` : ""}
  <td>${
    session.thumbsUp + session.thumbsDown === 0
      ? missing("none")
      : thumbs(session.thumbsUp, session.thumbsDown, false)
  }</td>
  <td class="num">${count(session.ratingChanges)}</td>
</tr>`,
  );
  // Scrolls sideways on narrow screens: focusable, so the keyboard can scroll it too.
  return html`<div class="table-scroll" role="group" aria-labelledby="${captionId}" tabindex="0"><table class="sessions">
  <caption id="${captionId}">${caption}</caption>
  <thead><tr>
    <th scope="col">Session</th><th scope="col">Status</th><th scope="col">Opened</th>
    <th scope="col">Duration</th><th scope="col" class="num">User</th>
    <th scope="col" class="num">Assistant</th><th scope="col" class="num">Operator</th>
    ${other ? html`<th scope="col" class="num">Other</th>` : ""}
    <th scope="col">Ratings</th><th scope="col" class="num">Rating changes</th>
  </tr></thead>
  <tbody>${rows}</tbody>
</table></div>`;
}

function assistantSection(
  view: AssistantView,
  times: ReturnType<typeof clock>,
  single: boolean,
): SafeHtml {
  const { summary } = view;
  const id = `bot-${summary.botId}`;
  const more = summary.sessions - view.sessions.length;
  return html`<section class="assistant" aria-labelledby="${id}">
  <div class="assistant-head">
    <h2 id="${id}">Assistant <code>${short(summary.botId)}</code></h2>
    <p><code>${summary.botId}</code> · last event ${times.at(summary.lastSeenAt)}</p>
  </div>
  ${kpis(summary)}
  ${roleBar(summary.messagesByRole, summary.messages, `${id}-roles`)}
  ${sessionsTable(view, times.at, single)}
  ${
    !single && more > 0
      ? html`<p class="more"><a href="/assistants/${summary.botId}">All ${count(summary.sessions)} sessions of assistant ${short(summary.botId)}</a></p>`
      : ""
  }
</section>`;
}

function unknownAssistant(botId: string): SafeHtml {
  return html`<section class="empty" aria-labelledby="empty">
  <h2 id="empty">No events from this assistant</h2>
  <p>Nothing was received from assistant <code>${botId}</code>.
  <a href="/">See all assistants</a>.</p>
</section>`;
}

function empty(webhookUrl: string | undefined): SafeHtml {
  return html`<section class="empty" aria-labelledby="empty">
  <h2 id="empty">No conversations yet</h2>
  <p>Point an assistant's webhook at ${
    webhookUrl ? html`<code>${webhookUrl}</code>` : html`this receiver's <code>/webhook</code>`
  } with the events MESSAGE, RATE_MESSAGE, SESSION_OPEN and SESSION_CLOSED, or paste the
  <code>curl</code> commands <code>npm start</code> printed. Then reload this page.</p>
</section>`;
}

/**
 * The dashboard as one HTML document: per assistant, its sessions and their
 * durations, messages by role, ratings and their changes, and a table of its
 * latest sessions. Self-contained (inline CSS and SVG, no script, no
 * external request), every value escaped, semantic and labelled for screen
 * readers; light and dark colour schemes.
 *
 * @example
 * ```ts
 * const page = renderDashboard({
 *   assistants: assistantSummaries(db).map((summary) => ({
 *     summary,
 *     sessions: sessionSummaries(db, summary.botId, 10),
 *   })),
 *   generatedAt: Date.now(),
 *   timeZone: "UTC",
 * });
 * res.type("html").send(page);
 * ```
 */
export function renderDashboard(page: DashboardPage): string {
  const times = clock(page.timeZone);
  const single = page.single !== undefined;
  const heading =
    page.single === undefined
      ? html`Conversation analytics`
      : html`Assistant <code>${short(page.single)}</code>`;
  const title =
    page.single === undefined
      ? "Conversation analytics"
      : `Assistant ${short(page.single)} · Conversation analytics`;
  const n = page.assistants.length;
  let content: SafeHtml | SafeHtml[];
  if (n > 0) content = page.assistants.map((view) => assistantSection(view, times, single));
  else if (page.single !== undefined) content = unknownAssistant(page.single);
  else content = empty(page.webhookUrl);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(DASHBOARD_CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="wrap">
  <h1>${heading}</h1>
  <p>${
    single
      ? html`<a href="/">All assistants</a> · `
      : `${count(n)} FineGuide ${n === 1 ? "assistant" : "assistants"} · `
  }updated ${times.full(page.generatedAt)} · <a href="">Reload</a></p>
</div></header>
<main id="main" class="wrap">
${content}
</main>
<footer class="wrap"><p>Times are when each event arrived (FineGuide sends none), shown in ${page.timeZone}.
Durations run from SESSION_OPEN to SESSION_CLOSED. A rating change is each time a message's
rating is set to a new value: up, down and up again are three.</p></footer>
</body>
</html>
`.value;
}
