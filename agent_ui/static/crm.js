// The CRM page: find, create and edit customers, their notes and cases (the customer 360), and worklists of
// cases, leads and opportunities. Plain DOM, api.js for el() and the CSRF cookie; the API's 422 answers
// are shown beside the fields they name.
"use strict";
const $ = (id) => document.getElementById(id);
const root = $("crm");
const ME = { id: Number(root.dataset.userId), role: root.dataset.role };
const CALENDARS = root.dataset.calendars ? root.dataset.calendars.split(",") : [];
const ENUMS = { caseStatus: [], casePriority: [], leadStatus: [], leadRating: [], stage: [], phoneKind: ["mobile"] };

// ---- talking to the API: errors keep their per-field list ----
class ApiError extends Error {
  constructor(status, data) {
    super((data && data.message) || `HTTP ${status}`);
    this.status = status; this.errors = (data && data.errors) || [];
  }
}
async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = api.csrf();
  const res = await fetch(path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname);
    throw new ApiError(401, { message: "not logged in" });
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
function describe(error) {
  return error.errors.length ? error.errors.map(e => `${e.field}: ${e.reason}`).join("; ") : error.message;
}

let toastTimer = null;
function toast(text, bad) {
  const t = $("toast");
  t.textContent = text; t.hidden = false; t.classList.toggle("bad", !!bad);
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { t.hidden = true; }, bad ? 8000 : 2500);
}

// ---- forms: inputs carry data-field="first_name", "phones.1", "address.city"; errors land beside them ----
function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach(n => n.remove());
  form.querySelectorAll("[aria-invalid]").forEach(n => n.removeAttribute("aria-invalid"));
  const general = form.querySelector(".form-error");
  if (general) general.textContent = "";
}
function findField(form, field) {
  const parts = field.split(".");
  for (let n = parts.length; n > 0; n--) {
    const node = form.querySelector(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (node) {
      const rest = parts.slice(n);  // "emails.1" on the one emails input: say which one
      return { node, prefix: rest.length ? (/^\d+$/.test(rest[0]) ? `#${Number(rest[0]) + 1}` : rest.join(".")) + ": " : "" };
    }
  }
  return null;
}
function showErrors(form, error) {
  clearErrors(form);
  const unplaced = [];
  for (const e of error.errors) {
    const found = findField(form, e.field);
    if (!found) { unplaced.push(`${e.field}: ${e.reason}`); continue; }
    found.node.setAttribute("aria-invalid", "true");
    const note = el("span", { class: "field-error", "data-error-for": e.field }, found.prefix + e.reason);
    const row = found.node.closest(".phone-row");
    if (row) row.append(note); else found.node.after(note);
  }
  const general = form.querySelector(".form-error");
  if (general) general.textContent = unplaced.join("; ") || (error.errors.length ? "" : error.message);
}
async function submitting(form, action) {
  const button = form.querySelector("button[type=submit]");
  clearErrors(form);
  if (button) button.disabled = true;
  try { return await action(); } catch (e) {
    if (e instanceof ApiError) showErrors(form, e); else toast(e.message, true);
    return undefined;
  } finally { if (button) button.disabled = false; }
}
function field(label, name, value, attrs) {
  return el("label", {}, label, el("input", { name, "data-field": name, value: value == null ? "" : value, ...(attrs || {}) }));
}
function choice(name, options, value, labels) {
  const select = el("select", { name, "data-field": name }, options.map(o => el("option", { value: o }, (labels && labels[o]) || nice(o))));
  select.value = value;
  return select;
}
function nice(text) { return String(text).replace(/_/g, " "); }
function splitList(text) { return text.split(/[,;\s]+/).map(s => s.trim()).filter(Boolean); }
function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function money(cents, cur) { return new Intl.NumberFormat(undefined, { style: "currency", currency: cur }).format(cents / 100); }
function table(head, rows, attrs) {
  if (!rows.length) return el("p", { class: "muted" }, "None");
  return el("table", attrs || {}, el("tr", {}, head.map(h => el("th", {}, h))),
    rows.map(r => el("tr", r.attrs || {}, r.cells.map(cell => el("td", {}, cell)))));
}
// A select that saves itself: the change is sent at once, and put back if the server refuses it.
function saver(value, options, label, save) {
  const select = el("select", { "aria-label": label }, options.map(o => el("option", { value: o }, nice(o))));
  select.value = value;
  select.addEventListener("change", async () => {
    select.disabled = true;
    try { await save(select.value); value = select.value; toast(`${label}: ${nice(select.value)}`); } catch (e) {
      select.value = value; toast(e instanceof ApiError ? describe(e) : e.message, true);
    } finally { select.disabled = false; }
  });
  return select;
}

// ---- customers: search, the 360, the form ----
const results = $("results"), detail = $("detail"), more = $("more");
let nextCursor = null, lastQuery = "", current = null;

function looksLikePhone(q) { return /^[+0-9(][0-9\s().\-\/]{5,}$/.test(q.trim()); }

async function search(q, cursor) {
  const path = looksLikePhone(q) ? `/api/v1/customers?phone=${encodeURIComponent(q)}`
    : `/api/v1/customers?q=${encodeURIComponent(q)}&limit=25${cursor ? "&cursor=" + cursor : ""}`;
  try {
    const page = await send("GET", path);
    if (!cursor) results.replaceChildren();
    for (const c of page.items) {
      results.append(el("li", { onclick: () => showCustomer(c.id), "data-id": c.id },
        el("strong", {}, `${c.first_name} ${c.last_name}`), " ",
        el("span", { class: "muted" }, (c.phones[0] || {}).number || "")));
    }
    if (!page.items.length && !cursor) results.append(el("li", { class: "muted" }, "No customer found"));
    nextCursor = page.next_cursor; more.hidden = !nextCursor;
  } catch (e) { results.replaceChildren(el("li", { class: "error" }, e instanceof ApiError ? describe(e) : e.message)); }
}

async function showCustomer(id) {
  current = id;
  selectTab("customers");
  let v;
  try { v = await send("GET", `/api/v1/customers/${id}/360`); } catch (e) { detail.replaceChildren(el("p", { class: "error" }, e.message)); return; }
  const c = v.customer;
  const localTime = c.timezone ? new Date().toLocaleTimeString([], { timeZone: c.timezone, hour: "2-digit", minute: "2-digit" }) : "";
  const a = c.address || {};
  detail.replaceChildren(
    el("div", { class: "title" }, el("h2", { id: "customer-name" }, `${c.first_name} ${c.last_name} `,
      c.vip ? el("span", { class: "tag vip" }, "VIP") : null,
      // The segment "vip" is the VIP tag already; "standard" says nothing.
      c.segment && !["vip", "standard"].includes(c.segment) ? el("span", { class: "tag" }, c.segment) : null),
      el("button", { id: "edit-customer", onclick: () => detail.replaceChildren(customerForm(c)) }, "Edit")),
    el("p", { id: "customer-contact" }, v.account ? `${v.account.name} · ` : "",
      c.phones.map(p => `${p.number} (${p.kind})`).join(", "), c.emails.length ? " · " + c.emails.join(", ") : "",
      ` · ${c.language}`, c.timezone ? ` · ${c.timezone} (${localTime})` : ""),
    a.city || a.street ? el("p", { class: "muted" }, [a.street, [a.postal_code, a.city].filter(Boolean).join(" "), a.region, a.country].filter(Boolean).join(", ")) : null,
    el("div", { class: "forms" }, noteForm(c), caseForm(c)),
    el("h3", {}, `Open cases (${v.open_cases.length})`),
    table(["Case", "Subject", "Owner", "Status", "Priority", "SLA due"], v.open_cases.map(k => ({ attrs: { "data-case": k.number }, cells: [
      k.number, k.subject, caseOwner(k, () => showCustomer(c.id)), caseStatus(k), casePriority(k),
      [when(k.sla_due_at), k.escalation_level ? el("span", { class: "tag late" }, `level ${k.escalation_level}`) : null]] })),
      { id: "open-cases" }),
    el("h3", {}, `Open opportunities (${v.open_opportunities.length})`),
    table(["Name", "Stage", "Amount", "Close", ""], v.open_opportunities.map(o => ({ attrs: { "data-opportunity": o.id }, cells: [
      o.name, opportunityStage(o), money(o.amount_cents, o.currency), o.expected_close || "",
      el("button", { type: "button", class: "small quote", onclick: () => openQuote(o) }, "Quote")] }))),
    el("div", { id: "quote-area" }),
    el("h3", {}, "Recent orders"),
    table(["Order", "Status", "Total", "Placed"], v.recent_orders.map(o => ({ cells: [
      o.number, nice(o.status), money(o.total_cents, o.currency), when(o.placed_at)] }))),
    el("h3", {}, "Timeline"),
    table(["When", "Type", "Subject", "Outcome"], v.activities.map(x => ({ attrs: { "data-type": x.type }, cells: [
      when(x.started_at), `${nice(x.type)}${x.direction ? " · " + x.direction : ""}`, x.subject, nice(x.disposition || x.outcome || "")] })),
      { id: "timeline" }),
  );
}
const reload = () => (current ? showCustomer(current) : null);

// ---- quoting an opportunity: lines from the catalog, priced (price lists, rules) by the server ----
async function openQuote(o) {
  let products;
  try { products = (await send("GET", "/api/v1/products")).items; } catch (e) { toast(describe(e), true); return; }
  const lines = el("div", { id: "quote-lines" });
  const result = el("div", { id: "quote-result" });
  const form = el("form", { id: "quote-form", class: "box" }, el("strong", {}, `Quote: ${o.name}`), lines,
    el("button", { type: "button", id: "add-line" }, "Add a line"),
    el("label", {}, "Currency ", el("input", { name: "currency", "data-field": "currency", size: 3, placeholder: "as the catalog" })),
    el("label", {}, "Discount % ", el("input", { name: "discount_percent", "data-field": "discount_percent", type: "number", min: 0, max: 100, step: "0.5", value: "0" })),
    el("button", { type: "submit" }, "Price it"), el("p", { class: "error form-error" }), result);
  const addLine = () => {
    const n = lines.children.length;
    lines.append(el("div", { class: "row quote-line" },
      el("select", { name: "product", "data-field": `lines[${n}].product_id`, "aria-label": `product of line ${n + 1}` },
        products.map(p => el("option", { value: p.id }, `${p.name} (${p.sku}) ${money(p.price_cents, p.currency)}`))),
      el("input", { name: "quantity", "data-field": `lines[${n}].quantity`, type: "number", min: 1, value: 1, "aria-label": `quantity of line ${n + 1}` })));
  };
  form.querySelector("#add-line").addEventListener("click", addLine);
  addLine();
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { opportunity_id: o.id, discount_percent: Number(form.discount_percent.value || 0),
      lines: [...lines.children].map(row => ({ product_id: Number(row.querySelector("select").value), quantity: Number(row.querySelector("input").value) })) };
    if (form.currency.value.trim()) body.currency = form.currency.value.trim().toUpperCase();
    submitting(form, async () => showQuote(await send("POST", "/api/v1/quotes", body), result));
  });
  $("quote-area").replaceChildren(form);
}
function showQuote(q, into) {
  into.replaceChildren(el("div", { id: "quote", "data-quote": q.id, "data-status": q.status },
    table(["Product", "Qty", "Unit", "Price list", "Line"], q.lines.map(l => ({ cells: [
      l.name, l.quantity, money(l.unit_price_cents, q.currency), l.price_list || "catalog", money(l.line_total_cents, q.currency)] }))),
    el("p", { id: "quote-total" }, q.discount_percent ? `Discount ${q.discount_percent} % · ` : "", el("strong", {}, `Total ${money(q.total_cents, q.currency)}`),
      " · ", el("a", { href: `/quotes/${q.id}`, target: "_blank" }, `Quote ${q.id} (version ${q.version}) to print`)),
    el("button", { type: "button", id: "accept-quote", onclick: async () => {
      try {
        const order = await send("POST", `/api/v1/quotes/${q.id}/accept`);
        toast(`Won: order ${order.order_number} placed`); await reload();
      } catch (e) { toast(describe(e), true); }
    } }, "Customer accepts: place the order")));
}

// Who works a case: anyone active; the change goes on the customer's timeline (the server writes it).
const people = [];
function caseOwner(k, after) {
  const select = el("select", { "aria-label": `Owner of case ${k.number || k.id}`, class: "owner" },
    el("option", { value: "" }, "nobody"), people.map((p) => el("option", { value: String(p.id) }, p.team ? `${p.name} (${p.team})` : p.name)));
  let value = k.owner_id ? String(k.owner_id) : "";
  select.value = value;
  select.addEventListener("change", async () => {
    select.disabled = true;
    try {
      await send("PATCH", `/api/v1/cases/${k.id}`, { owner_id: select.value ? Number(select.value) : null });
      value = select.value; toast(`Case ${k.number || k.id} given to ${select.selectedOptions[0].textContent}`);
      if (after) after();
    } catch (e) { select.value = value; toast(e instanceof ApiError ? describe(e) : e.message, true); }
    finally { select.disabled = false; }
  });
  return select;
}
function caseStatus(k, after) {
  return saver(k.status, ENUMS.caseStatus, `Status of case ${k.number}`,
    (status) => send("PATCH", `/api/v1/cases/${k.id}`, { status }).then(after || reload));
}
function casePriority(k, after) {
  return saver(k.priority, ENUMS.casePriority, `Priority of case ${k.number}`,
    (priority) => send("PATCH", `/api/v1/cases/${k.id}`, { priority }).then(after || reload));
}
function opportunityStage(o, after) {
  return saver(o.stage, ENUMS.stage, `Stage of ${o.name}`,
    (stage) => send("PATCH", `/api/v1/opportunities/${o.id}`, { stage }).then(after || reload));
}

function noteForm(c) {
  const form = el("form", { id: "note-form", class: "box" }, el("strong", {}, "Add a note"),
    el("textarea", { name: "subject", "data-field": "subject", rows: 2, required: "", "aria-label": "Note" }),
    el("button", { type: "submit" }, "Add note"), el("p", { class: "error form-error" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = form.subject.value.trim();
    // The subject is what timelines show (300 characters); a longer note keeps its whole text in details.
    submitting(form, async () => {
      await send("POST", "/api/v1/activities", { type: "note", channel: "system", customer_id: c.id,
        account_id: c.account_id, subject: text.slice(0, 300), details: text.length > 300 ? { text } : {} });
      toast("Note added"); await reload();
    });
  });
  return form;
}

function caseForm(c) {
  const calendars = [...CALENDARS, ""];
  const form = el("form", { id: "case-form", class: "box" }, el("strong", {}, "New case"),
    field("Subject", "subject", "", { required: "" }),
    el("label", {}, "Priority", choice("priority", ENUMS.casePriority, "normal")),
    field("Category", "category", "general"),
    el("label", {}, "SLA calendar", choice("calendar", calendars, calendars[0], { "": "none (around the clock)" })),
    el("label", {}, "Description", el("textarea", { name: "description", "data-field": "description", rows: 2 })),
    el("button", { type: "submit" }, "Open case"), el("p", { class: "error form-error" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const made = await send("POST", "/api/v1/cases", { subject: form.subject.value, priority: form.priority.value,
        category: form.category.value, description: form.description.value, customer_id: c.id,
        account_id: c.account_id, calendar: form.calendar.value || null });
      toast(`Case ${made.number} opened`); await reload();
    });
  });
  return form;
}

function phoneRow(p) {
  const row = el("div", { class: "phone-row" },
    el("input", { class: "phone-number", value: p ? p.number : "", placeholder: "(415) 555-0142 or +44 20 …", "aria-label": "Phone number" }),
    choice("kind", ENUMS.phoneKind, p ? p.kind : "mobile"),
    el("button", { type: "button", class: "link", onclick: () => row.remove() }, "remove"));
  row.querySelector("select").removeAttribute("data-field");
  return row;
}

function customerForm(c) {
  const a = (c && c.address) || {};
  const phones = el("div", { id: "phones" }, (c && c.phones.length ? c.phones : [null]).map(phoneRow));
  const form = el("form", { id: "customer-form", class: "record-form", novalidate: "" },
    el("h2", {}, c ? `Edit ${c.first_name} ${c.last_name}` : "New customer"),
    el("div", { class: "grid" }, field("First name", "first_name", c && c.first_name), field("Last name", "last_name", c && c.last_name)),
    el("fieldset", { "data-field": "phones" }, el("legend", {}, "Phones (any format)"), phones,
      el("button", { type: "button", id: "add-phone", onclick: () => phones.append(phoneRow(null)) }, "Add phone")),
    field("Emails (comma separated)", "emails", c ? c.emails.join(", ") : ""),
    el("div", { class: "grid" }, field("Language", "language", c ? c.language : "en"), field("Time zone", "timezone", c && c.timezone, { placeholder: "America/New_York" }),
      field("Country", "country", c && c.country, { placeholder: "US" }), field("Segment", "segment", c ? c.segment : "standard")),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "vip", "data-field": "vip", ...(c && c.vip ? { checked: "" } : {}) }), " VIP"),
    field("Tags (comma separated)", "tags", c ? c.tags.join(", ") : ""),
    el("fieldset", { "data-field": "address" }, el("legend", {}, "Address"), el("div", { class: "grid" },
      ...["street", "city", "region", "postal_code", "country"].map(k => el("label", {}, nice(k),
        el("input", { name: `address_${k}`, "data-field": `address.${k}`, value: a[k] || "" }))))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, c ? "Save" : "Create customer"),
      el("button", { type: "button", onclick: () => (c ? showCustomer(c.id) : detail.replaceChildren()) }, "Cancel")),
    el("p", { class: "error form-error" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    // Only filled phone rows are sent; their position in the list is what the API's errors ("phones.1") name.
    const rows = [...phones.querySelectorAll(".phone-row")];
    rows.forEach(r => r.querySelector("input").removeAttribute("data-field"));
    const filled = rows.filter(r => r.querySelector("input").value.trim());
    filled.forEach((r, i) => r.querySelector("input").setAttribute("data-field", `phones.${i}`));
    const address = {};
    for (const k of ["street", "city", "region", "postal_code", "country"]) address[k] = form[`address_${k}`].value.trim();
    const body = {
      first_name: form.first_name.value, last_name: form.last_name.value,
      phones: filled.map(r => ({ number: r.querySelector("input").value.trim(), kind: r.querySelector("select").value })),
      emails: splitList(form.emails.value), language: form.language.value.trim() || "en",
      timezone: form.timezone.value.trim() || null, country: form.country.value.trim().toUpperCase() || null,
      segment: form.segment.value.trim() || "standard", vip: form.vip.checked,
      tags: form.tags.value.split(",").map(s => s.trim()).filter(Boolean), address,
    };
    submitting(form, async () => {
      const saved = await send(c ? "PATCH" : "POST", c ? `/api/v1/customers/${c.id}` : "/api/v1/customers", body);
      toast(c ? "Saved" : "Customer created");
      await showCustomer(saved.id);
    });
  });
  return form;
}

// ---- worklists: cases, leads, opportunities ----
function worklist({ name, path, query, head, row }) {
  const list = $(`${name}-list`), moreButton = $(`${name}-more`), filters = $(`${name}-filters`);
  let cursor = null, loaded = false;
  async function load(reset) {
    if (reset) cursor = null;
    const params = new URLSearchParams(query(filters));
    params.set("limit", "50");
    if (cursor) params.set("cursor", cursor);
    try {
      const page = await send("GET", `${path}?${params}`);
      if (reset) list.replaceChildren(el("tr", {}, head.map(h => el("th", {}, h))));
      for (const item of page.items) list.append(row(item, () => load(true)));
      if (reset && !page.items.length) list.append(el("tr", {}, el("td", { class: "muted", colspan: head.length }, "Nothing here")));
      cursor = page.next_cursor; moreButton.hidden = !cursor; loaded = true;
    } catch (e) { toast(e instanceof ApiError ? describe(e) : e.message, true); }
  }
  filters.addEventListener("change", () => load(true));
  filters.addEventListener("submit", (e) => e.preventDefault());
  moreButton.addEventListener("click", () => load(false));
  return { load, show: () => (loaded ? null : load(true)), reload: () => load(true) };
}
function cells(item, values) { return el("tr", { "data-id": item.id }, values.map(v => el("td", {}, v))); }
// Lists carry customer ids; names are fetched once per customer and filled in when they arrive.
const customerNames = new Map();
function customerLink(id) {
  if (!id) return "";
  const link = el("button", { class: "link", onclick: () => showCustomer(id) }, `customer ${id}`);
  if (!customerNames.has(id)) {
    customerNames.set(id, send("GET", `/api/v1/customers/${id}`).then(c => `${c.first_name} ${c.last_name}`, () => null));
  }
  customerNames.get(id).then(name => { if (name) link.textContent = name; });
  return link;
}
function late(k) { return k.escalation_level > 0 || (k.sla_due_at && Date.parse(k.sla_due_at) <= Date.now()); }

const lists = {
  accounts: worklist({
    name: "account", path: "/api/v1/accounts", head: ["Account", "Industry", "Segment", "Time zone", "Phones"],
    query: (f) => (f.q.value.trim() ? { q: f.q.value.trim() } : {}),
    row: (a) => cells(a, [el("button", { class: "link", onclick: () => editAccount(a) }, a.name, a.vip ? " ★" : ""), a.industry,
      a.segment, a.timezone || "", (a.phones || []).map((p) => p.e164).join(", ")]),
  }),
  cases: worklist({
    name: "case", path: "/api/v1/cases", head: ["Case", "Subject", "Customer", "Owner", "Status", "Priority", "SLA due"],
    query: (f) => Object.fromEntries(Object.entries({ open: f.open.checked ? "true" : "", breached: f.breached.checked ? "true" : "",
      status: f.status.value, priority: f.priority.value, owner_id: f.mine.checked ? String(ME.id) : "" }).filter(([, v]) => v)),
    row: (k, again) => cells(k, [k.number, k.subject, customerLink(k.customer_id), caseOwner(k, again), caseStatus(k, again), casePriority(k, again),
      [when(k.sla_due_at), late(k) ? el("span", { class: "tag late" }, k.escalation_level ? `breached · level ${k.escalation_level}` : "breached") : null]]),
  }),
  leads: worklist({
    name: "lead", path: "/api/v1/leads", head: ["Name", "Company", "Phone", "Score", "Temperature", "Status"],
    query: (f) => Object.fromEntries([["status", f.status.value], ["rating", f.rating.value]].filter(([, v]) => v)),
    row: (l, again) => cells(l, [`${l.first_name} ${l.last_name}`.trim(), l.company, l.phone || "", l.score,
      saver(l.rating, ENUMS.leadRating, `Temperature of ${l.last_name}`, (rating) => send("PATCH", `/api/v1/leads/${l.id}`, { rating }).then(again)),
      saver(l.status, ENUMS.leadStatus, `Status of ${l.last_name}`, (status) => send("PATCH", `/api/v1/leads/${l.id}`, { status }).then(again))]),
  }),
  opportunities: worklist({
    name: "opportunity", path: "/api/v1/opportunities", head: ["Name", "Customer", "Amount", "Probability", "Close", "Stage"],
    query: (f) => (f.stage.value ? { stage: f.stage.value } : {}),
    row: (o, again) => cells(o, [o.name, customerLink(o.customer_id), money(o.amount_cents, o.currency), `${o.probability} %`,
      o.expected_close || "", opportunityStage(o, again)]),
  }),
};

// Accounts: one form to add an account or change the one picked from the list.
function editAccount(a) {
  const form = $("account-form");
  form.id.value = a ? a.id : ""; form.name.value = a ? a.name : ""; form.industry.value = a ? a.industry : "";
  form.segment.value = a ? a.segment : ""; form.timezone.value = a ? a.timezone || "" : "";
  form.phone.value = a ? (a.phones || []).map((p) => p.e164).join(", ") : ""; form.vip.checked = !!(a && a.vip);
  $("account-form-title").textContent = a ? `Account ${a.name}` : "New account";
  $("account-save").textContent = a ? "Save account" : "Add account";
  $("account-new").hidden = !a;
  clearErrors(form);
  if (a) form.name.focus();
}
$("account-new").addEventListener("click", () => editAccount(null));
$("account-filters").addEventListener("input", () => lists.accounts.reload());
$("account-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = e.target;
  submitting(form, async () => {
    const body = { name: form.name.value, industry: form.industry.value, segment: form.segment.value.trim() || "standard",
      timezone: form.timezone.value.trim() || null, vip: form.vip.checked, phones: form.phone.value.split(/[,;]/).map((p) => p.trim()).filter(Boolean) };
    const saved = form.id.value ? await send("PATCH", `/api/v1/accounts/${form.id.value}`, body) : await send("POST", "/api/v1/accounts", body);
    toast(form.id.value ? "Account saved" : "Account added"); editAccount(saved); await lists.accounts.reload();
  });
});

$("lead-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = e.target;
  submitting(form, async () => {
    await send("POST", "/api/v1/leads", { first_name: form.first_name.value, last_name: form.last_name.value,
      company: form.company.value, phone: form.phone.value.trim() || null, owner_id: ME.id });
    form.reset(); toast("Lead added"); await lists.leads.reload();
  });
});

// ---- tabs ----
function selectTab(name) {
  document.querySelectorAll("[data-tab]").forEach(b => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  document.querySelectorAll("main > .tab").forEach(s => { s.hidden = s.id !== `tab-${name}`; });
  if (lists[name]) lists[name].show();
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
}
document.querySelectorAll("[data-tab]").forEach(b => b.addEventListener("click", () => selectTab(b.dataset.tab)));

function fillOptions(select, values) { for (const v of values) select.append(el("option", { value: v }, nice(v))); }

async function start() {
  // The choices come from the API's own schema, so the page never offers a value the server refuses.
  const doc = await send("GET", "/api/openapi.json");
  const s = doc.components.schemas, enumOf = (model, name) => (s[model].properties[name] || {}).enum || [];
  Object.assign(ENUMS, { caseStatus: enumOf("CaseCreate", "status"), casePriority: enumOf("CaseCreate", "priority"),
    leadStatus: enumOf("LeadCreate", "status"), leadRating: enumOf("LeadCreate", "rating"),
    stage: enumOf("OpportunityCreate", "stage"), phoneKind: enumOf("PhoneIn", "kind") });
  people.push(...(await send("GET", "/api/v1/people")).items);
  fillOptions($("case-filters").status, ENUMS.caseStatus);
  fillOptions($("case-filters").priority, ENUMS.casePriority);
  fillOptions($("lead-filters").status, ENUMS.leadStatus);
  fillOptions($("lead-filters").rating, ENUMS.leadRating);
  fillOptions($("opportunity-filters").stage, ENUMS.stage);
  const wanted = location.hash.slice(1);
  selectTab(lists[wanted] ? wanted : "customers");
  root.dataset.ready = "true";
}

$("search-form").addEventListener("submit", (e) => {
  e.preventDefault(); lastQuery = $("search-q").value; search(lastQuery, null);
});
more.addEventListener("click", () => search(lastQuery, nextCursor));
$("new-customer").addEventListener("click", () => { current = null; detail.replaceChildren(customerForm(null)); });
$("logout").addEventListener("click", async () => { await api.post("/api/v1/auth/logout"); location.href = "/login"; });
start().catch((e) => toast(`The page could not start: ${e.message}`, true));
