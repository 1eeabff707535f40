// The page of `fineguide-webhooks listen --ui`: no build step, no dependency.
// Deliveries arrive as server-sent events from /_ui/events, newest on top.

const $ = (selector, root = document) => root.querySelector(selector);
const state = { config: null, entries: [], filter: { type: "", verdict: "" } };

/** Quotes a value for a POSIX shell. */
const quote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

/** The delivery as a curl command; the secret comes from the shell, never from the page. */
function curlOf(entry) {
  const { config } = state;
  const target = config.forwardTo ?? `${config.listening}${entry.path}`;
  const parts = [`curl -sS -i -X ${entry.method}`, quote(target)];
  const type = entry.headers["content-type"];
  if (type) parts.push(`-H ${quote(`content-type: ${type}`)}`);
  if (entry.headers[config.secretHeader] !== undefined) {
    parts.push(`-H "${config.secretHeader}: $FINEGUIDE_WEBHOOK_SECRET"`);
  }
  if (entry.payload !== undefined) {
    const body = typeof entry.payload === "string" ? entry.payload : JSON.stringify(entry.payload);
    parts.push(`--data ${quote(body)}`);
  }
  return parts.join(" ");
}

/** The payload as pretty-printed lines, each with the path of the value it shows. */
function jsonLines(value, path = [], indent = 0, key = undefined, last = true, out = []) {
  const pad = "  ".repeat(indent);
  const prefix = pad + (key === undefined ? "" : `${JSON.stringify(key)}: `);
  const comma = last ? "" : ",";
  if (value !== null && typeof value === "object") {
    const array = Array.isArray(value);
    const entries = array ? value.map((v, i) => [i, v]) : Object.entries(value);
    const [open, close] = array ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) {
      out.push({ text: `${prefix}${open}${close}${comma}`, path });
      return out;
    }
    out.push({ text: `${prefix}${open}`, path });
    entries.forEach(([k, v], i) => {
      jsonLines(v, [...path, k], indent + 1, array ? undefined : k, i === entries.length - 1, out);
    });
    out.push({ text: `${pad}${close}${comma}`, path });
    return out;
  }
  out.push({ text: `${prefix}${JSON.stringify(value)}${comma}`, path });
  return out;
}

const pathText = (path) => (path.length === 0 ? "(root)" : path.join("."));

/** Fills the payload block, marking the lines of failing paths. */
function renderPayload(pre, entry) {
  pre.textContent = "";
  if (entry.payload === undefined) {
    pre.textContent = "(no body read)";
    return;
  }
  if (typeof entry.payload === "string") {
    pre.textContent = entry.payload;
    return;
  }
  const failing = new Map((entry.issues ?? []).map((i) => [pathText(i.path), i.message]));
  const seen = new Set();
  for (const line of jsonLines(entry.payload)) {
    const key = pathText(line.path);
    const message = line.path.length > 0 && !seen.has(key) ? failing.get(key) : undefined;
    seen.add(key);
    if (message === undefined) {
      pre.append(`${line.text}\n`);
      continue;
    }
    const mark = document.createElement("mark");
    mark.className = "failing";
    mark.dataset.path = key;
    mark.title = message;
    mark.textContent = line.text;
    const why = document.createElement("span");
    why.className = "sr";
    why.textContent = ` (fails: ${message})`;
    mark.append(why);
    pre.append(mark, "\n");
  }
}

const timeOf = (iso) => {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
};

/** One delivery's card. */
function renderEntry(entry) {
  const item = $("#delivery").content.firstElementChild.cloneNode(true);
  const label = entry.type ?? "(no type)";
  item.dataset.id = String(entry.id);
  item.dataset.type = entry.type ?? "";
  item.dataset.verdict = entry.verdict;
  const titleId = `delivery-${entry.id}`;
  const title = $(".title", item);
  title.id = titleId;
  $("article", item).setAttribute("aria-labelledby", titleId);
  $(".type", item).textContent = label;
  const verdict = $(".verdict", item);
  verdict.textContent = entry.probe ? `${entry.verdict} (check probe)` : entry.verdict;
  verdict.className = `verdict ${entry.verdict}`;
  const time = $("time", item);
  time.dateTime = entry.at;
  time.textContent = timeOf(entry.at);
  $(".request", item).textContent = `${entry.method} ${entry.path}`;
  $(".status", item).textContent = `${entry.status} ${entry.outcome}`;
  if (entry.forward) {
    const f = entry.forward;
    $(".forwarded", item).textContent = ` · your app answered ${f.status ?? f.error ?? "nothing"}`;
  }

  const problems = $(".problems", item);
  if (entry.error && entry.verdict !== "processed" && entry.verdict !== "duplicate") {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = entry.error;
    problems.append(p);
  }
  if (entry.issues?.length) {
    const list = document.createElement("ul");
    list.className = "issues";
    list.setAttribute("aria-label", "Failing paths");
    for (const issue of entry.issues) {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = pathText(issue.path);
      li.append(code, `: ${issue.message}`);
      list.append(li);
    }
    problems.append(list);
  }

  const rows = $("tbody", item);
  for (const [name, value] of Object.entries(entry.headers)) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    const td = document.createElement("td");
    td.textContent = value;
    tr.append(th, td);
    rows.append(tr);
  }

  const payload = $(".payload", item);
  payload.setAttribute("aria-label", `Payload of delivery ${entry.id}, ${label}`);
  renderPayload(payload, entry);

  const replay = $(".replay", item);
  const result = $(".result", item);
  if (state.config.forwardTo) {
    replay.textContent = `Replay to ${state.config.forwardTo}`;
    replay.addEventListener("click", () => replayEntry(entry, replay, result));
  } else {
    replay.remove();
  }
  const copy = $(".copy", item);
  copy.setAttribute("aria-label", `Copy delivery ${entry.id} as a curl command`);
  copy.addEventListener("click", () => copyCurl(entry, item, $(".copied", item)));
  return item;
}

async function replayEntry(entry, button, result) {
  button.disabled = true;
  result.className = "result";
  result.textContent = "Replaying…";
  try {
    const res = await fetch(`replay/${entry.id}`, {
      method: "POST",
      headers: { "x-fineguide-inspector": "replay" },
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
    const ok = answer.status >= 200 && answer.status < 300;
    result.className = `result ${ok ? "good" : "bad"}`;
    result.textContent =
      answer.status === undefined
        ? `Replay failed: ${answer.error}`
        : `Your app answered ${answer.status} in ${Math.round(answer.durationMs)} ms: ${answer.body ?? ""}`;
  } catch (error) {
    result.className = "result bad";
    result.textContent = `Replay failed: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

async function copyCurl(entry, item, status) {
  const command = curlOf(entry);
  const pre = $(".curl", item);
  pre.textContent = command;
  pre.hidden = false;
  try {
    await navigator.clipboard.writeText(command);
    status.className = "copied good";
    status.textContent =
      "Copied the curl command (it reads the secret from $FINEGUIDE_WEBHOOK_SECRET).";
  } catch {
    status.className = "copied";
    status.textContent = "The clipboard is not available: copy the command shown below.";
  }
}

const matches = (entry) =>
  (!state.filter.type || (entry.type ?? "") === state.filter.type) &&
  (!state.filter.verdict || entry.verdict === state.filter.verdict);

function applyFilter() {
  let shown = 0;
  for (const item of $("#deliveries").children) {
    const entry = state.entries.find((e) => String(e.id) === item.dataset.id);
    item.hidden = !entry || !matches(entry);
    if (!item.hidden) shown++;
  }
  const total = state.entries.length;
  $("#shown").textContent =
    total === 0 ? "No deliveries yet." : `${shown} of ${total} deliveries shown.`;
  $("#empty").hidden = total > 0;
}

function addEntry(entry, live) {
  state.entries.push(entry);
  if (entry.type && !state.config.types.includes(entry.type)) {
    state.config.types.push(entry.type);
    addTypeOption(entry.type);
  }
  $("#deliveries").prepend(renderEntry(entry));
  applyFilter();
  if (live) {
    $("#announce").textContent =
      `New delivery: ${entry.type ?? "no type"}, ${entry.verdict}, answered ${entry.status}.`;
  }
}

function addTypeOption(type) {
  const option = document.createElement("option");
  option.value = type;
  option.textContent = type;
  $("#filter-type").append(option);
}

async function start() {
  state.config = await (await fetch("config")).json();
  const { config } = state;
  $("#where").textContent =
    `Listening on ${config.listening} (any path; secret header ${config.secretHeader}, shown redacted)` +
    (config.forwardTo ? `, forwarding to ${config.forwardTo}.` : ".");
  $("#empty-url").textContent = `${config.listening}/webhook`;
  for (const type of config.types) addTypeOption(type);
  for (const select of ["#filter-type", "#filter-verdict"]) {
    $(select).addEventListener("change", (e) => {
      state.filter[e.target.name] = e.target.value;
      applyFilter();
    });
  }
  applyFilter();

  // What the listener kept comes first, then "ready", then live deliveries (announced).
  let live = false;
  const stream = new EventSource("events");
  stream.addEventListener("open", () => {
    // On a reconnection the listener sends what it kept again: start over.
    state.entries = [];
    $("#deliveries").textContent = "";
    applyFilter();
    live = false;
  });
  stream.addEventListener("ready", () => {
    live = true;
    $("#connection").textContent = "Connected: deliveries appear as they arrive.";
  });
  stream.addEventListener("delivery", (e) => addEntry(JSON.parse(e.data), live));
  stream.addEventListener("error", () => {
    $("#connection").textContent = "Disconnected from the listener; retrying…";
  });
}

start().catch((error) => {
  $("#connection").textContent = `The page could not start: ${error.message}`;
});
