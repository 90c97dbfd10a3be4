// The customer portal: sign in with an e-mailed link, then the customer's own cases.
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");

async function show() {
  const me = await fetch("/portal/api/me", { credentials: "same-origin" });
  if (me.status !== 200) { $("sign-in").hidden = false; return; }
  const who = await me.json();
  $("hello").textContent = `Hello ${who.first_name} ${who.last_name}`;
  const { items } = await (await fetch("/portal/api/cases", { credentials: "same-origin" })).json();
  $("cases").querySelector("tbody").replaceChildren(...items.map((c) =>
    el("tr", { "data-case": c.id }, el("td", {}, c.number || c.id), el("td", {}, c.subject), el("td", {}, c.status.replace(/_/g, " ")),
      el("td", {}, when(c.opened_at)), el("td", {}, when(c.sla_due_at)))));
  $("reply-case").replaceChildren(...items.filter((c) => c.status !== "closed").map((c) =>
    el("option", { value: c.id }, `${c.number || c.id}: ${c.subject}`)));
  const equipment = (await (await fetch("/portal/api/equipment", { credentials: "same-origin" })).json()).items;
  $("equipment").querySelector("tbody").replaceChildren(...equipment.map((e) =>
    el("tr", { "data-equipment": e.id }, el("td", {}, e.model), el("td", {}, e.serial), el("td", {}, e.installed_on || "—"),
      el("td", {}, warranty(e)), el("td", {}, contract(e.contract)))));
  $("visit-case").replaceChildren(el("option", { value: "" }, "not about a case"), ...items.filter((c) => c.status !== "closed").map((c) =>
    el("option", { value: c.id }, `${c.number || c.id}: ${c.subject}`)));
  await showVisits();
  $("account").hidden = false; $("sign-out").hidden = false;
}
const slotText = (s) => `${new Date(s.starts_at).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })}–${new Date(s.ends_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
let moving = null; // the visit being moved, while its new time is chosen
async function showVisits() {
  const { items, kinds } = await (await fetch("/portal/api/appointments", { credentials: "same-origin" })).json();
  $("visits").querySelector("tbody").replaceChildren(...items.map((v) =>
    el("tr", { "data-visit": v.id, "data-status": v.status }, el("td", {}, slotText(v)), el("td", {}, v.technician || ""),
      el("td", {}, v.skill.replace(/_/g, " "), v.status !== "booked" ? ` (${v.status})` : ""),
      el("td", {}, v.status === "booked" ? [
        button("Move", () => { moving = v; $("visit-kind").value = v.skill; $("visit-moving").hidden = false;
          $("visit-moving").textContent = `Choose a new time for your visit of ${slotText(v)}.`; findTimes(v.skill); }),
        button("Cancel", async () => { try { await post(`/portal/api/appointments/${v.id}/cancel`, {}); say("Your visit is cancelled."); showVisits(); } catch (err) { say(err.message); } }),
      ] : null))));
  $("visit-kind").replaceChildren(...kinds.map((k) => el("option", { value: k }, k.replace(/_/g, " "))));
  $("visit-form").hidden = !kinds.length;
}
function button(label, onclick) { const b = el("button", { type: "button", class: "small" }, label); b.onclick = onclick; return b; }
async function findTimes(skill) {
  const res = await fetch(`/portal/api/appointment-slots?skill=${encodeURIComponent(skill)}`, { credentials: "same-origin" });
  const { items = [] } = await res.json();
  $("visit-slots").replaceChildren(...(items.length ? items.slice(0, 12).map((s) => el("li", {}, button(slotText(s), () => choose(skill, s))))
    : [el("li", {}, "No free time in the next three weeks: please call us.")]));
}
async function choose(skill, slot) {
  try {
    if (moving) {
      await post(`/portal/api/appointments/${moving.id}/move`, { starts_at: slot.starts_at });
      say(`Your visit is moved to ${slotText(slot)}.`);
    } else {
      const caseId = $("visit-case").value;
      await post("/portal/api/appointments", { skill, starts_at: slot.starts_at, case_id: caseId ? Number(caseId) : null });
      say(`A technician comes ${slotText(slot)}.`);
    }
  } catch (err) { say(err.message); }
  moving = null; $("visit-moving").hidden = true; $("visit-slots").replaceChildren(); showVisits();
}
$("visit-form").onsubmit = (e) => { e.preventDefault(); moving = null; $("visit-moving").hidden = true; findTimes($("visit-kind").value); };
function warranty(e) {
  if (!e.warranty_until && !e.labour_warranty_until) return "none";
  const parts = e.warranty_until ? `parts ${e.in_warranty ? "until" : "ended"} ${e.warranty_until}` : "";
  const labour = e.labour_warranty_until ? `labour ${e.in_labour_warranty ? "until" : "ended"} ${e.labour_warranty_until}` : "";
  return [parts, labour].filter(Boolean).join(", ");
}
function contract(c) {
  if (!c) return "none";
  return `${c.tier}, ${c.active ? "until" : "ended"} ${c.ends_on}`;
}
$("sign-in-form").onsubmit = async (e) => {
  e.preventDefault();
  const res = await fetch("/portal/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: $("email").value }) });
  $("sign-in-said").textContent = res.status === 202 ? "If we know this address, a sign-in link is on its way. Check your e-mail."
    : "Please check the e-mail address.";
};
async function post(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || (data.errors || []).map((e) => `${e.field}: ${e.reason}`).join("; ") || res.statusText);
  return data;
}
const say = (text) => { $("said").textContent = text; };
$("case-form").onsubmit = async (e) => {
  e.preventDefault();
  try {
    const c = await post("/portal/api/cases", { subject: $("case-subject").value, description: $("case-description").value });
    say(`Case ${c.number} is open: we answer by ${when(c.sla_due_at)}.`); $("case-subject").value = ""; $("case-description").value = ""; show();
  } catch (err) { say(err.message); }
};
$("reply-form").onsubmit = async (e) => {
  e.preventDefault();
  try {
    const c = await post(`/portal/api/cases/${$("reply-case").value}/replies`, { text: $("reply-text").value });
    say(`Your reply is on case ${c.number}.`); $("reply-text").value = ""; show();
  } catch (err) { say(err.message); }
};
$("callback-form").onsubmit = async (e) => {
  e.preventDefault();
  try { const c = await post("/portal/api/callback", { number: $("callback-number").value || null }); say(`We will call you back on ${c.number}.`); }
  catch (err) { say(err.message); }
};
$("kb-form").onsubmit = async (e) => {
  e.preventDefault();
  const { items } = await (await fetch(`/portal/api/kb?q=${encodeURIComponent($("kb-q").value)}`)).json();
  $("kb-results").replaceChildren(...items.map((a) => el("li", {}, el("strong", {}, a.title), " ", a.body)));
};
$("sign-out").onclick = async () => { await fetch("/portal/logout", { method: "POST" }); location.reload(); };
show();
