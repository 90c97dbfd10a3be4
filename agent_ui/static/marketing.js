// Marketing campaigns: what each did for its money, as a chart (uPlot, from npm) and a table (and CSV).
"use strict";
const $ = (id) => document.getElementById(id);
const money = (cents, cur) => (cents == null ? "—" : new Intl.NumberFormat(undefined, { style: "currency", currency: cur }).format(cents / 100));
const pct = (v) => (v == null ? "—" : `${Math.round(v * 100)} %`);
async function load() {
  let items;
  try { items = (await api.get("/api/v1/marketing-campaigns")).items; } catch (e) { $("campaigns-said").textContent = e.message; return; }
  $("campaigns").querySelector("tbody").replaceChildren(...items.map((c) => el("tr", { "data-campaign": c.id },
    el("td", {}, c.name), el("td", {}, c.channel), el("td", { class: "num" }, money(c.cost_cents, c.currency)),
    ...[c.responses, c.leads, c.hot_leads, c.opportunities, c.won].map((n) => el("td", { class: "num" }, String(n))),
    el("td", { class: "num", title: c.won_in_other_currencies ? "deals won in another currency are not added in" : "" },
      money(c.won_revenue_cents, c.currency) + (c.won_in_other_currencies ? ` (+${c.won_in_other_currencies} in other currencies)` : "")),
    el("td", { class: "num" }, money(c.cost_per_lead_cents, c.currency)),
    el("td", { class: "num roi" }, pct(c.roi)))));
  $("campaigns-said").textContent = items.length ? "" : "No campaigns yet.";
  const chart = $("roi-chart");
  chart.replaceChildren();
  if (!items.length) return;
  const xs = items.map((_, i) => i);
  const bars = uPlot.paths.bars({ size: [0.35, 60] });
  new uPlot({
    width: Math.max(320, chart.clientWidth || 800), height: 220,
    scales: { x: { time: false, range: [-0.5, items.length - 0.5] } },
    axes: [{ values: (_, ticks) => ticks.map((t) => (Number.isInteger(t) && items[t] ? items[t].name : "")) }, { label: "money" }],
    series: [{ label: "campaign", value: (_, i) => (i === null || !items[i] ? "—" : items[i].name) }, { label: "Cost", stroke: "#b42318", fill: "#b4231855", paths: bars },
      { label: "Won revenue", stroke: "#2e7d32", fill: "#2e7d3255", paths: bars }],
  }, [xs, items.map((c) => c.cost_cents / 100), items.map((c) => c.won_revenue_cents / 100)], chart);
}
load();

// Segments (saved filters) and a campaign's target list: what it holds, its e-mail, its numbers for the dialer.
let campaigns = [];
function parseFilter(text) {
  const filter = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, ...rest] = part.split("=");
    const raw = rest.join("=").trim();
    filter[key.trim()] = raw === "true" ? true : raw === "false" ? false : /^\d+$/.test(raw) && key.trim().endsWith("_id") ? Number(raw) : raw;
  }
  return filter;
}
async function showSegments() {
  const items = (await api.get("/api/v1/segments")).items;
  $("segments").querySelector("tbody").replaceChildren(...items.map((s) => el("tr", { "data-segment": s.id },
    el("td", {}, s.name), el("td", {}, s.kind),
    el("td", {}, Object.entries(s.filter).map(([k, v]) => `${k}=${v}`).join(", ") || "everyone"),
    el("td", { class: "num" }, String(s.members)))));
  $("list-segment").replaceChildren(...items.map((s) => el("option", { value: s.id }, `${s.name} (${s.members})`)));
}
async function showList() {
  const id = $("list-campaign").value;
  if (!id) return;
  const t = await api.get(`/api/v1/marketing-campaigns/${id}/targets`);
  $("list-said").textContent = `${t.targets} on the list (${t.with_email} with an e-mail address, ${t.with_phone} with a phone); ` +
    `e-mail: ${t.mail.sent} sent, ${t.mail.queued} waiting, ${t.mail.failed} failed, ${t.mail.opted_out} unsubscribed.`;
}
async function lists() {
  campaigns = (await api.get("/api/v1/marketing-campaigns")).items;
  $("list-campaign").replaceChildren(...campaigns.map((c) => el("option", { value: c.id }, `${c.name} (${c.channel})`)));
  await showSegments();
  await showList();
}
async function said(where, work) {
  try { await work(); } catch (e) { $(where).textContent = e.message; }
}
$("segment-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = e.target;
  said("list-said", async () => {
    await api.post("/api/v1/segments", { name: f.name.value, kind: f.kind.value, filter: parseFilter(f.filter.value) });
    f.reset();
    await showSegments();
  });
});
$("list-campaign").addEventListener("change", () => said("list-said", showList));
$("add-segment").addEventListener("click", () => said("list-said", async () => {
  await api.post(`/api/v1/marketing-campaigns/${$("list-campaign").value}/targets`, { segment_id: Number($("list-segment").value) });
  await showList();
}));
$("to-dialer").addEventListener("click", () => said("list-said", async () => {
  const r = await api.post(`/api/v1/marketing-campaigns/${$("list-campaign").value}/dialer-list`, { campaign: $("list-dialer").value });
  await showList();
  $("list-said").textContent += ` Dialing list "${r.campaign}": ${r.loaded} numbers added, ${r.already_on_list} there already, ${r.without_phone} without a phone.`;
}));
$("mail-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = e.target;
  said("list-said", async () => {
    await api.call("PUT", `/api/v1/marketing-campaigns/${$("list-campaign").value}/mail`, { subject: f.subject.value, body: f.body.value });
    await showList();
  });
});
lists();

// Marketing plans against what happened.
async function plans() {
  let items;
  try { items = (await api.get("/api/v1/marketing-plans")).items; } catch (e) { $("plans-said").textContent = e.message; return; }
  $("plan-table").querySelector("tbody").replaceChildren(...items.map((p) => el("tr", { "data-plan": p.id },
    el("td", {}, `${p.period_start} – ${p.period_end}`), el("td", {}, p.product_group || "all"), el("td", {}, p.geography || "all"),
    el("td", { class: "num" }, String(p.target_leads)), el("td", { class: "num" }, String(p.actual_leads)),
    el("td", { class: "num leads-attained" }, pct(p.leads_attained)),
    el("td", { class: "num" }, money(p.target_revenue_cents, p.currency)), el("td", { class: "num" }, money(p.actual_revenue_cents, p.currency)),
    el("td", { class: "num revenue-attained" }, pct(p.revenue_attained)), el("td", {}, p.notes))));
  $("plans-said").textContent = items.length ? "" : "No plans yet (POST /api/v1/marketing-plans).";
}
plans();
