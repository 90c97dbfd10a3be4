// The dispatcher's day: each technician's working hours and visits, in the technician's own time zone.
"use strict";
const $ = (id) => document.getElementById(id);
const hhmm = (iso, zone) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
async function load() {
  const day = $("day").value;
  try {
    const { technicians } = await api.get(`/api/v1/dispatch?date=${encodeURIComponent(day)}`);
    $("dispatch").querySelector("tbody").replaceChildren(...technicians.map((t) => el("tr", { "data-technician": t.technician_id },
      el("td", {}, el("strong", {}, t.technician), el("div", { class: "muted" }, t.timezone)),
      el("td", {}, t.working.length ? t.working.map((w) => `${hhmm(w.from, t.timezone)}–${hhmm(w.to, t.timezone)}`).join(", ") : "off"),
      el("td", {}, t.visits.length ? el("ul", { class: "plain" }, t.visits.map((v) => el("li", { "data-visit": v.id, class: v.status },
        el("strong", {}, `${hhmm(v.starts_at, t.timezone)}–${hhmm(v.ends_at, t.timezone)}`), ` ${v.customer}`,
        v.city || v.postal_code ? ` · ${[v.postal_code, v.city].filter(Boolean).join(" ")}` : "", ` · ${v.skill.replace(/_/g, " ")}`,
        v.case_id ? ` · case ${v.case_id}` : "", v.status !== "booked" ? ` (${v.status})` : ""))) : "no visits"))));
    const visits = technicians.reduce((n, t) => n + t.visits.length, 0);
    $("day-said").textContent = `${technicians.length} technician(s), ${visits} visit(s)`;
  } catch (err) { $("day-said").textContent = err.message; }
}
function shift(days) {
  const d = new Date(`${$("day").value}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  $("day").value = d.toISOString().slice(0, 10); load();
}
$("day").value = new Date().toISOString().slice(0, 10);
$("day").onchange = load;
$("prev-day").onclick = () => shift(-1);
$("next-day").onclick = () => shift(1);
$("day-form").onsubmit = (e) => { e.preventDefault(); load(); };
load();
