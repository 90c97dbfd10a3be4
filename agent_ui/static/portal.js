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
  $("account").hidden = false; $("sign-out").hidden = false;
}
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
