"use strict";
const results = document.getElementById("results");
const detail = document.getElementById("detail");
const more = document.getElementById("more");
let nextCursor = null, lastQuery = "";

function looksLikePhone(q) { return /^[+0-9(][0-9\s().\-\/]{5,}$/.test(q.trim()); }

async function search(q, cursor) {
  const path = looksLikePhone(q) ? `/api/v1/customers?phone=${encodeURIComponent(q)}`
    : `/api/v1/customers?q=${encodeURIComponent(q)}&limit=25${cursor ? "&cursor=" + cursor : ""}`;
  try {
    const page = await api.get(path);
    if (!cursor) results.replaceChildren();
    for (const c of page.items) {
      results.append(el("li", { onclick: () => show(c.id), "data-id": c.id },
        el("strong", {}, `${c.first_name} ${c.last_name}`), " ",
        el("span", { class: "muted" }, (c.phones[0] || {}).e164 || "")));
    }
    if (!page.items.length && !cursor) results.append(el("li", { class: "muted" }, "No customer found"));
    nextCursor = page.next_cursor; more.hidden = !nextCursor;
  } catch (e) { results.replaceChildren(el("li", { class: "error" }, e.message)); }
}

function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function money(cents, cur) { return new Intl.NumberFormat(undefined, { style: "currency", currency: cur }).format(cents / 100); }

async function show(id) {
  const v = await api.get(`/api/v1/customers/${id}/360`);
  const c = v.customer;
  const localTime = c.timezone ? new Date().toLocaleTimeString([], { timeZone: c.timezone, hour: "2-digit", minute: "2-digit" }) : "";
  detail.replaceChildren(
    el("h2", {}, `${c.first_name} ${c.last_name} `, c.vip ? el("span", { class: "tag vip" }, "VIP") : null,
      el("span", { class: "tag" }, c.segment)),
    el("p", {}, v.account ? `${v.account.name} · ` : "", c.phones.map(p => p.e164).join(", "), " · ",
      c.emails.join(", "), " · ", c.language, c.timezone ? ` · ${c.timezone} (${localTime})` : ""),
    el("h3", {}, `Open cases (${v.open_cases.length})`),
    table(["Case", "Subject", "Status", "Priority", "SLA due"], v.open_cases.map(k =>
      [k.number, k.subject, k.status, k.priority, when(k.sla_due_at) + (k.escalation_level ? ` ⚠ level ${k.escalation_level}` : "")])),
    el("h3", {}, `Open opportunities (${v.open_opportunities.length})`),
    table(["Name", "Stage", "Amount", "Close"], v.open_opportunities.map(o =>
      [o.name, o.stage, money(o.amount_cents, o.currency), o.expected_close || ""])),
    el("h3", {}, "Recent orders"),
    table(["Order", "Status", "Total", "Placed"], v.recent_orders.map(o =>
      [o.number, o.status, money(o.total_cents, o.currency), when(o.placed_at)])),
    el("h3", {}, "Timeline"),
    table(["When", "Type", "Subject", "Outcome"], v.activities.map(a =>
      [when(a.started_at), `${a.type}${a.direction ? " · " + a.direction : ""}`, a.subject, a.disposition || a.outcome || ""])),
  );
}

function table(head, rows) {
  if (!rows.length) return el("p", { class: "muted" }, "None");
  return el("table", {}, el("tr", {}, head.map(h => el("th", {}, h))),
    rows.map(r => el("tr", {}, r.map(cell => el("td", {}, cell)))));
}

document.getElementById("search-form").addEventListener("submit", (e) => {
  e.preventDefault(); lastQuery = document.getElementById("search-q").value; search(lastQuery, null);
});
more.addEventListener("click", () => search(lastQuery, nextCursor));
document.getElementById("logout").addEventListener("click", async () => {
  await api.post("/api/v1/auth/logout"); location.href = "/login";
});
