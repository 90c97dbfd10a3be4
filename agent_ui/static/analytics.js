// The analytics tables (GET /api/v1/analytics/<name>): each as a chart (uPlot, from npm), a table and its CSV.
"use strict";
const $ = (id) => document.getElementById(id);
const RATIOS = new Set(["conversion", "attainment", "compliance", "service_level", "win_rate", "margin"]);
const money = (cents) => new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(cents / 100);
function shown(column, value) {
  if (value === null || value === undefined) return "—";
  if (RATIOS.has(column)) return `${(value * 100).toFixed(1)} %`;
  if (column.endsWith("_cents")) return money(value);
  if (column.endsWith("_seconds")) return `${Math.round(value)} s`;
  return String(value);
}
const label = (column) => column.replace(/_cents$/, "").replace(/_seconds$/, " (s)").replaceAll("_", " ");
// What each chart draws: the row's label, and the series (column, name, colour).
const CHARTS = {
  "funnel": { x: "stage", series: [["reached", "Reached", "#1f6feb"], ["deals", "Standing now", "#8250df"]] },
  "forecast-vs-actual": { x: "period", series: [["forecast_cents", "Forecast", "#9a6700"], ["won_cents", "Won", "#2e7d32"]], cents: true },
  "lead-sources": { x: "source", series: [["leads", "Leads", "#1f6feb"], ["converted", "Converted", "#2e7d32"]] },
  "cases": { x: "day", series: [["opened", "Opened", "#b42318"], ["resolved", "Resolved", "#2e7d32"]], lines: true },
  "contact-center": { x: "day", series: [["offered", "Offered", "#1f6feb"], ["answered", "Answered", "#2e7d32"]], lines: true },
};
function chart(box, name, items) {
  box.replaceChildren();
  if (!items.length) return;
  const how = CHARTS[name];
  const xs = items.map((_, i) => i);
  const bars = how.lines ? undefined : uPlot.paths.bars({ size: [0.3, 50] });
  const scale = (v) => (v === null || v === undefined ? null : how.cents ? v / 100 : v);
  new uPlot({
    width: Math.max(320, box.clientWidth || 800), height: 200,
    scales: { x: { time: false, range: [-0.5, items.length - 0.5] } },
    axes: [{ values: (_, ticks) => ticks.map((t) => (Number.isInteger(t) && items[t] ? String(items[t][how.x]) : "")) },
      { size: how.cents ? 90 : 50 }],
    series: [{ label: label(how.x), value: (_, i) => (i === null || !items[i] ? "—" : String(items[i][how.x])) }, ...how.series.map(([, text, colour]) => ({ label: text, stroke: colour, fill: how.lines ? undefined : colour + "55", paths: bars }))],
  }, [xs, ...how.series.map(([column]) => items.map((row) => scale(row[column])))], box);
}
function summary(found) {
  return Object.entries(found.summary || {}).map(([k, v]) => `${label(k)}: ${shown(k, v)}`).join(" · ");
}
async function show(section, period) {
  const name = section.dataset.table;
  // The churn-risk list and the customers' profitability are as of now, not of a period.
  let query = section.dataset.period === "none" ? "" : `from=${period.from}&to=${period.to}`;
  if (name === "forecast") query += `&by=${$("forecast-by").value}`;  // by owner or by product group
  section.querySelector("a.csv").href = `/api/v1/analytics/${name}?${query}${query ? "&" : ""}format=csv`;
  let found;
  try { found = await api.get(`/api/v1/analytics/${name}${query ? "?" + query : ""}`); } catch (e) { section.querySelector(".note").textContent = e.message; return; }
  section.querySelector(".note").textContent = found.note;
  section.querySelector(".summary").textContent = summary(found);
  const numeric = (c) => found.items.some((row) => typeof row[c] === "number");
  section.querySelector("table.figures thead").replaceChildren(el("tr", {},
    ...found.columns.map((c) => el("th", { class: numeric(c) ? "num" : "" }, label(c)))));
  section.querySelector("table.figures tbody").replaceChildren(...found.items.map((row) => el("tr", {},
    ...found.columns.map((c) => el("td", { class: typeof row[c] === "number" ? "num" : "", "data-column": c }, shown(c, row[c]))))));
  const box = section.querySelector(".chart");
  if (box) chart(box, name, found.items);
}
function day(d) { return d.toLocaleDateString("sv"); }  // YYYY-MM-DD, the local day
function load(event) {
  if (event) event.preventDefault();
  const period = { from: $("from").value, to: $("to").value };
  $("period-said").textContent = "";
  for (const section of document.querySelectorAll("section.analytics")) show(section, period);
}
const today = new Date();
$("to").value = day(today);
$("from").value = day(new Date(today.getTime() - 29 * 86400000));
$("period").addEventListener("submit", load);
$("forecast-by").addEventListener("change", () => show($("forecast"), { from: $("from").value, to: $("to").value }));
load();
