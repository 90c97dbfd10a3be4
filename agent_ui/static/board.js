// Supervisor board: the whole board on every `board.updated` (newer seq wins), window figures from REST.
"use strict";
const board = { seq: -1, data: { queues: [], agents: [], totals: {} }, window: {}, offset: 0, alerts: [] };
window.boardDebug = board;
const $ = (id) => document.getElementById(id);
const STATE_LABEL = { offline: "Offline", available: "Ready", reserved: "Ringing", on_call: "On call", wrap_up: "Wrap-up", not_ready: "Not ready" };

function pick(...xs) { return xs.find((x) => x !== undefined && x !== null); }

function draw() {
  const now = Date.now() + board.offset, d = board.data, t = d.totals || {};
  document.getElementById("totals").textContent =
    (t.in_ivr ? `· ${t.in_ivr} in the IVR ` : "") + `· ${t.waiting ?? 0} waiting · ${t.agents_available ?? 0} ready · ${t.agents_on_call ?? 0} on call` +
    (t.agents_wrap_up ? ` · ${t.agents_wrap_up} in wrap-up` : "") + (t.agents_not_ready ? ` · ${t.agents_not_ready} not ready` : "") +
    (t.callbacks_waiting ? ` · ${t.callbacks_waiting} callbacks to place` : "");
  document.querySelector("#queues tbody").replaceChildren(...(d.queues || []).map((q) => {
    const name = pick(q.name, q.queue, q.id), w = board.window[name] || {};
    const oldest = pick(q.oldest_wait_seconds, 0);
    return el("tr", { "data-queue": name, class: q.waiting && !q.agents_available ? "short" : "" }, el("td", {}, name),
      el("td", { class: "num" }, q.waiting ?? 0),
      el("td", { class: "num" + (q.waiting && oldest > pick(q.alert_wait_seconds, 60) ? " late" : "") }, secs(q.waiting ? oldest : 0)),
      el("td", { class: "num" }, q.agents_available ?? "—"), el("td", { class: "num" }, q.agents_busy ?? "—"),
      el("td", { class: "num" }, pick(w.offered, q.offered, 0)), el("td", { class: "num" }, pick(w.answered, q.answered, 0)),
      slCell(pick(w.service_level, q.service_level), q),
      el("td", { class: "num" }, secs(pick(w.asa_seconds, q.asa_seconds))),
      el("td", { class: "num" }, secs(pick(w.aht_seconds, q.aht_seconds))),
      el("td", { class: "num" }, pick(w.abandoned, q.abandoned, 0)));
  }));
  const agents = shownAgents(d.agents || [], now);
  document.getElementById("agents-count").textContent = `· ${agents.length} of ${(d.agents || []).length} logged in`;
  document.querySelector("#agents tbody").replaceChildren(...agents.map((a) =>
    el("tr", { "data-agent": a.user_id, "data-state": a.state }, el("td", {}, a.name || a.username || a.user_id),
      el("td", {}, a.extension || ""), el("td", {}, a.team || ""),
      el("td", {}, el("span", { class: "state", "data-state": a.state }, (STATE_LABEL[a.state] || a.state) + (a.reason ? ` (${a.reason})` : ""))),
      el("td", { class: "num" }, a.since ? secs((now - Date.parse(a.since)) / 1000) : ""), el("td", {}, a.queue || ""),
      el("td", { class: "muted" }, a.call_id ? [a.customer || "", a.call_started ? ` ${secs((now - Date.parse(a.call_started)) / 1000)}` : ""].join("").trim() || a.call_id : "",
        ...monitorsOf(a.call_id).map((m) => el("span", { class: "monitor", "data-mode": m.mode }, ` · ${m.supervisor || m.supervisor_id} ${m.state === "ringing" ? "ringing in" : m.mode + "s"}`))),
      el("td", { class: "num" }, a.calls_today ?? ""), el("td", { class: "num" }, pct(a.occupancy)),
      el("td", {}, el("button", { class: "small act", onclick: () => selectAgent(a) }, "Act…")))));
  const waiting = d.waiting_calls || [];
  document.getElementById("waiting-count").textContent = waiting.length ? `· ${waiting.length}` : "· nobody in line";
  document.querySelector("#waiting tbody").replaceChildren(...waiting.map((w) =>
    el("tr", { "data-call": w.call_id, "data-queue": w.queue }, el("td", {}, w.queue), el("td", { class: "num" }, w.priority),
      el("td", { class: "num" + (w.wait_seconds > 60 ? " late" : "") }, secs(w.wait_seconds + (now - board.takenAt) / 1000)),
      el("td", {}, w.customer ? `${w.customer} · ${w.caller_number || ""}` : (w.caller_number || "withheld"), w.callback ? " (callback)" : ""),
      el("td", { class: "muted" }, (w.ivr || []).join(" → ")),
      el("td", {}, el("button", { class: "small act", onclick: () => selectCall(w) }, "Act…")))));
  drawAlerts();
  drawTiles(now);
}

board.figures = { today: null, recent: null };
async function loadTiles() {
  try { board.figures = await loadFigures(api.get); drawTiles(Date.now() + board.offset); } catch (e) { /* the live part of the tiles still works */ }
}
function drawTiles(now) { renderTiles($("tiles"), board.data, board.figures, now); }

// The agent grid's filters (team, queue, state) and sort, kept while the board redraws.
const STATE_ORDER = { available: 0, reserved: 1, on_call: 2, wrap_up: 3, not_ready: 4 };
function shownAgents(agents, now) {
  const team = $("filter-team").value, queue = $("filter-queue").value, state = $("filter-state").value, by = $("agent-sort").value;
  const options = (id, values, all) => {
    const node = $(id), wanted = [...new Set(values)].filter(Boolean).sort();
    if (node.options.length - 1 !== wanted.length) {
      const chosen = node.value;
      node.replaceChildren(el("option", { value: "" }, all), ...wanted.map((v) => el("option", { value: v }, v)));
      node.value = chosen;
    }
  };
  options("filter-team", agents.map((a) => a.team), "every team");
  options("filter-queue", agents.flatMap((a) => Object.keys(a.queues || {})), "every queue");
  const key = {
    name: (a) => String(a.name || "").toLowerCase(), state: (a) => STATE_ORDER[a.state] ?? 9,
    since: (a) => (a.since ? Date.parse(a.since) : now), calls_today: (a) => -(a.calls_today || 0), occupancy: (a) => -(a.occupancy || 0),
  }[by] || ((a) => a.name);
  return agents.filter((a) => (!team || a.team === team) && (!queue || (a.queues || {})[queue]) && (!state || a.state === state))
    .sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}
["filter-team", "filter-queue", "filter-state", "agent-sort"].forEach((id) => { document.getElementById(id).onchange = () => draw(); });

function slCell(sl, q) {
  const under = sl !== null && sl !== undefined && q.sl_target && sl < q.sl_target;
  return el("td", { class: "num" + (under ? " late" : ""), title: `answered within ${q.sl_threshold_seconds ?? "?"} s ÷ offered (target ${pct(q.sl_target)})` }, pct(sl));
}

// Alerts are kept on the server: listed on load, pushed when raised, cleared or acknowledged.
function drawAlerts() {
  const shown = board.alerts.filter((x) => !x.cleared_at || !x.acknowledged_at);
  document.getElementById("alerts-panel").hidden = !shown.length;
  document.getElementById("alerts").replaceChildren(...shown.slice(0, 30).map((x) => {
    const who = x.queue ? el("strong", {}, x.queue) : null;
    const when = ` · ${new Date(x.at).toLocaleTimeString()}` + (x.wait_seconds ? ` · waited ${secs(x.wait_seconds)}` : "");
    const ack = x.acknowledged_at
      ? el("span", { class: "acked" }, ` acknowledged by ${x.acknowledged_by} at ${new Date(x.acknowledged_at).toLocaleTimeString()}`)
      : (x.id ? el("button", { class: "ack", onclick: () => acknowledge(x.id) }, "Acknowledge") : null);
    return el("li", { "data-alert": x.id ?? "", "data-kind": x.kind || "rule", class: x.cleared_at ? "cleared" : "" },
      who, who ? " " : "", x.message, el("span", { class: "muted" }, when + (x.cleared_at ? " · over" : "")), " ", ack);
  }));
}
function keepAlert(alert) {
  const at = board.alerts.findIndex((x) => x.id !== null && x.id === alert.id);
  if (at >= 0) board.alerts[at] = alert; else board.alerts.unshift(alert);
  board.alerts.length = Math.min(board.alerts.length, 200);
  drawAlerts();
}
async function loadAlerts() {
  try { board.alerts = (await api.get("/api/v1/alerts?state=open")).items; drawAlerts(); } catch (e) { /* shown on the next push */ }
}
async function acknowledge(id) {
  try { keepAlert(await api.post(`/api/v1/alerts/${id}/acknowledge`, {})); } catch (e) { alert(`Could not acknowledge: ${e.message}`); }
}
function take(seq, data) {
  if (seq <= board.seq) return;
  board.seq = seq; board.data = data; board.takenAt = Date.now() + board.offset;
  if (data.monitors) board.monitors = Object.fromEntries(data.monitors.map((m) => [`${m.call_id}|${m.supervisor_id}`, m]));
  draw();
}

async function loadWindow() {
  try {
    const report = await api.get(`/api/v1/metrics/queues?window=${document.getElementById("window").value}`);
    board.window = report.groups || {}; draw();
  } catch (e) { /* the live board still works without window figures */ }
}
document.getElementById("window").onchange = loadWindow;

const socket = io("/supervisor", { transports: ["websocket"], reconnectionDelay: 300, reconnectionDelayMax: 3000 });
function setConn(state) {
  const node = document.getElementById("conn");
  node.dataset.state = state;
  node.textContent = { connected: "● connected", reconnecting: "● reconnecting…", offline: "● offline — retrying" }[state];
}
socket.on("connect", async () => {
  try {
    const res = await socket.timeout(8000).emitWithAck("sync", {});
    if (res.server_time) board.offset = Date.parse(res.server_time) - Date.now();
    board.seq = -1; take(res.seq, res.board); setConn("connected"); loadAlerts(); loadCallbacks(); loadTiles(); loadIntraday();
  } catch (e) { socket.disconnect(); socket.connect(); }
});
socket.on("board.updated", (data) => take(data.seq, data));
socket.on("board.alert", keepAlert);
socket.on("board.alert_updated", keepAlert);
socket.on("disconnect", () => setConn("reconnecting"));
socket.on("connect_error", (err) => {
  if (err && (err.message === "unauthorized" || err.message === "forbidden")) { location.href = "/login?next=/board"; return; }
  setConn(navigator.onLine ? "reconnecting" : "offline");
});
setInterval(async () => {
  if (!socket.connected) return;
  try { await socket.timeout(7500).emitWithAck("heartbeat", {}); } catch (e) { setConn("reconnecting"); socket.disconnect(); socket.connect(); }
}, 15000);
setInterval(draw, 1000);
loadWindow();
setInterval(loadWindow, 15000);  // the window moves on even when nothing happens
setInterval(loadTiles, 10000);

// Opening hours: each calendar's state now, and a supervisor's override (open or closed until a time).
const HOURS_LABEL = { open: "Open", closed: "Closed", holiday: "Holiday" };
async function loadHours() {
  let calendars;
  try { calendars = (await api.get("/api/v1/calendars")).items; } catch (e) { return; }
  const rows = await Promise.all(calendars.map(async (c) => {
    const s = await api.get(`/api/v1/calendars/${encodeURIComponent(c.name)}/status`);
    const until = el("input", { type: "time", class: "until", "aria-label": `until, ${c.name}` });
    const reason = el("input", { type: "text", class: "reason", placeholder: "why", "aria-label": `reason, ${c.name}` });
    const act = (state) => async () => {
      const err = document.getElementById("hours-error");
      err.hidden = true;
      try {
        if (state === "clear") await api.del(`/api/v1/calendars/${encodeURIComponent(c.name)}/override`);
        else await api.post(`/api/v1/calendars/${encodeURIComponent(c.name)}/override`, { state, until: until.value, reason: reason.value });
        await loadHours();
      } catch (e) { err.textContent = `${c.name}: ${e.message}`; err.hidden = false; }
    };
    const o = s.override;
    const why = o ? `override until ${new Date(o.until).toLocaleString()} — ${o.reason} (${o.by})`
      : (s.next_open ? `hours; opens ${new Date(s.next_open).toLocaleString()}` : "hours");
    return el("tr", { "data-calendar": c.name, "data-status": s.status }, el("td", {}, c.name),
      el("td", {}, el("span", { class: "state", "data-state": s.status === "open" ? "available" : "not_ready" }, HOURS_LABEL[s.status] || s.status)),
      el("td", { class: "muted why" }, why), el("td", {}, until), el("td", {}, reason),
      el("td", {}, el("button", { class: "open-now", onclick: act("open") }, "Open now"), " ",
        el("button", { class: "close-now", onclick: act("closed") }, "Close now"),
        o ? el("button", { class: "clear", onclick: act("clear") }, "Back to hours") : null));
  }));
  document.querySelector("#calendars tbody").replaceChildren(...rows);
}
loadHours();
setInterval(loadHours, 30000);

// Actions (supervisors): on a waiting call, on an agent, on callbacks. Each goes through the API, which
// audits it; the board then shows the effect from the next push.
function failed(node, e) { node.textContent = e.message; node.hidden = false; }
let chosenCall = null, chosenAgent = null;
function selectCall(w) {
  chosenCall = w;
  $("call-actions").hidden = false; $("call-error").hidden = true;
  $("call-selected").textContent = `${w.customer || w.caller_number || "caller"} in ${w.queue}`;
  const queues = (board.data.queues || []).map((q) => q.name).filter((name) => name !== w.queue);
  $("move-queue").replaceChildren(...queues.map((name) => el("option", { value: name }, name)));
  $("priority").value = w.priority;
  $("btn-offer-callback").hidden = !!w.callback;
  $("btn-cancel-callback").hidden = !w.callback;
}
async function onCall(path, body) {
  if (!chosenCall) return;
  try {
    await api.post(`/api/v1/calls/${encodeURIComponent(chosenCall.call_id)}/${path}`, body);
    $("call-actions").hidden = true; chosenCall = null;
  } catch (e) { failed($("call-error"), e); }
}
$("btn-move").onclick = () => onCall("move", { queue: $("move-queue").value });
$("btn-priority").onclick = () => onCall("priority", { priority: Number($("priority").value) });
$("btn-offer-callback").onclick = () => onCall("offer-callback", {});
$("btn-cancel-callback").onclick = () => onCall("cancel-callback", {});
$("btn-call-close").onclick = () => { $("call-actions").hidden = true; chosenCall = null; };

// Supervisors on calls (listen / whisper / barge): from the board's snapshot, then each call.monitor event.
board.monitors = {};  // "call|supervisor" -> the monitor
function monitorsOf(callId) { return callId ? Object.values(board.monitors || {}).filter((m) => m.call_id === callId) : []; }
function keepMonitor(m) {
  const key = `${m.call_id}|${m.supervisor_id}`;
  if (m.state === "ended") delete board.monitors[key]; else board.monitors[key] = m;
  if (chosenAgent && chosenAgent.call_id === m.call_id && m.supervisor_id === me.user_id) {
    $("monitor-state").textContent = m.state === "ended" ? `left the call${m.reason ? ` (${m.reason})` : ""}` : `${m.state}: ${m.mode}`;
  }
  draw();
}
socket.on("call.monitor", keepMonitor);
const me = { user_id: null };
api.get("/api/v1/auth/me").then((who) => { me.user_id = who.user_id ?? who.id; }).catch(() => {});
document.querySelectorAll("#monitor-controls button[data-mode]").forEach((button) => {
  button.onclick = async () => {
    if (!chosenAgent || !chosenAgent.call_id) return;
    try {
      const view = await api.post(`/api/v1/calls/${encodeURIComponent(chosenAgent.call_id)}/monitor`, { mode: button.dataset.mode });
      $("monitor-state").textContent = `${view.state}: ${view.mode}`;
    } catch (e) { failed($("agent-error"), e); }
  };
});
$("btn-monitor-leave").onclick = async () => {
  if (!chosenAgent || !chosenAgent.call_id) return;
  try { await api.del(`/api/v1/calls/${encodeURIComponent(chosenAgent.call_id)}/monitor`); } catch (e) { failed($("agent-error"), e); }
};

function selectAgent(a) {
  chosenAgent = a;
  $("monitor-controls").hidden = !a.call_id;
  const mine = monitorsOf(a.call_id).find((m) => m.supervisor_id === me.user_id);
  $("monitor-state").textContent = mine ? `${mine.state}: ${mine.mode}` : "";
  $("agent-actions").hidden = false; $("agent-error").hidden = true;
  $("agent-selected").textContent = `${a.name || a.user_id} (${STATE_LABEL[a.state] || a.state})`;
  const pairs = (m) => Object.entries(m || {}).map(([k, v]) => `${k}:${v}`).join(", ");
  $("agent-queues").value = pairs(a.queues); $("agent-skills").value = pairs(a.skills);
}
function parsePairs(text, what) {
  const out = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name, number] = part.split(":").map((p) => p.trim());
    if (!name || !/^[0-9]+$/.test(number || "")) throw new Error(`${what}: write name:number, e.g. sales:1 (not "${part}")`);
    out[name] = Number(number);
  }
  return out;
}
$("btn-agent-routing").onclick = async () => {
  if (!chosenAgent) return;
  try {
    const body = { queues: parsePairs($("agent-queues").value, "queues"), skills: parsePairs($("agent-skills").value, "skills") };
    await api.call("PATCH", `/api/v1/agents/${chosenAgent.user_id}/routing`, body);
    $("agent-actions").hidden = true; chosenAgent = null;
  } catch (e) { failed($("agent-error"), e); }
};
async function onAgent(body) {
  if (!chosenAgent) return;
  try {
    await api.post(`/api/v1/agents/${chosenAgent.user_id}/state`, body);
    $("agent-actions").hidden = true; chosenAgent = null;
  } catch (e) { failed($("agent-error"), e); }
}
$("btn-not-ready").onclick = () => onAgent({ state: "not_ready", reason: $("agent-reason").value || "supervisor" });
$("btn-log-out").onclick = () => onAgent({ state: "offline" });
$("btn-agent-close").onclick = () => { $("agent-actions").hidden = true; chosenAgent = null; };

async function loadCallbacks() {
  let items;
  try { items = (await api.get("/api/v1/callbacks")).items; } catch (e) { return; }
  $("callbacks-count").textContent = items.length ? `· ${items.length}` : "· none";
  $("callbacks").querySelector("tbody").replaceChildren(...items.map((c) =>
    el("tr", { "data-callback": c.id }, el("td", {}, new Date(c.due_at).toLocaleString()), el("td", {}, c.number),
      el("td", {}, c.queue), el("td", {}, c.status), el("td", { class: "num" }, `${c.attempts}/${c.max_attempts}`),
      el("td", {}, el("button", { class: "small cancel", onclick: async () => {
        try { await api.del(`/api/v1/callbacks/${c.id}`); loadCallbacks(); } catch (e) { failed($("callback-error"), e); }
      } }, "Cancel")))));
  const queues = (board.data.queues || []).map((q) => q.name);
  if ($("cb-queue").options.length !== queues.length) $("cb-queue").replaceChildren(...queues.map((n) => el("option", { value: n }, n)));
}
$("callback-form").onsubmit = async (e) => {
  e.preventDefault();
  $("callback-error").hidden = true;
  const due = $("cb-due").value ? new Date($("cb-due").value).toISOString() : "";
  try {
    await api.post("/api/v1/callbacks", { number: $("cb-number").value, queue: $("cb-queue").value, due_at: due });
    $("cb-number").value = ""; loadCallbacks();
  } catch (err) { failed($("callback-error"), err); }
};
loadCallbacks();
setInterval(loadCallbacks, 15000);

// Campaigns: their figures, and start / pause / stop (audited).
const MOVES = { draft: ["running"], running: ["paused", "stopped"], paused: ["running", "stopped"], stopped: [] };
const MOVE_LABEL = { running: "Start", paused: "Pause", stopped: "Stop" };
async function loadCampaigns() {
  let items;
  try { items = (await api.get("/api/v1/campaigns")).items; } catch (e) { return; }
  $("campaigns-panel").hidden = !items.length;
  $("campaigns").querySelector("tbody").replaceChildren(...items.map((c) =>
    el("tr", { "data-campaign": c.name, "data-status": c.status }, el("td", {}, c.name), el("td", {}, c.mode),
      el("td", {}, c.status), el("td", { class: "num" }, c.agents_logged_in ?? 0), el("td", { class: "num" }, c.dialed_24h ?? 0),
      el("td", { class: "num" }, c.connects_24h ?? 0),
      el("td", { class: "num" + ((c.abandon_rate_24h || 0) > 0.025 ? " late" : "") }, `${c.abandoned_24h ?? 0} (${pct(c.abandon_rate_24h)})`),
      el("td", { class: "num" }, pct(c.abandon_rate_30d)), el("td", { class: "num" }, pct(c.penetration)),
      el("td", { class: "num" }, c.records ?? 0),
      el("td", {}, (MOVES[c.status] || []).map((to) => el("button", { class: `small move-${to}`, onclick: async () => {
        $("campaign-error").hidden = true;
        try { await api.post(`/api/v1/campaigns/${encodeURIComponent(c.name)}/status`, { status: to }); loadCampaigns(); }
        catch (e) { failed($("campaign-error"), e); }
      } }, MOVE_LABEL[to]))))));
}
loadCampaigns();
setInterval(loadCampaigns, 15000);

// Today by quarter hour: offered, answered and abandoned calls and the service level (uPlot, from npm).
let intraday = null;
async function loadIntraday() {
  let data;
  try { data = await api.get("/api/v1/metrics/intervals?group=queue"); } catch (e) { return; }
  const queue = $("intraday-queue").value;
  const names = new Set(); data.intervals.forEach((r) => Object.keys(r.groups).forEach((n) => names.add(n)));
  (board.data.queues || []).forEach((q) => names.add(q.name));
  const chosen = $("intraday-queue");
  if (chosen.options.length !== names.size + 1) {
    chosen.replaceChildren(el("option", { value: "" }, "All queues"), ...[...names].sort().map((n) => el("option", { value: n }, n)));
    chosen.value = queue;
  }
  const rows = data.intervals.map((r) => [Date.parse(r.start) / 1000, queue ? r.groups[queue] : r.total]);
  const series = [rows.map(([t]) => t), ...["offered", "answered", "abandoned"].map((k) => rows.map(([, s]) => (s ? s[k] : 0))),
    rows.map(([, s]) => (s && s.service_level != null ? Math.round(s.service_level * 100) : null))];
  const width = Math.max(320, $("intraday-chart").clientWidth || 800);
  if (intraday) intraday.destroy();
  intraday = new uPlot({
    width, height: 220, scales: { x: { time: true }, calls: { auto: true }, pct: { range: [0, 100] } },
    series: [{}, { label: "Offered", scale: "calls", stroke: "#1f6feb" }, { label: "Answered", scale: "calls", stroke: "#2e7d32" },
      { label: "Abandoned", scale: "calls", stroke: "#b42318" }, { label: "Service level %", scale: "pct", stroke: "#8250df", dash: [6, 4] }],
    axes: [{}, { scale: "calls", label: "calls" }, { scale: "pct", side: 1, label: "%", grid: { show: false } }],
  }, series, $("intraday-chart"));
}
$("intraday-queue").onchange = loadIntraday;
loadIntraday();
setInterval(loadIntraday, 60000);

// Reports over days, per queue, agent or team; the same as CSV.
const COLUMNS = ["offered", "answered", "abandoned", "service_level", "asa_seconds", "aht_seconds", "short_abandoned"];
function reportUrl(format) {
  const q = `from=${$("report-from").value}&to=${$("report-to").value}` + (format ? `&format=${format}` : "");
  return `/api/v1/reports/${$("report-group").value}?${q}`;
}
$("report-form").onsubmit = async (e) => {
  e.preventDefault();
  $("report-error").hidden = true;
  try {
    const report = await api.get(reportUrl());
    $("report-csv").href = reportUrl("csv");
    const cell = (c, v) => (c === "service_level" ? pct(v) : c.endsWith("_seconds") ? secs(v) : v ?? "—");
    $("report").querySelector("thead").replaceChildren(el("tr", {}, el("th", {}, report.group.slice(0, -1)), COLUMNS.map((c) => el("th", { class: "num" }, c.replace(/_/g, " ")))));
    $("report").querySelector("tbody").replaceChildren(...[...report.items, report.total].map((r) =>
      el("tr", { "data-name": r.name }, el("td", {}, r.name), COLUMNS.map((c) => el("td", { class: "num" }, cell(c, r[c]))))));
  } catch (err) { failed($("report-error"), err); }
};
{
  const today = new Date().toISOString().slice(0, 10);
  $("report-from").value = today; $("report-to").value = today; $("report-csv").href = reportUrl("csv");
}
["report-group", "report-from", "report-to"].forEach((id) => { $(id).onchange = () => { $("report-csv").href = reportUrl("csv"); }; });
