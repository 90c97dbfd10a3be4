// Agent desktop: one socket on /agent, a state that mirrors the server's (snapshot + numbered events),
// and a page drawn from that state. See docs/desktop.md for the wire contract.
"use strict";
const $ = (id) => document.getElementById(id);

// ---- the state: exactly what the server's desk.snapshot describes, plus what the page keeps ----
const S = { agent: null, phone: null, offer: null, call: null, wrapup: null, preview: null, standby: null, pop: null, popCall: null, ended: null };
const link = { last: null, stream: null, syncing: false, pending: [], gen: 0, offset: 0 };
// Read by the browser tests: every applied seq, snapshots, and dropped duplicates.
window.deskDebug = { applied: [], snapshots: [], duplicates: [], state: S };

const HUNG_UP = { caller: "caller hung up", agent: "you hung up", transfer: "transferred", failure: "failed", system: "ended by the system" };
const STATE_LABEL = { offline: "Offline", available: "Ready", reserved: "Ringing", on_call: "On call", wrap_up: "Wrap-up", not_ready: "Not ready" };

function serverNow() { return Date.now() + link.offset; }
function setOffset(serverTime) { if (serverTime) link.offset = Date.parse(serverTime) - Date.now(); }
function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0");
}
function fullName(c) { return c ? `${c.first_name} ${c.last_name}` : null; }
function popName(pop, number) { return fullName(pop && pop.customer) || `Unknown caller ${number || (pop && pop.caller_number) || ""}`; }

// ---- reducers: idempotent, so an event applied on top of a snapshot that already holds it is harmless ----
const reducers = {
  "agent.state_changed": (d) => { S.agent = { ...(S.agent || {}), state: d.state, reason: d.reason, since: d.since }; },
  "campaign.preview": (d) => { S.preview = d; },
  "campaign.preview_ended": (d) => { if (S.preview && S.preview.attempt_id === d.attempt_id) S.preview = null; },
  // Predictive dialling: the phone stays connected between calls; customers are put through as they answer.
  // A deal of this agent's stalled (past its expected close, or untouched for a month): said once per stall.
  "deal.stalled": (d) => { toast(`Deal "${d.name}" has stalled: ${d.reason}`); },
  "deal.renewal": (d) => { toast(`New renewal deal: "${d.name}" (the contract ends on ${d.ends_on})`); },
  "campaign.standby": (d) => { S.standby = d.state === "connected" ? d : null; if (d.reason) toast(d.reason); },
  "call.offered": (d) => {
    const fresh = !S.offer || S.offer.call_id !== d.call_id;
    S.offer = d; S.ended = null; showPop(d.screen_pop, d.call_id);
    if (fresh) announce(d);
  },
  "call.offer_withdrawn": (d) => {
    if (S.offer && S.offer.call_id === d.call_id) { S.offer = null; S.ended = { call_id: d.call_id, text: withdrawnText(d.reason) }; }
  },
  "call.connected": (d) => {
    const offer = S.offer && S.offer.call_id === d.call_id ? S.offer : null;
    const prev = S.call && S.call.call_id === d.call_id ? S.call : {};
    S.call = { held: false, screen_pop: offer ? offer.screen_pop : (S.popCall === d.call_id ? S.pop : null),
      ...(offer ? { queue: offer.queue, caller_number: offer.caller_number } : {}), ...prev, call_id: d.call_id, started_at: d.started_at,
      direction: d.direction || prev.direction || "inbound", consult: d.consult || prev.consult || null };
    if (offer) S.offer = null;
    if (S.call.screen_pop) showPop(S.call.screen_pop, d.call_id);
    else S.popCall = d.call_id;  // click-to-call: keep the record on screen for this call
    S.ended = null;
  },
  "consult.started": (d) => { setConsult(d); },
  "consult.connected": (d) => { setConsult(d); },
  "consult.ended": (d) => {
    if (!S.call || S.call.call_id !== d.call_id) return;
    // The consulted agent who now owns the call just carries on; the owner sees how the consult ended.
    S.call.consult = d.role === "target" ? null : { role: "owner", agent_id: d.agent_id, agent_name: (S.call.consult || {}).agent_name, state: "ended", outcome: d.outcome };
  },
  // A supervisor whispering (only you hear them) or barging (the customer does too); mode null: they left.
  "call.coaching": (d) => {
    if (S.call && S.call.call_id === d.call_id) S.call.coaching = d.mode ? { mode: d.mode, supervisor: d.supervisor, supervisor_id: d.supervisor_id } : null;
  },
  "call.held": (d) => { if (S.call && S.call.call_id === d.call_id) S.call.held = true; },
  "call.resumed": (d) => { if (S.call && S.call.call_id === d.call_id) S.call.held = false; },
  "call.ended": (d) => {
    if (S.call && S.call.call_id === d.call_id) S.call = null;
    if (S.offer && S.offer.call_id === d.call_id) S.offer = null;
    S.ended = { call_id: d.call_id, by: d.hung_up_by, text: HUNG_UP[d.hung_up_by] || d.reason || "ended" };
  },
  "wrapup.started": (d) => { S.wrapup = d; },
  // A wrap-up that ran out keeps its form (and what was typed): the call is logged, its disposition pending.
  "wrapup.ended": (d) => {
    if (S.wrapup && S.wrapup.call_id === d.call_id) S.wrapup = d.disposition_pending ? { ...S.wrapup, deadline: null, disposition_pending: true } : null;
  },
  "timeline.appended": (d) => {
    const pop = S.pop;
    if (!pop || !pop.customer || pop.customer.id !== d.customer_id || !pop.customer_360) return;
    const list = pop.customer_360.activities = pop.customer_360.activities || [];
    if (!list.some((a) => a.id === d.activity.id)) list.unshift(d.activity);
  },
  "phone.status": (d) => { S.phone = d; },
  "call.customer_linked": (d) => {
    for (const holder of [S.offer, S.call]) {
      if (holder && holder.call_id === d.call_id) holder.screen_pop = { ...(holder.screen_pop || {}), customer: d.customer, customer_360: d.customer_360, matches: [] };
    }
    if (S.popCall === d.call_id) { const pop = { ...(S.pop || {}), customer: d.customer, customer_360: d.customer_360, matches: [] }; S.pop = null; showPop(pop, d.call_id); }
  },
  "call.dialling": (d) => {
    // A call we place: on the desk from the moment the agent's phone answered, before the customer does.
    const offer = S.offer && S.offer.call_id === d.call_id ? S.offer : null;
    if (!S.call || S.call.call_id !== d.call_id) {
      S.call = { call_id: d.call_id, direction: "outbound", started_at: null, held: false, caller_number: d.number, consult: null,
        screen_pop: d.screen_pop || (offer ? offer.screen_pop : (S.popCall === d.call_id ? S.pop : null)) };
    }
    if (offer) S.offer = null;
    S.call.dialling = d.number; S.ended = null;
    if (S.call.screen_pop) showPop(S.call.screen_pop, d.call_id);
  },
};
function setConsult(d) {
  if (S.call && S.call.call_id === d.call_id) S.call.consult = { role: d.role, agent_id: d.agent_id, agent_name: d.agent_name, state: d.state };
}
function consultText(c) {
  const who = c.agent_name || agentName(c.agent_id);
  if (c.role === "target") return `Consult: ${who} asks you to take this call (the caller is on hold)`;
  if (c.state === "ended") return `Consult with ${who} ended: ${String(c.outcome || "").replace(/_/g, " ")}`;
  return c.state === "connected" ? `Talking with ${who}; the caller is on hold` : `Ringing ${who}…`;
}
function withdrawnText(reason) {
  return { caller_hung_up: "caller hung up", missed: "missed: not answered in time", taken: "taken by another agent", rejected: "you rejected the call" }[reason] || reason;
}

function applySnapshot(snap) {
  S.agent = snap.agent; S.offer = snap.offer || null; S.call = snap.call || null; S.wrapup = snap.wrapup || null;
  S.preview = snap.preview || null;
  S.standby = snap.standby && snap.standby.state === "connected" ? snap.standby : null;
  S.phone = snap.phone || (snap.agent && snap.agent.extension ? { extension: snap.agent.extension, registered: null } : null);
  // The record on screen follows the ringing or live call; otherwise the last one stays (for click-to-call).
  if (S.offer) showPop(S.offer.screen_pop, S.offer.call_id);
  else if (S.call && S.call.screen_pop) showPop(S.call.screen_pop, S.call.call_id);
}

// ---- the stream: numbered events in order, a sync after any gap or reconnect ----
function receive(event, data) {
  if (!data || typeof data.seq !== "number" || !reducers[event]) return;
  if (link.syncing || link.stream === null) { link.pending.push([event, data]); return; }
  if (data.stream !== link.stream || data.seq > link.last + 1) { link.pending.push([event, data]); sync(); return; }
  if (data.seq <= link.last) { window.deskDebug.duplicates.push(data.seq); return; }
  apply(event, data);
}
function apply(event, data) {
  reducers[event](data);
  link.last = data.seq;
  window.deskDebug.applied.push(data.seq);
  render();
}
async function sync() {
  if (link.syncing || !socket.connected) return;
  const gen = ++link.gen;
  link.syncing = true; setConn("syncing");
  let res;
  try {
    res = await socket.timeout(8000).emitWithAck("sync", { since_seq: link.last, stream: link.stream });
  } catch (e) { res = null; }
  if (gen !== link.gen) return;  // a reconnect started another sync meanwhile
  link.syncing = false;
  if (!res || !res.ok) { if (socket.connected) setTimeout(sync, 1000); return; }
  setOffset(res.server_time);
  if (res.mode === "snapshot") {
    link.stream = res.stream; link.last = res.seq;
    applySnapshot(res.snapshot);
    window.deskDebug.snapshots.push(res.seq);
    render();
  } else {
    for (const e of res.events) if (e.data.seq === link.last + 1) apply(e.event, e.data);
  }
  const queued = link.pending.sort((a, b) => a[1].seq - b[1].seq); link.pending = [];
  for (const [event, data] of queued) {
    if (data.stream === link.stream && data.seq <= link.last) { window.deskDebug.duplicates.push(data.seq); continue; }
    receive(event, data);
  }
  if (!link.syncing && socket.connected) setConn("connected");
}

// ---- the socket: automatic reconnect, honest connection state, an app-level heartbeat ----
const socket = io("/agent", { transports: ["websocket"], reconnectionDelay: 300, reconnectionDelayMax: 3000, timeout: 5000 });
let failures = 0;
socket.on("connect", () => { failures = 0; link.syncing = false; link.gen++; sync(); });
socket.on("disconnect", (reason) => {
  link.syncing = false; link.gen++;
  setConn(reason === "io server disconnect" ? "offline" : "reconnecting", reason);
  if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2000);  // e.g. a silent socket was dropped
});
socket.on("connect_error", (err) => {
  if (err && err.message === "unauthorized") { location.href = "/login?next=/desk"; return; }
  failures++;
  setConn(!navigator.onLine || failures > 2 ? "offline" : "reconnecting", err && err.message);
});
socket.on("session.ended", () => { location.href = "/login?next=/desk"; });
socket.onAny(receive);
window.addEventListener("offline", () => setConn("offline", "the browser is offline"));
window.addEventListener("online", () => { if (!socket.connected) { setConn("reconnecting"); socket.connect(); } });

const HEARTBEAT_MS = 15000;
setInterval(async () => {
  if (!socket.connected || link.syncing) return;
  try {
    const res = await socket.timeout(HEARTBEAT_MS / 2).emitWithAck("heartbeat", { seq: link.last });
    setOffset(res.server_time);
    // A newer seq than ours while connected means an event was lost on the way: catch up.
    if (res.stream !== link.stream || res.seq > link.last) sync();
  } catch (e) {
    // No answer although the transport looks open: treat it as dead and reconnect.
    setConn("reconnecting", "heartbeat lost"); socket.disconnect(); socket.connect();
  }
}, HEARTBEAT_MS);

function setConn(state, why) {
  const node = $("conn");
  node.dataset.state = state;
  node.textContent = { connected: "● connected", syncing: "● syncing…", reconnecting: "● reconnecting…", offline: "● offline — retrying", connecting: "connecting…" }[state];
  node.title = why || "";
  document.body.classList.toggle("stale", state !== "connected");
}

// ---- commands ----
async function command(event, data) {
  if (!socket.connected) { toast("Not connected: wait for the connection to come back"); return null; }
  let res;
  try { res = await socket.timeout(8000).emitWithAck(event, data); } catch (e) { toast("No answer from the server; try again"); return null; }
  if (!res.ok) { toast(res.message || res.error); return null; }
  return res;
}
function toast(text) { const t = $("toast"); t.textContent = text; t.hidden = !text; clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, 6000); }

const actions = {
  ready: () => command("agent.set_state", { state: "available" }),
  notReady: () => command("agent.set_state", { state: "not_ready", reason: $("nr-reason").value }),
  accept: () => S.offer && command("call.accept", { call_id: S.offer.call_id }),
  reject: () => S.offer && command("call.reject", { call_id: S.offer.call_id }),
  hangup: () => S.call && command("call.hangup", { call_id: S.call.call_id }),
  completeTransfer: () => S.call && command("call.transfer_complete", { call_id: S.call.call_id }),
  cancelConsult: () => S.call && command("call.consult_cancel", { call_id: S.call.call_id }),
  holdToggle: () => S.call && command(S.call.held ? "call.resume" : "call.hold", { call_id: S.call.call_id }),
  extend: () => S.wrapup && command("wrapup.extend", { seconds: 30 }),
  dial: (number, customerId) => command("call.dial", { number, customer_id: customerId || null }),
};
$("btn-ready").onclick = actions.ready;
$("btn-not-ready").onclick = actions.notReady;
$("btn-accept").onclick = actions.accept;
$("btn-reject").onclick = actions.reject;
$("btn-hangup").onclick = actions.hangup;
$("btn-complete-transfer").onclick = actions.completeTransfer;
$("btn-cancel-consult").onclick = actions.cancelConsult;
async function onPreview(what) {
  if (!S.preview) return;
  try { await api.post(`/api/v1/dialer/previews/${S.preview.attempt_id}/${what}`, {}); } catch (e) { toast(e.message); }
}
$("btn-preview-call").onclick = () => onPreview("call");
$("btn-preview-skip").onclick = () => onPreview("skip");
$("btn-hold").onclick = actions.holdToggle;
$("btn-extend").onclick = actions.extend;
$("btn-logout").onclick = async () => {
  if (socket.connected && S.agent && S.agent.state !== "offline") {
    if (!(await command("agent.set_state", { state: "offline" }))) return;
  }
  await api.post("/api/v1/auth/logout"); location.href = "/login";
};
$("dial-form").onsubmit = (e) => { e.preventDefault(); const n = $("dial-number").value.trim(); if (n) actions.dial(n, null); };
// Where a call can go: queues and the agents logged in now (ready ones first), refreshed when the list opens.
let targets = { queues: [], agents: [] };
async function loadTargets() {
  const res = await command("desk.transfer_targets", {});
  if (!res) return;
  targets = res;
  const current = $("transfer-target").value;
  $("transfer-target").replaceChildren(el("option", { value: "" }, "— choose —"),
    el("optgroup", { label: "Queues" }, res.queues.map((q) => el("option", { value: `queue:${q.name}` }, `${q.name}${q.waiting ? ` (${q.waiting} waiting)` : ""}`))),
    el("optgroup", { label: "Agents" }, res.agents.map((a) => el("option", { value: `agent:${a.user_id}` }, `${a.name} · ${STATE_LABEL[a.state] || a.state}`))));
  $("transfer-target").value = current;
}
let targetsAt = 0;
function freshTargets() { if (Date.now() - targetsAt > 10000) { targetsAt = Date.now(); loadTargets(); } }
$("transfer-target").addEventListener("focus", loadTargets);
$("transfer-form").onsubmit = async (e) => {
  e.preventDefault();
  if (!S.call) return;
  const [kind, value] = $("transfer-target").value.split(":");
  if (!value) { toast("Choose a queue or an agent to transfer to"); $("transfer-target").focus(); return; }
  const body = { call_id: S.call.call_id, warm: $("transfer-warm").checked };
  if (kind === "queue") body.queue = value; else body.agent_id = Number(value);
  if (await command("call.transfer", body)) $("transfer-target").value = "";
};
const notesTaken = [];
let notesCall = null;
$("note-form").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("note-text").value.trim();
  if (!text || !S.call) return;
  if (await command("call.note", { call_id: S.call.call_id, text })) {
    notesTaken.push(text); $("note-text").value = ""; $("notes").append(el("li", {}, text));
  }
};
$("note-text").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) $("note-form").requestSubmit(); });

// Wrap-up: follow-ups are made with one click and sent with the disposition.
const followUps = [];
document.querySelectorAll("[data-follow]").forEach((b) => { b.onclick = () => addFollowUp(b.dataset.follow); });
function addFollowUp(type) {
  const who = fullName(S.pop && S.pop.customer) || "caller";
  const item = { type, subject: `${type[0].toUpperCase() + type.slice(1)}: ${who}` };
  if (type === "callback") item.at = new Date(serverNow() + 3600e3).toISOString().slice(0, 16);
  followUps.push(item); drawFollowUps();
}
const CASE_STATUSES = ["new", "open", "pending_customer", "resolved", "closed"];  // as the CRM has them
function addCaseUpdate(k) {
  if (followUps.some((f) => f.type === "case_update" && f.case_id === k.id)) return;
  followUps.push({ type: "case_update", case_id: k.id, number: k.number, status: k.status, note: "" }); drawFollowUps();
  toast(`Case ${k.number || k.id} will be updated when you save the wrap-up`);
}
function drawFollowUps() {
  $("follow-ups").replaceChildren(...followUps.map((f, i) => f.type === "case_update" ? el("li", { "data-type": f.type },
    el("strong", {}, `case ${f.number || f.case_id}`), " ",
    el("select", { "aria-label": "case status", onchange: (e) => { f.status = e.target.value; } },
      CASE_STATUSES.map((st) => el("option", st === f.status ? { value: st, selected: "" } : { value: st }, st.replace(/_/g, " ")))),
    el("input", { placeholder: "note on the case", "aria-label": "case note", value: f.note || "", oninput: (e) => { f.note = e.target.value; } }),
    el("button", { type: "button", onclick: () => { followUps.splice(i, 1); drawFollowUps(); } }, "✕")) : el("li", { "data-type": f.type },
    el("strong", {}, f.type), " ",
    el("input", { value: f.subject, "aria-label": `${f.type} subject`, oninput: (e) => { f.subject = e.target.value; } }),
    f.type === "callback" ? el("input", { type: "datetime-local", value: f.at, "aria-label": "callback at", oninput: (e) => { f.at = e.target.value; } }) : null,
    el("button", { type: "button", onclick: () => { followUps.splice(i, 1); drawFollowUps(); } }, "✕"))));
}
$("wrapup").onsubmit = async (e) => {
  e.preventDefault();
  if (!S.wrapup) return;
  const disposition = $("disposition").value;
  if (!disposition) { toast("Choose a disposition first"); $("disposition").focus(); return; }
  const customerId = S.pop && S.pop.customer ? S.pop.customer.id : null;
  const items = followUps.map((f) => f.type === "case_update" ? { type: f.type, case_id: f.case_id, status: f.status, note: f.note || null }
    : { ...f, customer_id: customerId, ...(f.at ? { at: new Date(f.at).toISOString() } : {}) });
  const res = await command("wrapup.save", { call_id: S.wrapup.call_id, disposition, notes: $("wrapup-notes").value, follow_ups: items });
  if (res) toast(`Saved${res.created && res.created.length ? `: ${res.created.length} follow-up(s) created` : ""}`);
};

// ---- keyboard ----
document.addEventListener("keydown", (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
  if (e.key === "Escape" && typing) { e.target.blur(); return; }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.toLowerCase();
  const run = { a: actions.accept, x: actions.reject, r: actions.ready, n: actions.notReady, e: actions.extend,
    t: () => $("transfer-target").focus(), k: () => $("kb-q").focus(), w: () => $("wrapup").requestSubmit() }[key];
  if (key === "h") { e.preventDefault(); (e.shiftKey ? actions.holdToggle : actions.hangup)(); return; }
  if (run && !e.shiftKey) { e.preventDefault(); run(); }
});

// ---- ringing: a beep, and a notification when the page is not in front ----
let audio = null, ringTimer = null;
document.addEventListener("pointerdown", () => { if (!audio && window.AudioContext) audio = new AudioContext(); }, { once: true });
document.addEventListener("keydown", () => { if (!audio && window.AudioContext) audio = new AudioContext(); }, { once: true });
function beep() {
  if (!audio) return;
  const osc = audio.createOscillator(), gain = audio.createGain();
  osc.frequency.value = 880; gain.gain.value = 0.15;
  osc.connect(gain).connect(audio.destination); osc.start(); osc.stop(audio.currentTime + 0.35);
}
function announce(offer) {
  if (window.Notification && Notification.permission === "granted" && document.visibilityState !== "visible") {
    new Notification("Incoming call", { body: `${popName(offer.screen_pop, offer.caller_number)} · ${offer.queue || ""}`, tag: offer.call_id });
  }
}
if (window.Notification && Notification.permission === "default") {
  $("btn-notify").hidden = false;
  $("btn-notify").onclick = async () => { await Notification.requestPermission(); $("btn-notify").hidden = true; };
}

// ---- drawing ----
function render() {
  const a = S.agent || { state: "offline" };
  $("agent-state").dataset.state = a.state;
  $("agent-state").textContent = (STATE_LABEL[a.state] || a.state) + (a.reason ? ` (${a.reason})` : "");
  $("standby-tag").hidden = !S.standby;
  $("standby-tag").textContent = S.standby ? `Phone standing by${S.standby.campaign ? ` · ${S.standby.campaign}` : ""}: calls are put straight through` : "";
  const ph = $("phone");
  ph.dataset.registered = S.phone ? String(S.phone.registered) : "unknown";
  ph.textContent = !S.phone ? "phone: unknown" : `phone ${S.phone.extension || ""}: ${S.phone.registered === true ? "registered" : S.phone.registered === false ? "NOT registered" : "unknown"}`;

  const previewing = S.preview && !S.offer && !S.call && !S.wrapup;
  $("idle").hidden = !!(S.offer || S.call || S.wrapup || previewing);
  $("preview").hidden = !previewing;
  if (previewing) {
    const p = S.preview, r = p.record || {};
    $("preview-name").textContent = `${r.first_name || ""} ${r.last_name || ""}`.trim() || r.number;
    $("preview-detail").textContent = `${r.number} · ${p.campaign} · attempt ${r.attempts || 1}`;
    $("preview-script").textContent = p.script || "";
    const left = Math.max(0, Math.round((Date.parse(p.deadline) - serverNow()) / 1000));
    $("preview-countdown").textContent = `· calls in ${left} s`;
  }
  $("offer").hidden = !S.offer;
  $("incall").hidden = !S.call;
  $("wrapup").hidden = !S.wrapup;
  $("idle-title").textContent = a.state === "available" ? "Waiting for a call" : "No call";
  $("ended-reason").textContent = S.ended ? `Last call: ${S.ended.text}` : "";
  $("ended-reason").dataset.reason = S.ended ? S.ended.text : "";

  if (S.offer) {
    const o = S.offer, pop = o.screen_pop || {};
    $("offer-name").textContent = popName(pop, o.caller_number);
    const consult = o.kind === "consult" && pop.consult, handoff = o.kind === "transfer" && pop.transfer;
    $("offer-kind").textContent = { consult: "Consult", transfer: "Transferred call", callback: "Callback to place" }[o.kind] || "Incoming call";
    $("offer").dataset.kind = o.kind || "queue";
    $("offer-detail").textContent = consult
      ? `Consult from ${consult.from_agent || agentName(consult.from_agent_id)}` + ((consult.notes || []).length ? ` · notes: ${consult.notes.join(" / ")}` : "")
      : handoff ? `From ${handoff.from_agent || agentName(handoff.from_agent_id)} · queue ${o.queue || "—"}` + ((handoff.notes || []).length ? ` · notes: ${handoff.notes.join(" / ")}` : "")
      : o.kind === "callback" ? `Call back ${(pop.callback && pop.callback.number) || o.caller_number} · queue ${o.queue || "—"} · asked ${duration((o.waited_seconds || 0) * 1000)} ago`
      : `${o.caller_number || ""} → ${o.dialled || ""} · queue ${o.queue || "—"} · waited ${duration((o.waited_seconds || 0) * 1000)}`;
    if (!ringTimer) { beep(); ringTimer = setInterval(beep, 1500); }
  } else if (ringTimer) { clearInterval(ringTimer); ringTimer = null; }

  if (S.call && notesCall !== S.call.call_id) { notesCall = S.call.call_id; notesTaken.length = 0; $("notes").replaceChildren(); freshTargets(); }
  if (S.call) {
    $("call-name").textContent = popName(S.popCall === S.call.call_id ? S.pop : S.call.screen_pop, S.call.caller_number);
    $("call-title").textContent = S.call.direction === "outbound" ? (S.call.started_at ? "Outbound call" : "Calling…") : "On call";
    $("held-tag").hidden = !S.call.held;
    const coach = S.call.coaching;
    $("coaching-tag").hidden = !coach;
    if (coach) {
      $("coaching-tag").dataset.mode = coach.mode;
      $("coaching-tag").textContent = coach.mode === "barge" ? `${coach.supervisor || "A supervisor"} joined the call` : `${coach.supervisor || "A supervisor"} is coaching you (only you hear them)`;
    }
    $("btn-hold").firstChild.textContent = S.call.held ? "Resume " : "Hold ";
  }
  const c = S.call && S.call.consult;
  $("consult").hidden = !c;
  if (c) {
    $("consult-text").textContent = consultText(c);
    $("consult").dataset.state = c.role === "target" ? "target" : c.state;
    $("btn-complete-transfer").hidden = !(c.role === "owner" && c.state === "connected");
    $("btn-cancel-consult").hidden = !(c.role === "owner" && c.state !== "ended");
  }
  $("btn-hold").disabled = $("btn-transfer").disabled = !!(c && c.role === "target");

  const form = $("wrapup");
  if (S.wrapup && form.dataset.call !== S.wrapup.call_id) {
    form.dataset.call = S.wrapup.call_id;
    $("disposition").replaceChildren(el("option", { value: "" }, "— choose —"),
      ...(S.wrapup.dispositions || []).map((d) => el("option", { value: d.code }, d.label)));
    $("wrapup-notes").value = notesTaken.join("\n");
    followUps.length = 0; drawFollowUps();
  } else if (!S.wrapup) { form.dataset.call = ""; }
  drawTimeline();
  tick();
}

function showPop(pop, callId) {
  if (pop === S.pop && callId === S.popCall) return;
  S.pop = pop; S.popCall = callId;
  drawPop();
}

function drawPop() {
  const root = $("pop"), pop = S.pop;
  if (!pop) { root.replaceChildren(el("p", { class: "hint" }, "The caller's record shows here when a call rings.")); suggest(); return; }
  const c = pop.customer, v = pop.customer_360 || {}, ivr = pop.ivr || {};
  const call = el("p", { class: "callinfo" }, `From ${pop.caller_number || "?"}`, pop.dialled ? ` to ${pop.dialled}` : "",
    pop.queue ? ` · queue ${pop.queue}` : "", pop.waited_seconds != null ? ` · waited ${duration(pop.waited_seconds * 1000)}` : "");
  const trail = el("div", { class: "ivr", id: "ivr" }, el("h3", {}, "IVR"),
    el("p", { class: "path", title: (ivr.path || []).map(step).join(" → ") }, shortPath(ivr) || "—"),
    inputsLine(ivr.inputs, ivr), answersList(ivr.answers), pairs("For you", pop.data), waitedLine(pop.escalations));
  const campaign = campaignCard(pop.campaign);
  if (campaign) trail.replaceWith(campaign);
  const shown = campaign || trail;
  if (!c) {
    const name = pop.campaign ? fullName(pop.campaign.record) || popName(pop) : popName(pop);
    root.replaceChildren(el("h2", { id: "pop-name" }, name), call, shown, unknownCaller(pop)); suggest(); return;
  }
  const acct = v.account;
  root.replaceChildren(
    el("h2", { id: "pop-name" }, fullName(c), " ", c.vip ? el("span", { class: "tag vip" }, "VIP") : null,
      c.segment && c.segment !== "vip" && c.segment !== "standard" ? el("span", { class: "tag" }, c.segment) : null),
    el("p", {}, acct ? `${acct.name} · ` : "", `${c.language || ""}`, c.timezone ? ` · ${c.timezone} ` : "",
      c.timezone ? el("span", { id: "local-time", "data-tz": c.timezone }, "") : null),
    el("p", { class: "row wrap" }, (c.phones || []).map((p) => el("button", { type: "button", class: "dial",
      onclick: () => actions.dial(p.e164, c.id) }, `☎ ${p.e164}`))),
    call, shown,
    el("h3", {}, `Open cases (${(v.open_cases || []).length})`),
    table(["Case", "Subject", "Status", "SLA", ""], (v.open_cases || []).map((k) =>
      [k.number || k.id, k.subject, `${k.status} · ${k.priority}`, due(k),
        el("button", { type: "button", class: "small", title: "Update this case in the wrap-up", onclick: () => addCaseUpdate(k) }, "Update")])),
    contractLine(v.contracts), equipmentList(v.equipment), visitsList(v.appointments),
    el("h3", {}, `Open opportunities (${(v.open_opportunities || []).length})`),
    table(["Name", "Stage", "Amount"], (v.open_opportunities || []).map((o) => [o.name, o.stage, money(o.amount_cents, o.currency)])),
    el("h3", {}, "Recent orders"),
    table(["Order", "Status", "Total", "Placed"], (v.recent_orders || []).map((o) => [o.number, o.status, money(o.total_cents, o.currency), when(o.placed_at)])),
    el("h3", {}, "Timeline"), el("ul", { id: "timeline", class: "timeline" }));
  drawTimeline(true);
  suggest();
}
// Service contracts: the one in force, or the one that ended (a caller whose cover lapsed is told so).
function contractLine(contracts) {
  if (!contracts || !contracts.length) return null;
  const today = new Date(serverNow()).toISOString().slice(0, 10);
  const active = contracts.find((c) => c.starts_on <= today && today <= c.ends_on);
  if (active) return el("p", { class: "contract", id: "contract" }, el("span", { class: "tag" }, active.tier), ` contract until ${active.ends_on}`);
  const ended = contracts.find((c) => c.ends_on < today);
  return ended ? el("p", { class: "contract lapsed", id: "contract" }, el("span", { class: "tag lapsed" }, "contract ended"), ` ${ended.tier}, on ${ended.ends_on}`) : null;
}
// The caller's equipment and what its warranty covers today (parts and labour run for months of their own).
function equipmentList(items) {
  if (!items || !items.length) return null;
  const today = new Date(serverNow()).toISOString().slice(0, 10);
  const cover = (until, what) => until ? (today <= until ? `${what} until ${until}` : `${what} ended ${until}`) : null;
  return el("div", { id: "equipment" }, el("h3", {}, "Equipment"),
    table(["Model", "Serial", "Warranty"], items.map((e) => [e.model, e.serial,
      [cover(e.warranty_until, "parts"), cover(e.labour_warranty_until, "labour")].filter(Boolean).join(", ") || "none"])));
}
// Technician visits booked for the caller (on the phone or by them in the portal), soonest first.
function visitsList(items) {
  if (!items || !items.length) return null;
  return el("div", { id: "visits" }, el("h3", {}, "Booked visits"),
    table(["When", "Technician", "For"], items.map((a) => [when(a.starts_at), a.technician, a.skill.replace(/_/g, " ")])));
}
// A call the dialer placed: which campaign, the record as the list has it, and the script to read.
function campaignCard(campaign) {
  if (!campaign) return null;
  const r = campaign.record || {};
  return el("div", { class: "campaign", id: "campaign" }, el("h3", {}, `Campaign · ${campaign.name}`),
    el("p", { class: "muted" }, `${r.number || ""} · attempt ${r.attempts || 1}`), pairs("From the list", r.data),
    campaign.script ? el("blockquote", { class: "script", id: "campaign-script" }, campaign.script) : null);
}
let drawnTimeline = null;
function drawTimeline(force) {
  const list = $("timeline"), acts = S.pop && S.pop.customer_360 ? S.pop.customer_360.activities || [] : [];
  if (!list) return;
  const key = acts.map((a) => a.id).join(",");
  if (!force && key === drawnTimeline) return;
  drawnTimeline = key;
  list.replaceChildren(...acts.slice(0, 30).map((a) => el("li", { "data-id": a.id },
    el("span", { class: "muted" }, when(a.started_at)), " ", el("strong", {}, a.type), " ", a.subject || "",
    a.disposition ? el("span", { class: "tag" }, a.disposition) : null,
    a.details && a.details.recording_id ? el("a", { href: `/api/v1/activities/${a.id}/recording`, target: "_blank", rel: "noopener" }, "▶ listen") : null)));
}
function inputsLine(inputs, ivr) {
  if (!Array.isArray(inputs)) return pairs("Inputs", inputs);
  if (!inputs.length) return null;
  return el("p", { class: "inputs" }, el("em", {}, "Pressed: "), inputs.map((i) =>
    el("span", { class: i.ok === false ? "tag bad" : "tag" }, `${nodeLabel(ivr, i.node)} ${i.kind === "timeout" ? "(no input)" : i.value}`)));
}
// What the caller got from self-service: orders and cases they asked about, who their manager is; the
// look-ups the IVR made for itself (who is calling, are we open) say nothing the screen does not show.
const SELF_SERVICE = { order: "Order", case: "Case", account_manager: "Account manager" };
function answersList(answers) {
  if (!Array.isArray(answers)) return pairs("Answers", answers);
  const shown = answers.filter((a) => SELF_SERVICE[a.kind]);
  if (!shown.length) return null;
  return el("ul", { class: "plain answers" }, shown.map((a) => {
    const v = a.values || {};
    const said = a.kind === "account_manager" ? (v.name || v.username || "") :
      [v.number ? `#${v.number}` : `#${a.key}`, v.status, v.carrier, v.tracking_number].filter(Boolean).join(" · ");
    return el("li", {}, el("strong", {}, SELF_SERVICE[a.kind]), " ", a.found ? said : `${a.key}: not found`);
  }));
}
// The nodes where the caller chose something, and where the IVR sent them; the full path is the tooltip.
function shortPath(ivr) {
  const path = (ivr.path || []).map(step), asked = new Set((ivr.inputs || []).map((i) => i.node));
  const kept = path.filter((n, i) => asked.has(n) || i === path.length - 1);
  return kept.filter((n, i) => n !== kept[i - 1]).map((n) => nodeLabel(ivr, n)).join(" → ");
}
// The flow's own words for a node (its `label:`), else its id.
function nodeLabel(ivr, node) { return (ivr && ivr.labels && ivr.labels[node]) || node; }
function humanKey(k) { const s = String(k).replace(/[_.]+/g, " "); return s.charAt(0).toUpperCase() + s.slice(1); }
function waitedLine(escalations) {
  if (!escalations || !escalations.length) return null;
  return el("p", { class: "muted" }, el("em", {}, "While waiting: "), escalations.map((e) =>
    e.event === "CallMoved" ? `moved ${e.from_queue} → ${e.to_queue}` : e.event === "SupervisorAlerted" ? "supervisor alerted"
      : e.event === "CallbackOffered" ? "offered a callback" : (e.action || e.event).replace(/_/g, " ")).join(", "));
}
function agentName(id) { const a = (targets.agents || []).find((x) => x.user_id === id); return a ? a.name : `agent ${id}`; }
function step(s) { return typeof s === "string" ? s : (s.label || s.node || s.id || JSON.stringify(s)); }
function pairs(title, obj) {
  if (!obj || (Array.isArray(obj) ? !obj.length : !Object.keys(obj).length)) return null;
  const items = Array.isArray(obj) ? obj.map((x, i) => [i + 1, typeof x === "object" ? JSON.stringify(x) : x])
    : Object.entries(obj).map(([k, x]) => [k, typeof x === "object" ? JSON.stringify(x) : x]);
  return el("p", {}, el("em", {}, title + ": "), items.map(([k, x]) => `${humanKey(k)}: ${x}`).join(" · "));
}
function due(k) {
  if (!k.sla_due_at) return "—";
  return el("span", { class: "sla", "data-due": k.sla_due_at, title: `due ${when(k.sla_due_at)}` }, slaText(k.sla_due_at));
}
function slaText(dueAt) {
  const left = Date.parse(dueAt) - serverNow(), mins = Math.round(Math.abs(left) / 60000);
  const span = mins >= 1440 ? `${Math.floor(mins / 1440)} d ${Math.floor(mins % 1440 / 60)} h` : mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`;
  return left >= 0 ? `due in ${span}` : `breached ${span} ago`;
}
function when(iso) { return iso ? new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : ""; }
function money(cents, cur) { try { return new Intl.NumberFormat(undefined, { style: "currency", currency: cur || "USD" }).format((cents || 0) / 100); } catch (e) { return String(cents / 100); } }
function table(head, rows) {
  if (!rows.length) return el("p", { class: "muted" }, "None");
  return el("table", {}, el("tr", {}, head.map((h) => el("th", {}, h))), rows.map((r) => el("tr", {}, r.map((x) => el("td", {}, x)))));
}

// Unknown caller: find and link a customer, or create one with the calling number.
function unknownCaller(pop) {
  const results = el("ul", { class: "plain", id: "link-results" });
  const q = el("input", { id: "link-q", placeholder: "Name or number", value: pop.caller_number || "", "aria-label": "Find customer" });
  const search = el("form", { class: "row", id: "link-form", onsubmit: async (e) => {
    e.preventDefault();
    const term = q.value.trim(), byPhone = /^[+0-9(][0-9\s().\-\/]{5,}$/.test(term);
    try {
      const page = await api.get(`/api/v1/customers?${byPhone ? "phone" : "q"}=${encodeURIComponent(term)}&limit=10`);
      results.replaceChildren(...(page.items.length ? page.items.map((c) => el("li", {}, `${fullName(c)} `,
        el("button", { type: "button", onclick: () => linkCustomer(c.id) }, "Link"))) : [el("li", { class: "muted" }, "No customer found")]));
    } catch (err) { toast(err.message); }
  } }, q, el("button", { type: "submit" }, "Find"));
  const first = el("input", { id: "new-first", placeholder: "First name", required: "" });
  const last = el("input", { id: "new-last", placeholder: "Last name", required: "" });
  const create = el("form", { class: "row wrap", id: "create-form", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const made = await api.post("/api/v1/customers", { first_name: first.value.trim(), last_name: last.value.trim(),
        phones: pop.caller_number ? [{ number: pop.caller_number, kind: "mobile" }] : [] });
      await linkCustomer(made.id);
    } catch (err) { toast(err.message); }
  } }, first, last, el("button", { type: "submit" }, "Create"));
  const matches = (pop.matches || []).map((c) => el("li", {}, `${fullName(c)} `, el("button", { type: "button", onclick: () => linkCustomer(c.id) }, "Link")));
  return el("div", { class: "unknown" }, matches.length ? el("h3", {}, "Several customers have this number") : null,
    matches.length ? el("ul", { class: "plain" }, matches) : null, el("h3", {}, "Find the caller"), search, results, el("h3", {}, "Or create"), create);
}
async function linkCustomer(id) {
  const live = [S.call, S.offer, S.wrapup].find((x) => x && x.call_id === S.popCall);
  if (live) { await command("call.link_customer", { call_id: live.call_id, customer_id: id }); return; }  // the server tells every view
  const view = await api.get(`/api/v1/customers/${id}/360`);
  const pop = { ...(S.pop || {}), customer: view.customer, customer_360: view };
  S.pop = null; showPop(pop, S.popCall); render();
}

// Knowledge base: free search, with suggestions from the IVR path, queue and case categories.
$("kb-form").onsubmit = (e) => { e.preventDefault(); kbSearch($("kb-q").value.trim()); };
async function kbSearch(q) {
  if (!q) return;
  $("kb-q").value = q;
  try {
    const page = await api.get(`/api/v1/kb/search?q=${encodeURIComponent(q)}&limit=5`);
    $("kb-results").replaceChildren(...(page.items.length ? page.items.map((a) => el("li", { class: "kb" },
      el("strong", {}, a.title), el("p", { class: "muted" }, a.body.slice(0, 220) + (a.body.length > 220 ? "…" : ""))))
      : [el("li", { class: "muted" }, "No article found")]));
  } catch (err) { toast(err.message); }
}
function suggest() {
  const pop = S.pop || {}, terms = new Set(), data = pop.data || {};
  if (data.topic && data.topic !== "general") terms.add(String(data.topic));
  for (const a of (pop.ivr && pop.ivr.answers || [])) if (a.kind === "order" || a.kind === "case") terms.add(a.kind === "order" ? "order" : "case status");
  if (pop.queue && pop.queue !== "general" && pop.queue !== "vip") terms.add(pop.queue);
  for (const k of (pop.customer_360 && pop.customer_360.open_cases || [])) if (k.category) terms.add(k.category);
  $("kb-suggest").replaceChildren(...[...terms].filter(Boolean).slice(0, 5).map((t) =>
    el("button", { type: "button", class: "chip", onclick: () => kbSearch(t) }, t)));
}

// ---- clocks, once a second, on the server's time ----
function tick() {
  const now = serverNow();
  if (S.agent && S.agent.since) $("state-since").textContent = duration(now - Date.parse(S.agent.since));
  if (S.call && S.call.started_at) $("call-timer").textContent = duration(now - Date.parse(S.call.started_at));
  if (S.offer && S.offer.ring_deadline) $("offer-countdown").textContent = duration(Date.parse(S.offer.ring_deadline) - now);
  if (S.preview) $("preview-countdown").textContent = `· calls in ${Math.max(0, Math.round((Date.parse(S.preview.deadline) - now) / 1000))} s`;
  $("wrapup-timer").classList.toggle("pending", !!(S.wrapup && S.wrapup.disposition_pending));
  if (S.wrapup && S.wrapup.disposition_pending) {
    $("wrapup-timer").textContent = "time ran out: the call is logged, its disposition pending until you save it";
  } else if (S.wrapup && S.wrapup.deadline) {
    const left = Date.parse(S.wrapup.deadline) - now;
    $("wrapup-timer").textContent = left > 0 ? `${duration(left)} left` : "time is up";
    $("wrapup-timer").classList.toggle("late", left <= 10000);
  }
  document.querySelectorAll(".sla[data-due]").forEach((n) => {
    n.textContent = slaText(n.dataset.due); n.classList.toggle("late", Date.parse(n.dataset.due) < now);
  });
  const lt = $("local-time");
  if (lt) { try { lt.textContent = "local " + new Date(now).toLocaleTimeString([], { timeZone: lt.dataset.tz, hour: "2-digit", minute: "2-digit" }); } catch (e) { lt.textContent = ""; } }
}
setInterval(tick, 1000);
render();
