import { createHash } from "node:crypto";

/**
 * The dashboard's only stylesheet, inlined in the page (no build step, no
 * request for assets). Colours meet WCAG AA contrast in both schemes; the
 * role colours only decorate: every number is also written out.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f7; --card: #ffffff; --text: #1d2330; --muted: #5a6272; --line: #e2e5ea;
  --accent: #3b4fd8; --good: #157347; --bad: #b4232a;
  --user: #3b4fd8; --assistant: #0f8a7e; --operator: #c26a06; --other: #8a93a3;
  --chip: #eef0f4;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171c; --card: #1d2129; --text: #e8eaef; --muted: #a3aab8; --line: #2f3541;
    --accent: #8b9bff; --good: #5fd394; --bad: #ff8a8f;
    --user: #7c8cff; --assistant: #3cc4b4; --operator: #f0a040; --other: #9aa3b2;
    --chip: #2a2f3a;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
a { color: var(--accent); }
a:focus-visible, .table-scroll:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 3px; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
.wrap { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 16px; top: 16px; background: var(--card); padding: 8px 12px; z-index: 1; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
header.top { padding: 28px 0 8px; }
header.top h1 { margin: 0; font-size: 1.6rem; letter-spacing: -0.01em; }
header.top p { margin: 4px 0 0; color: var(--muted); }
main { padding-bottom: 48px; }
.assistant { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 22px 24px; margin-top: 20px; box-shadow: 0 1px 2px rgb(0 0 0 / 0.04); }
.assistant-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 4px 16px; }
.assistant h2 { margin: 0; font-size: 1.2rem; }
.assistant-head p { margin: 0; color: var(--muted); font-size: 0.875rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 18px 0 0; }
.kpi { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.kpi dt { color: var(--muted); font-size: 0.8rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
.kpi dd { margin: 0; }
.kpi .value { font-size: 1.65rem; font-weight: 650; line-height: 1.3; font-variant-numeric: tabular-nums; }
.kpi .detail { color: var(--muted); font-size: 0.85rem; }
.good { color: var(--good); } .bad { color: var(--bad); }
.roles { margin: 18px 0 0; }
.roles figcaption, .sessions caption { font-weight: 600; text-align: left; margin-bottom: 8px; }
.bar { display: block; width: 100%; height: 12px; border-radius: 6px; background: var(--chip); }
.user { fill: var(--user); background: var(--user); }
.assistant-role { fill: var(--assistant); background: var(--assistant); }
.operator { fill: var(--operator); background: var(--operator); }
.other { fill: var(--other); background: var(--other); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 20px; list-style: none; margin: 10px 0 0; padding: 0; font-size: 0.9rem; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; }
.legend .count { font-weight: 600; font-variant-numeric: tabular-nums; }
.legend .share { color: var(--muted); }
.table-scroll { position: relative; overflow-x: auto; margin-top: 20px; }
.sessions { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.sessions th, .sessions td { padding: 8px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
.sessions thead th { color: var(--muted); font-size: 0.78rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; text-align: left; }
.sessions tbody th { font-weight: 500; text-align: left; }
.sessions .num { text-align: right; font-variant-numeric: tabular-nums; }
.sessions tbody tr:last-child > * { border-bottom: 0; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.78rem; font-weight: 600; background: var(--chip); color: var(--muted); }
.chip.live { color: var(--good); }
.rating { display: inline-flex; align-items: center; gap: 3px; margin-right: 10px; font-variant-numeric: tabular-nums; }
.rating.zero { color: var(--muted); }
.rating svg { width: 14px; height: 14px; fill: currentColor; }
.none { color: var(--muted); }
.more { margin: 12px 0 0; font-size: 0.9rem; }
.empty { background: var(--card); border: 1px dashed var(--line); border-radius: 14px; padding: 28px; margin-top: 20px; }
.empty h2 { margin-top: 0; font-size: 1.15rem; }
footer { color: var(--muted); font-size: 0.85rem; padding: 0 0 32px; }
`;

/**
 * The CSP source allowing exactly {@link DASHBOARD_CSS} inlined in a `<style>`.
 *
 * @example
 * ```ts
 * res.set("content-security-policy", `default-src 'none'; style-src ${DASHBOARD_CSS_HASH}`);
 * ```
 */
export const DASHBOARD_CSS_HASH = `'sha256-${createHash("sha256").update(DASHBOARD_CSS).digest("base64")}'`;
