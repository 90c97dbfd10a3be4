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
    el("td", { class: "num" }, money(c.won_revenue_cents, c.currency)), el("td", { class: "num" }, money(c.cost_per_lead_cents, c.currency)),
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
    series: [{}, { label: "Cost", stroke: "#b42318", fill: "#b4231855", paths: bars },
      { label: "Won revenue", stroke: "#2e7d32", fill: "#2e7d3255", paths: bars }],
  }, [xs, items.map((c) => c.cost_cents / 100), items.map((c) => c.won_revenue_cents / 100)], chart);
}
load();
