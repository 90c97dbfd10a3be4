// Queue tiles, shared by the board and the wallboard: each queue and all of them at a glance. Live figures
// from the board snapshot; today's and the last 30 minutes' from the metrics API (the same event log and
// definitions as every routing figure).
"use strict";
const FORMULA = {
  answered_plus_late_abandons: "answered within T ÷ (answered + abandoned after T + left after T)",
  offered: "answered within T ÷ offered",
  answered: "answered within T ÷ answered",
  abandons_within_count_as_met: "(answered + abandoned within T) ÷ offered",
};

function secs(s) { if (s === null || s === undefined) return "—"; s = Math.round(s); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }
function pct(x) { return x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`; }

async function loadFigures(get) {
  const [today, recent] = await Promise.all([get("/api/v1/metrics/queues?window=today"), get("/api/v1/metrics/queues?window=30m")]);
  return { today, recent };
}

function renderTiles(container, d, f, now) {
  const t = d.totals || {}, queues = d.queues || [];
  const formula = f.today ? `${FORMULA[f.today.service_level_formula] || f.today.service_level_formula}; T = the queue's threshold; abandons under ${f.today.short_abandon_seconds} s are short and not counted` : "";
  const all = { name: "All queues", waiting: t.waiting || 0, oldest_wait_seconds: Math.max(0, ...queues.map((q) => q.waiting ? q.oldest_wait_seconds : 0)),
    callbacks_waiting: t.callbacks_waiting || 0, agents_logged_in: (d.agents || []).length,
    agents_by_state: { available: t.agents_available, on_call: t.agents_on_call, wrap_up: t.agents_wrap_up, not_ready: t.agents_not_ready } };
  const pick2 = (report, name) => report ? (name === null ? report.total : (report.groups || {})[name]) : null;
  const tiles = [[all, null], ...queues.map((q) => [q, q.name])].map(([q, name]) => {
    const today = pick2(f.today, name) || {}, recent = pick2(f.recent, name) || {}, by = q.agents_by_state || {};
    const target = name === null ? null : q.sl_target;
    const late = recent.service_level != null && target != null && recent.offered >= 5 && recent.service_level < target;
    const waitingLong = q.waiting && name !== null && q.oldest_wait_seconds > (q.alert_wait_seconds || 60);
    const nobody = q.waiting && !q.agents_logged_in;
    const row = (label, value, cls) => el("div", { class: "row" }, el("span", { class: "muted" }, label), el("span", { class: cls || "" }, value));
    return el("article", { class: "tile" + (late || waitingLong || nobody ? " warn" : ""), "data-queue": name || "*" },
      el("h3", {}, name || "All queues"),
      el("div", { class: "big" }, String(q.waiting || 0), el("small", {}, " waiting"), q.waiting ? el("small", { class: waitingLong ? "late" : "" }, ` · longest ${secs(q.oldest_wait_seconds)}`) : null),
      row("Service level today", `${pct(today.service_level)}${target != null ? ` / ${pct(target)}` : ""}`, "sl-today"),
      row("Last 30 min", pct(recent.service_level), late ? "late sl-recent" : "sl-recent"),
      row("ASA · AHT", `${secs(today.asa_seconds)} · ${secs(today.aht_seconds)}`),
      row("Abandoned", `${today.abandoned || 0} (${pct(today.abandon_rate)}) · ${today.short_abandoned || 0} short`, "abandoned"),
      row("Callbacks pending", String(q.callbacks_waiting || 0)),
      row("Agents", `${by.available || 0} ready · ${(by.on_call || 0) + (by.reserved || 0)} on call · ${by.wrap_up || 0} wrap-up · ${by.not_ready || 0} not ready · ${q.agents_logged_in || 0} in`, "agents"),
      formula ? el("p", { class: "formula muted", title: formula }, "SL = " + formula.split(";")[0]) : null);
  });
  container.replaceChildren(...tiles);
}
