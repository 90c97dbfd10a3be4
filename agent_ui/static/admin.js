// Administration: one list and one editor per kind of record, all through the admin API (the same
// shapes as `contact-center config export`). Admins write; supervisors read.
"use strict";
const KINDS = {
  queues: { title: "Queues", key: "name", columns: ["name", "strategy", "calendar", "sl_threshold_seconds", "sl_target", "wrapup_seconds"],
    template: { name: "", display_name: "", strategy: "longest_idle", sl_threshold_seconds: 20, sl_target: 0.8, alert_wait_seconds: null, alert_not_ready_seconds: null, alert_wrap_up_seconds: null, hold_music: null, announcement: "", announce_every_seconds: 30, announce_position: true, ring_timeout_seconds: 15,
      wrapup_seconds: 30, max_wait_seconds: null, max_length: null, exit_action: {}, required_skills: {}, escalation: [],
      default_priority: 0, reoffer_delay_seconds: 30, preferred_wait_seconds: 30, overflow_queue: null, calendar: null } },
  users: { title: "Users", key: "username", columns: ["username", "display_name", "role", "extension", "team", "active"],
    template: { username: "", display_name: "", role: "agent", extension: null, team: null, active: true, skills: {}, queues: {} } },
  skills: { title: "Skills", key: "name", columns: ["name", "description"], template: { name: "", description: "" } },
  teams: { title: "Teams", key: "name", columns: ["name"], template: { name: "" } },
  calendars: { title: "Calendars", key: "name", columns: ["name", "timezone", "holiday_country"],
    template: { name: "", timezone: "UTC", weekly_hours: { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]], wed: [["09:00", "17:00"]],
      thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]] }, holiday_country: null, holidays: {}, exceptions: {} } },
  dispositions: { title: "Dispositions", key: "code", columns: ["code", "label", "category", "active"],
    template: { code: "", label: "", category: "service", active: true } },
  // Listed with their status and list size; started, paused and stopped from the board (supervisors).
  campaigns: { title: "Campaigns", key: "name", columns: ["name", "mode", "status", "records", "max_attempts"],
    template: { name: "", mode: "progressive", queue: null, calendar: null, caller_id: null, max_attempts: 3,
      retry_minutes: 60, max_abandon_rate: 0.03, script: "", answering_machine: "off", machine_message: "", abandon_message: "", target_abandon_rate: 0.025, dispositions: [], call_from: "08:00", call_until: "21:00", starts_at: null, ends_at: null } },
  // Articles are named by number; only their text is edited, and one is retired rather than removed.
  kb: { title: "Knowledge base", key: "id", path: "kb/articles", columns: ["id", "title", "category"], writeOnly: true,
    template: { title: "", body: "", category: "general", tags: [] }, removeLabel: "Retire",
    remove: (id) => api.post(`/api/v1/kb/articles/${id}/retire`) },
};
const pathOf = (kind) => `/api/v1/${KINDS[kind].path || kind}`;
const $ = (id) => document.getElementById(id);
const role = document.querySelector("main.admin").dataset.role;
let canWrite = false;  // for the kind on show: admins write everything; supervisors also the knowledge base
// listing / editing: bumped by each list or record asked for, so that one arriving late is dropped.
const state = { kind: "queues", record: null, isNew: false, listing: 0, editing: 0 };

function cell(v) { return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v); }

async function show(kind) {
  state.kind = kind;
  state.editing++;  // a record still loading for the tab left behind is not shown
  const listing = ++state.listing;
  canWrite = role === "admin" || (role === "supervisor" && kind === "kb");
  document.querySelectorAll("nav.tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.kind === kind)));
  $("editor").hidden = true;
  $("flow-editor").hidden = true;
  $("new-record").hidden = !canWrite || kind === "audit" || kind === "webhooks";
  if (kind === "audit") return showAudit();
  if (kind === "webhooks") return showWebhooks();
  if (kind === "flows") return showFlows();
  const spec = KINDS[kind];
  $("kind-title").textContent = spec.title;
  $("records").querySelector("thead").replaceChildren(el("tr", {}, spec.columns.map((c) => el("th", {}, c.replace(/_/g, " ")))));
  const { items } = await api.get(pathOf(kind));
  if (listing !== state.listing) return;  // another tab was opened while this list loaded
  $("records").querySelector("tbody").replaceChildren(...items.map((item) =>
    el("tr", { "data-key": item[spec.key], onclick: () => open(kind, item[spec.key]) }, spec.columns.map((c) => el("td", {}, cell(item[c]))))));
}

async function showAudit() {
  $("kind-title").textContent = "Audit trail";
  $("records").querySelector("thead").replaceChildren(el("tr", {}, ["When", "Who", "What", "Record"].map((c) => el("th", {}, c))));
  let items = [];
  try { items = (await api.get("/api/v1/audit?limit=200")).items; } catch (e) { items = []; }
  $("records").querySelector("tbody").replaceChildren(...items.map((e) =>
    el("tr", { "data-action": e.action }, el("td", {}, new Date(e.at).toLocaleString()), el("td", {}, e.actor), el("td", {}, e.action), el("td", {}, e.target))));
}

// Webhook subscriptions and what was delivered to each, newest first (admins: the API refuses others).
async function showWebhooks() {
  $("kind-title").textContent = "Webhooks";
  $("records").querySelector("thead").replaceChildren(el("tr", {}, ["Subscription", "Event", "Status", "Tries", "Answer", "When"].map((c) => el("th", {}, c))));
  let subscriptions = [];
  try { subscriptions = (await api.get("/api/v1/webhooks")).items; } catch (e) { subscriptions = []; }
  const rows = [];
  for (const sub of subscriptions) {
    const { items } = await api.get(`/api/v1/webhooks/${sub.id}/deliveries`);
    if (!items.length) rows.push(el("tr", { "data-subscription": sub.id }, el("td", {}, sub.url), el("td", { colspan: 5 }, `${sub.events.join(", ")}: nothing delivered yet`)));
    for (const d of items) {
      rows.push(el("tr", { "data-subscription": sub.id, "data-delivery": d.id, "data-status": d.status },
        el("td", {}, sub.url), el("td", {}, d.event), el("td", {}, d.status), el("td", {}, String(d.attempts)),
        el("td", {}, d.last_status ? `HTTP ${d.last_status}` : d.last_error || ""), el("td", {}, new Date(d.delivered_at || d.created_at).toLocaleString())));
    }
  }
  $("records").querySelector("tbody").replaceChildren(...rows);
}

async function open(kind, key) {
  const editing = ++state.editing;
  const record = key === null ? { ...KINDS[kind].template } : await api.get(`${pathOf(kind)}/${encodeURIComponent(key)}`);
  // A record that arrives after the user moved on (another tab, a new record) must not take the editor over:
  // what they type next would be saved into it.
  if (editing !== state.editing || kind !== state.kind) return;
  state.record = record; state.isNew = key === null;
  $("editor-title").textContent = key === null ? `New ${kind.slice(0, -1)}` : `${kind.slice(0, -1)} ${key}`;
  const template = KINDS[kind].template, keyField = KINDS[kind].key;
  const names = KINDS[kind].writeOnly ? Object.keys(template) : Object.keys({ ...template, ...record });
  const fields = names.map((name) => field(name, record[name], template[name], name === keyField && !state.isNew));
  if (kind === "users") fields.push(field("password", "", "", false, state.isNew ? "password (at least 8 characters)" : "new password (leave empty to keep)"));
  $("record-form").replaceChildren(...fields);
  $("form-error").hidden = true;
  $("save-record").hidden = $("remove-record").hidden = !canWrite;
  $("remove-record").hidden = !canWrite || state.isNew;
  $("remove-record").textContent = kind === "users" ? "Switch off" : KINDS[kind].removeLabel || "Remove";
  $("editor").hidden = false;
}

// One input per field, by the kind of value it holds: text, number, yes/no, or JSON for maps and lists.
function field(name, value, like, readOnly, label) {
  const sample = value ?? like;
  const attrs = { name, "data-field": name, "aria-label": name, ...(readOnly || !canWrite ? { readonly: "" } : {}) };
  let input;
  if (typeof sample === "boolean") input = el("input", { ...attrs, type: "checkbox", ...(value ? { checked: "" } : {}), ...(readOnly || !canWrite ? { disabled: "" } : {}) });
  else if (typeof sample === "number") input = el("input", { ...attrs, type: "number", value: value ?? "", "data-type": "number" });
  else if (name === "body") input = el("textarea", { ...attrs, rows: "12" }, value ?? "");
  else if (sample !== null && typeof sample === "object") input = el("textarea", { ...attrs, "data-type": "json" }, JSON.stringify(value ?? like, null, 1));
  else input = el("input", { ...attrs, type: name === "password" ? "password" : "text", value: value ?? "", "data-type": like === null ? "nullable" : "text" });
  return el("label", {}, el("span", {}, label || name.replace(/_/g, " ")), input);
}

function collect() {
  const body = {};
  for (const input of $("record-form").querySelectorAll("[data-field]")) {
    const name = input.dataset.field;
    input.classList.remove("bad");
    if (input.type === "checkbox") body[name] = input.checked;
    else if (input.dataset.type === "number") body[name] = input.value === "" ? null : Number(input.value);
    else if (input.dataset.type === "json") {
      try { body[name] = JSON.parse(input.value || "null"); } catch (e) { input.classList.add("bad"); throw new Error(`${name}: not valid JSON (${e.message})`); }
    } else if (input.dataset.type === "nullable") body[name] = input.value.trim() === "" ? null : input.value.trim();
    else body[name] = input.value;
  }
  return body;
}

// IVR flows: the file as YAML, checked by the server before it is saved (problems as FILE:LINE: reason).
let flowName = null;
async function showFlows() {
  $("kind-title").textContent = "IVR flows";
  $("records").querySelector("thead").replaceChildren(el("tr", {}, ["Flow", "Loaded version", "Numbers"].map((c) => el("th", {}, c))));
  const { items } = await api.get("/api/v1/flows");
  $("records").querySelector("tbody").replaceChildren(...items.map((f) =>
    el("tr", { "data-key": f.name, onclick: () => openFlow(f.name) }, el("td", {}, f.name + (f.entry ? " (entry)" : "")),
      el("td", {}, f.loaded ? f.version : "not loaded"), el("td", {}, f.numbers.join(", ")))));
}
async function openFlow(name) {
  flowName = name;
  const flow = name ? await api.get(`/api/v1/flows/${encodeURIComponent(name)}`) : { text: "start: hello\nnodes:\n  hello:\n    hangup: 'Hello.'\n" };
  $("flow-title").textContent = name ? `Flow ${name}` : "New flow";
  $("flow-loaded").textContent = name ? (flow.loaded ? `loaded: ${flow.version}` : "not loaded (it has errors)") : "";
  $("flow-text").value = flow.text;
  $("flow-text").readOnly = !canWrite;
  $("save-flow").hidden = !canWrite;
  $("flow-errors").hidden = true;
  const history = name ? (await api.get(`/api/v1/flows/${encodeURIComponent(name)}/history`)).items : [];
  $("flow-history").replaceChildren(...history.map((v) => el("li", { "data-version": v.version }, v.version, " ",
    canWrite ? el("button", { type: "button", onclick: () => rollback(v.version) }, "Put back") : null)));
  $("flow-editor").hidden = false;
}
async function saveFlow(path, method, body) {
  const res = await fetch(path, { method, credentials: "same-origin", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": api.csrf() } });
  const data = await res.json();
  if (res.ok) { $("flow-errors").hidden = true; await showFlows(); await openFlow(flowName); return; }
  const problems = (data.errors || []).map((e) => e.reason || `${e.field}: ${e.reason}`);
  $("flow-errors").replaceChildren(...(problems.length ? problems : [data.message]).map((p) => el("li", {}, p)));
  $("flow-errors").hidden = false;
}
async function rollback(version) { await saveFlow(`/api/v1/flows/${encodeURIComponent(flowName)}/rollback`, "POST", { version }); }
$("save-flow").onclick = async () => {
  if (!flowName) {
    const name = prompt("Name of the new flow (lower-case letters, digits, _)");
    if (!name) return;
    flowName = name;
  }
  await saveFlow(`/api/v1/flows/${encodeURIComponent(flowName)}`, "PUT", { text: $("flow-text").value });
};
$("close-flow").onclick = () => { $("flow-editor").hidden = true; };

$("record-form").onsubmit = async (e) => {
  e.preventDefault();
  const kind = state.kind, keyField = KINDS[kind].key;
  $("form-error").hidden = true;
  try {
    const body = collect();
    const password = body.password; delete body.password;
    let saved;
    if (state.isNew) {
      saved = await api.post(pathOf(kind), kind === "users" && password ? { ...body, password } : body);
    } else {
      saved = await api.patch(`${pathOf(kind)}/${encodeURIComponent(state.record[keyField])}`, body);
      if (kind === "users" && password) await api.post(`/api/v1/users/${encodeURIComponent(body.username)}/password`, { password });
    }
    await show(kind);
    await open(kind, (saved && saved[keyField]) ?? body[keyField]);
    $("form-error").hidden = true;
  } catch (err) { $("form-error").textContent = err.message; $("form-error").hidden = false; }
};
$("remove-record").onclick = async () => {
  const kind = state.kind, key = state.record[KINDS[kind].key];
  try { await (KINDS[kind].remove ? KINDS[kind].remove(key) : api.del(`${pathOf(kind)}/${encodeURIComponent(key)}`)); await show(kind); }
  catch (err) { $("form-error").textContent = err.message; $("form-error").hidden = false; }
};
$("close-editor").onclick = () => { $("editor").hidden = true; };
$("new-record").onclick = () => (state.kind === "flows" ? openFlow(null) : open(state.kind, null));
document.querySelectorAll("nav.tabs button").forEach((b) => { b.onclick = () => show(b.dataset.kind); });
show(location.hash.slice(1) in KINDS || ["#audit", "#flows", "#webhooks"].includes(location.hash) ? location.hash.slice(1) : "queues");
