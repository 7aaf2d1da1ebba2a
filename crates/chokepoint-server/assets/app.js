// chokepoint dashboard. Plain JavaScript written for this project; charts are SVG drawn by
// the server, so this file only fetches, fills tables and wires the forms.
"use strict";

// A token given as #token=... is kept for this tab only, and sent as a bearer token.
function keepToken() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("chokepoint-token", decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname + location.search); }
  return Boolean(m);
}
keepToken();
// #token=... typed after the page loaded (as the error message says) reloads it with the token.
window.addEventListener("hashchange", () => { if (keepToken()) location.reload(); });

// What a browser user does about a 401: the server was started with `serve --token`.
const TOKEN_HINT = "This server needs its access token: open the dashboard as /#token=TOKEN " +
  "(the value given to `chokepoint serve --token`); this tab then sends it with every request.";

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const t = sessionStorage.getItem("chokepoint-token");
  if (t) h["Authorization"] = "Bearer " + t;
  return h;
}

async function api(path, opts) {
  return (await apiWithNotes(path, opts)).body;
}

// The body, and what the CLI would print to stderr beside it: the `Chokepoint-Note`
// headers (the browser joins several into one text, so they come as one line).
async function apiWithNotes(path, opts) {
  opts = opts || {};
  const resp = await fetch(path, Object.assign({}, opts, { headers: headers(opts.headers) }));
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const msg = body && body.message ? body.message : resp.status + " " + resp.statusText;
    throw new Error(resp.status === 401 ? msg + ". " + TOKEN_HINT : msg);
  }
  const note = resp.headers.get("chokepoint-note");
  return { body, notes: note ? [note] : [] };
}

function query(form) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim() !== "") params.set(k, String(v).trim());
  return params.toString();
}

function showError(el, err) {
  el.innerHTML = "";
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = err.message || String(err);
  el.appendChild(p);
  el.dataset.state = "error";
}

async function loadSvg(el, url) {
  el.dataset.state = "loading";
  try {
    const svg = await api(url);
    el.innerHTML = svg;
    const root = el.querySelector("svg");
    el.dataset.state = root && root.dataset.empty === "true" ? "empty" : "ready";
  } catch (err) { showError(el, err); }
}

// A month, day or month span as the API writes them: 2025-04, 2025-04-04, 2025-01..02.
const MONTH = /^\d{4}-\d{2}(-\d{2}|\.\.\d{2})?$/;

// Decimals a number needs, at most 2: 8 -> 0, 8.5 -> 1, -75.714 -> 2.
function decimals(v) {
  if (!Number.isFinite(v) || Number.isInteger(v)) return 0;
  const text = v.toFixed(2).replace(/0+$/, "");
  return text.endsWith(".") ? 0 : text.length - text.indexOf(".") - 1;
}

// `notes` (optional): header tooltips by column, e.g. a run's `descriptions`.
function fillTable(el, rows, notes) {
  el.innerHTML = "";
  if (!Array.isArray(rows) || rows.length === 0) {
    el.textContent = "No rows for this selection.";
    el.dataset.state = "empty";
    return;
  }
  const cols = Object.keys(rows[0]);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of cols) {
    const th = document.createElement("th");
    th.textContent = c.replace(/_/g, " ");
    if (notes && notes[c]) th.title = notes[c];
    head.appendChild(th);
  }
  // One number of decimals per column (at most 2), so "-74.00" stands over "-75.71",
  // not "-74".
  const digits = {};
  for (const c of cols) digits[c] = Math.max(0, ...rows.map((r) => typeof r[c] === "number" ? decimals(r[c]) : 0));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of cols) {
      const td = tr.insertCell();
      const v = r[c];
      // Years are labels, not quantities: no thousands separator.
      if (typeof v === "number" && /year/.test(c)) { td.className = "num"; td.textContent = String(v); }
      else if (typeof v === "number") { td.className = "num"; td.textContent = v.toLocaleString("en", { minimumFractionDigits: digits[c], maximumFractionDigits: digits[c] }); }
      else td.textContent = v === null || v === undefined ? "" : (typeof v === "object" ? JSON.stringify(v) : String(v));
      if (typeof v === "string" && MONTH.test(v)) td.className = "date";
    }
  }
  el.appendChild(table);
  el.dataset.state = "ready";
}

async function loadTable(el, url, pick) {
  el.dataset.state = "loading";
  try { const data = await api(url); fillTable(el, pick ? pick(data) : data); }
  catch (err) { showError(el, err); }
}

function byId(id) { return document.getElementById(id); }

// A filter form kept in the address bar: a view can be reloaded, bookmarked and shared, and
// back/forward step through the queries shown. Fields the URL leaves out keep the page's
// defaults. Values are only ever set as field values (never as markup).
function formFromUrl(form) {
  const url = new URLSearchParams(location.search);
  form.reset();
  for (const el of form.elements) if (el.name && url.has(el.name)) el.value = url.get(el.name);
}

function keepInUrl(form, show) {
  formFromUrl(form);
  form.addEventListener("submit", () => {
    const q = query(form);
    if ("?" + q !== location.search) history.pushState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
  });
  window.addEventListener("popstate", () => { formFromUrl(form); show(); });
}

// A page of charts and tables driven by one filter form: `charts` and `tables` map element
// ids to [API path, names of the form fields it takes]; `rename` maps a field to the
// parameter name an endpoint wants (partners take the last month as their period).
// `extra` (optional) is called with the same `params` helper on each show, for sections
// that need more than a chart or a plain table.
function filterPage(formId, charts, tables, extra) {
  const form = byId(formId);
  const params = (fields, rename) => {
    const all = new URLSearchParams(query(form));
    const out = new URLSearchParams();
    for (const f of fields) if (all.has(f)) out.set((rename && rename[f]) || f, all.get(f));
    return out.toString();
  };
  const show = () => {
    for (const [id, [path, fields, rename]] of Object.entries(charts)) loadSvg(byId(id), path + "?" + params(fields, rename));
    for (const [id, [path, fields, rename]] of Object.entries(tables)) loadTable(byId(id), path + "?" + params(fields, rename), rename && rename.pick);
    if (extra) extra(params);
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); show(); });
  keepInUrl(form, show);
  show();
}

// Tonnes as the CLI writes them (chokepoint_store::indicators::thousands): "2,140", "8,360.5".
function thousands(v) {
  return v.toLocaleString("en", { minimumFractionDigits: Number.isInteger(v) ? 0 : 1, maximumFractionDigits: Number.isInteger(v) ? 0 : 1 });
}

function fixed(v, d) { return v === null || v === undefined ? "-" : v.toFixed(d); }

// The lines the CLI prints under `chokepoint partners` (src/commands/partners.rs,
// summary_lines), in its words: the concentration summary, the aggregates reported beside
// the ranking, and the report's notes.
function partnersLines(r) {
  const bound = (on) => on ? " (lower bound)" : "";
  const parts = [`HHI ${fixed(r.hhi, 0)}${bound(r.hhi_is_lower_bound)}`,
    `top-1 ${fixed(r.top1_share_pct, 1)} %${bound(r.top1_is_lower_bound)}`,
    r.top3_share_pct !== null && r.top3_share_pct !== undefined
      ? `top-3 ${r.top3_share_pct.toFixed(1)} %${bound(r.hhi_is_lower_bound)}`
      : `${r.partners_listed} partner${r.partners_listed === 1 ? "" : "s"} listed`,
    `total ${fixed(r.total, 1)} (${r.total_basis})`,
    r.coverage_pct === null || r.coverage_pct === undefined
      ? "coverage not measurable (a partner's amount is unknown)"
      : `partners listed cover ${fixed(r.coverage_pct, 1)} % of it (${r.coverage_basis})`];
  const lines = [`period ${r.period}: ${parts.join(" · ")}`];
  for (const a of r.aggregates || []) lines.push("also reported: " + describeAggregate(a, r.measure));
  for (const n of r.notes || []) lines.push("note: " + n);
  return lines;
}

// AggregateRow::describe: "EUU (European Union, aggregate of members) 2,140 t = 38.4 % of
// the world total; not counted in HHI/top-N because it overlaps its members".
function describeAggregate(a, measure) {
  const v = measure === "value" ? a.value_usd : a.quantity_t;
  const amount = v === null || v === undefined ? "no figure" : measure === "value" ? "USD " + thousands(v) : thousands(v) + " t";
  const share = a.share_pct === null || a.share_pct === undefined ? "" : ` = ${a.share_pct.toFixed(1)} % of ${a.share_of || "the world total"}`;
  return `${a.partner_iso3} (${a.name}, ${a.role || "aggregate of members"}) ${amount}${share}; ${a.note}`;
}

// The partners table: ranked partners first, then aggregates (EUU) marked as such and not
// ranked, since they overlap the countries above; the summary and notes go in a list
// outside the collapsed table, so a period with a world total but no breakdown says so.
async function loadPartners(tableEl, notesEl, url) {
  // A slower earlier answer must not overwrite a later one: the notes name the period.
  const seq = loadPartners.seq = (loadPartners.seq || 0) + 1;
  tableEl.dataset.state = notesEl.dataset.state = "loading";
  notesEl.innerHTML = "";
  try {
    const r = await api(url);
    if (seq !== loadPartners.seq) return;
    const rows = r.partners.map((p, i) => ({ rank: String(i + 1), partner: p.partner_iso3, quantity_t: p.quantity_t,
      value_usd: p.value_usd, share_pct: p.share_pct, source: p.source, note: "" }))
      .concat((r.aggregates || []).map((a) => ({ rank: "aggregate, not ranked", partner: `${a.partner_iso3} (${a.name})`,
        quantity_t: a.quantity_t, value_usd: a.value_usd, share_pct: a.share_pct, source: a.source,
        note: `share of ${a.share_of || "the world total"}; ${a.note}` })));
    fillTable(tableEl, rows, { share_pct: "ranked partners: share of the total; aggregates: share of the total named in their note" });
    if (rows.length === 0) tableEl.textContent = "No partner breakdown for this period; see the notes above the table.";
    for (const tr of tableEl.querySelectorAll("tbody tr")) if (/^aggregate/.test(tr.cells[0].textContent)) tr.classList.add("aggregate");
    for (const line of partnersLines(r)) { const li = document.createElement("li"); li.textContent = line; notesEl.appendChild(li); }
    notesEl.dataset.state = "ready";
  } catch (err) { if (seq === loadPartners.seq) { showError(tableEl, err); showError(notesEl, err); } }
}

// The trends table and the notes the CLI prints under it (a reported YTD beside months of
// another source, a year without an annual total).
async function loadTrends(tableEl, notesEl, url) {
  const seq = (loadTrends.seq = (loadTrends.seq || 0) + 1);
  tableEl.dataset.state = "loading";
  notesEl.innerHTML = "";
  try {
    const r = await apiWithNotes(url);
    if (seq !== loadTrends.seq) return;
    fillTable(tableEl, r.body);
    for (const n of r.notes) { const li = document.createElement("li"); li.textContent = "note: " + n; notesEl.appendChild(li); }
  } catch (err) { if (seq === loadTrends.seq) showError(tableEl, err); }
}

function monitorPage() {
  const flow = ["reporter", "flow", "product"];
  const trends = [...flow, "from", "to"];
  const partners = [...flow, "to"];
  const byPartner = { to: "period" };
  filterPage("monitor-form",
    { "trends-chart": ["/api/charts/trends.svg", trends], "partners-chart": ["/api/charts/partners.svg", partners, byPartner] },
    { "anomalies-table": ["/api/anomalies", flow] },
    (params) => {
      loadTrends(byId("trends-table"), byId("trends-notes"), "/api/trends?" + params(trends));
      loadPartners(byId("partners-table"), byId("partners-notes"), "/api/partners?" + params(partners, byPartner));
    });
}

const STAGES = ["mining", "separation", "metal", "magnets"];

function pct(v, digits) { return v === null || v === undefined ? "" : (100 * v).toFixed(digits === undefined ? 1 : digits) + " %"; }

// As the CLI's crma_text: a check on world output shares standing in for an importer's own
// sourcing has the verdict `indicator`, told without a verdict: the benchmark is of the
// importer's consumption, which world shares do not measure.
function crmaText(c) {
  if (!c) return "";
  const word = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE",
    indicator: "world-share indicator, not a CRMA test" }[c.verdict] || c.verdict;
  const bound = c.share_is_upper_bound ? " (upper bound of the share of consumption)"
    : c.share_is_lower_bound ? " (lower bound of the share of consumption)" : "";
  return `${word}: ${c.country} ${pct(c.share)}${bound} is ${Math.abs(c.margin_pp).toFixed(1)} pp ${c.margin_pp > 0 ? "above" : "below"} the ${Math.round(100 * c.benchmark)} % benchmark`;
}

// One row per stage: who leads, how concentrated, the CRMA verdict, and the source.
function stageRow(stage, r) {
  if (r.not_computable) return { stage, year: "", source: "", top_1: "", top_1_share: "", top_3_share: "", hhi: "", crma_65: r.not_computable, cited: "" };
  const c = r.concentration, first = r.shares[0] || {};
  // Same rule as Concentration::is_partial (PARTIAL_COVERAGE_TOLERANCE in chokepoint-store).
  const bound = c.coverage < 1 - 0.005 ? " (lower bound)" : "";
  return { stage, year: String(r.year), source: r.source + (r.edition ? " " + r.edition : ""), top_1: c.cr1_country || "",
    top_1_share: pct(c.cr1), top_3_share: pct(c.cr3) + bound,
    hhi: Math.round(c.hhi) + bound, crma_65: crmaText(r.crma_eu), cited: first.source || "" };
}

// A failed check in red; a world-share indicator above the benchmark in amber: a warning
// sign, not a verdict on the importer's sourcing.
function markFailures(el) {
  for (const td of el.querySelectorAll("td")) {
    if (/^FAIL/.test(td.textContent)) td.classList.add("fail");
    else if (/^world-share indicator.* pp above /.test(td.textContent)) td.classList.add("above");
  }
}

function exposurePage() {
  const form = byId("exposure-form");
  const show = async () => {
    const all = new URLSearchParams(query(form));
    const pick = (names) => { const p = new URLSearchParams(); for (const n of names) if (all.has(n)) p.set(n, all.get(n)); return p; };
    for (const stage of STAGES) {
      const p = pick(["year"]); p.set("stage", stage);
      loadSvg(byId("shares-chart-" + stage), "/api/charts/shares.svg?" + p);
    }
    const sharesEl = byId("shares-table");
    sharesEl.dataset.state = "loading";
    Promise.all(STAGES.map((stage) => { const p = pick(["year"]); p.set("stage", stage); return api("/api/shares?" + p).then((r) => stageRow(stage, r)); }))
      .then((rows) => { fillTable(sharesEl, rows); markFailures(sharesEl); })
      .catch((err) => showError(sharesEl, err));
    exposureSection(pick(["importer", "product", "year"]));
    criticalitySection(pick(["method", "year"]));
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); show(); });
  keepInUrl(form, show);
  show();
  afterSection(form);
}

// Post-shock exposure (POST /api/exposure/after): a library scenario run on demand, never on
// page load, since it is a Monte Carlo simulation; importer and product come from `form`.
async function afterSection(exposureForm) {
  const form = byId("after-form"), select = byId("after-scenario"), status = byId("after-status");
  const table = byId("after-table"), notes = byId("after-notes"), button = byId("after-button");
  try {
    const list = await api("/api/scenarios");
    options(select, list.map((s) => s.name), "april-2025-controls");
    for (const [i, s] of list.entries()) select.options[i].textContent = s.name + " — " + s.title;
  } catch (err) { status.className = "status error"; status.textContent = err.message; }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const target = new URLSearchParams(query(exposureForm));
    const params = new URLSearchParams({ importer: target.get("importer") || "", product: target.get("product") || "" });
    const fd = new FormData(form);
    const req = { name: select.value, runs: Number(fd.get("runs")), seed: Number(fd.get("seed")) };
    button.disabled = true; status.className = "status"; status.textContent = `simulating ${req.runs} runs…`;
    table.dataset.state = "loading"; notes.innerHTML = "";
    try {
      const r = await api("/api/exposure/after?" + params, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
      byId("after-title").textContent = `Exposure after ${r.scenario}: ${r.importer_region}, ${r.stage}`;
      status.textContent = `${r.runs} runs, seed ${r.seed}, ${r.days} days from ${r.start}`;
      // The CRMA share's row carries its verdicts (AfterCrma.text, as the CLI's note).
      const verdicts = (f, crma) => f.measure === "crma_top_third_country_share" && crma ? crma.text : "";
      const row = (f, measure, crma) => ({ measure, region: f.region || "", before: f.before, after_p5: f.after_p5, after_p50: f.after_p50, after_p95: f.after_p95, unit: f.unit, note: verdicts(f, crma) });
      // The sensitivity to the assumption behind the importer's own output follows the figures.
      const sensitivity = (r.sensitivity || []).flatMap((s) => s.figures.map((f) =>
        row(f, `${f.measure.replace(/_/g, " ")} if ${s.assumption.replace(/_/g, " ")} were ${s.value.toFixed(2)} (above: ${s.central.toFixed(2)})`, s.crma)));
      fillTable(table, r.figures.map((f) => row(f, f.measure.replace(/_/g, " "), r.crma)).concat(sensitivity));
      for (const n of r.notes) { const li = document.createElement("li"); li.textContent = n; notes.appendChild(li); }
    } catch (err) { status.className = "status error"; status.textContent = err.message; table.innerHTML = ""; table.dataset.state = "error"; }
    finally { button.disabled = false; }
  });
}

async function exposureSection(params) {
  const suppliers = byId("suppliers-table"), table = byId("exposure-table"), notes = byId("exposure-notes");
  const title = byId("exposure-title");
  const seq = (exposureSection.seq = (exposureSection.seq || 0) + 1);
  suppliers.dataset.state = table.dataset.state = "loading";
  notes.innerHTML = "";
  // The heading names what is shown: never the previous query's importer or year over new
  // results or over an error.
  pending(title, "Import exposure");
  try {
    const r = await api("/api/exposure?" + params);
    if (seq !== exposureSection.seq) return;
    title.classList.remove("stale");
    title.textContent = `Import exposure: ${r.importer}, ${r.product}${r.year ? ", " + r.year : ""}`;
    const s = r.suppliers;
    if (s.not_computable) { suppliers.textContent = s.not_computable; suppliers.dataset.state = "empty"; }
    else fillTable(suppliers, s.suppliers.map((x) => ({ supplier: x.country_iso3, tonnes: Math.round(x.quantity_t), share: pct(x.share), months_covered: x.months_covered + " of 12" + (x.months && x.months_covered < 12 ? " (" + x.months + ")" : ""), basis: s.basis })).concat([{ supplier: "HHI of suppliers", tonnes: "", share: String(Math.round(s.hhi)), months_covered: "", basis: "0-10,000" + (s.caveat ? "; " + s.caveat : "") }]));
    const inputs = r.reliance_inputs;
    const missing = ["production", "imports", "exports"].filter((k) => inputs[k] === null);
    const rows = [{ measure: "import reliance", stage: r.stage || "", value: typeof r.import_reliance === "number" ? pct(r.import_reliance) : r.import_reliance.not_computable,
      basis: "net imports / apparent consumption; inputs (t): " + ["production", "imports", "exports"].map((k) => `${k} ${inputs[k] === null ? "missing" : Math.round(inputs[k]).toLocaleString("en")}`).join(", ") + (missing.length ? "; missing inputs make it not computable" : "") }];
    for (const c of r.crma) rows.push({ measure: "CRMA 65 % check", stage: c.stage, value: c.check ? crmaText(c.check) : c.not_computable, basis: c.basis });
    fillTable(table, rows);
    markFailures(table);
    for (const n of r.notes) { const li = document.createElement("li"); li.textContent = n; notes.appendChild(li); }
  } catch (err) { if (seq === exposureSection.seq) { failed(title, "Import exposure"); showError(suppliers, err); showError(table, err); } }
}

// A section heading while its query runs, and after it failed.
function pending(el, what) { el.classList.add("stale"); el.textContent = what + ": loading…"; }
function failed(el, what) { el.classList.add("stale"); el.textContent = what + ": no results (the query failed; see below)"; }

function figure(f) { return typeof f === "number" ? f.toFixed(3) : (f && f.not_computable) || ""; }

async function criticalitySection(params) {
  const table = byId("criticality-table"), inputs = byId("criticality-inputs"), title = byId("criticality-title");
  const seq = (criticalitySection.seq = (criticalitySection.seq || 0) + 1);
  table.dataset.state = inputs.dataset.state = "loading";
  pending(title, "Criticality");
  try {
    const a = await api("/api/criticality?" + params);
    if (seq !== criticalitySection.seq) return;
    title.classList.remove("stale");
    const verdict = a.critical === "critical" ? "critical" : a.critical === "not_critical" ? "not critical" : (a.critical && a.critical.not_computable) || (a.critical && a.critical.inconclusive && "inconclusive: " + a.critical.inconclusive) || JSON.stringify(a.critical);
    byId("criticality-title").textContent = `Criticality (${a.method === "eu" ? "EU CRM method" : "USGS 2022 method"}): ${verdict}`;
    const rows = [];
    // The server's own status where it gives one: a lower bound below its threshold is
    // inconclusive, not "below threshold"; the bound's note follows.
    const words = { at_or_above: "at or above threshold", below: "below threshold", inconclusive: "inconclusive: lower bound below threshold", not_computable: "not computable" };
    const status = (v, th, given, bound) => (given && words[given] ? words[given] : typeof v !== "number" ? "not computable" : th === undefined ? "computed" : v >= th ? "at or above threshold" : "below threshold") + (bound && bound.note ? ` (${bound.note})` : "");
    if (a.method === "eu") {
      for (const s of a.stages) rows.push({ score: "supply risk", stage: `${s.stage} (${s.year})`, value: figure(s.supply_risk), threshold: a.supply_risk_threshold, status: status(s.supply_risk, a.supply_risk_threshold, s.supply_risk_status, s.supply_risk_bound) });
      rows.push({ score: "supply risk (bottleneck)", stage: "", value: figure(a.supply_risk), threshold: a.supply_risk_threshold, status: status(a.supply_risk, a.supply_risk_threshold, a.supply_risk_status, a.supply_risk_bound) });
      rows.push({ score: "economic importance", stage: "", value: figure(a.economic_importance), threshold: a.economic_importance_threshold, status: status(a.economic_importance, a.economic_importance_threshold, a.economic_importance_status) });
      for (const c of a.caveats || []) rows.push({ score: "caveat", stage: "", value: "", threshold: "", status: c });
    } else {
      for (const s of a.stages) rows.push({ score: "supply risk", stage: `${s.stage} (${s.year})`, value: figure(s.supply_risk), threshold: a.supply_risk_threshold, status: status(s.supply_risk, a.supply_risk_threshold, s.supply_risk_status, s.supply_risk_bound) });
      rows.push({ score: "trade exposure", stage: "", value: figure(a.trade_exposure), threshold: "", status: status(a.trade_exposure) });
      rows.push({ score: "economic vulnerability", stage: "", value: figure(a.economic_vulnerability), threshold: "", status: status(a.economic_vulnerability) });
      rows.push({ score: "supply risk (bottleneck)", stage: "", value: figure(a.supply_risk), threshold: a.supply_risk_threshold, status: status(a.supply_risk, a.supply_risk_threshold, a.supply_risk_status, a.supply_risk_bound) });
    }
    for (const s of a.supplies) rows.push({ score: "stage shares used", stage: s.stage, value: "", threshold: "", status: s.basis });
    for (const m of a.missing_stages) rows.push({ score: "stage shares missing", stage: "", value: "", threshold: "", status: m });
    fillTable(table, rows);
    fillTable(inputs, a.inputs.map((i) => ({ input: i.name, value: i.value === null ? "" : i.value, status: i.status, source_or_note: i.note })));
  } catch (err) { if (seq === criticalitySection.seq) { failed(title, "Criticality"); showError(table, err); showError(inputs, err); } }
}

function options(select, values, preferred) {
  select.innerHTML = "";
  for (const v of values) { const o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o); }
  if (preferred && values.includes(preferred)) select.value = preferred;
}

function unique(values) { return [...new Set(values)]; }

// The halt table's columns: header, the run's field (for its description), and the value
// when it is not the field itself. The halt probability is a share of runs, shown in %.
const HALT_COLUMNS = [
  ["region", "region"],
  ["industry", "industry"],
  ["loss % (p50)", "loss_pct", (o) => round1(o.loss_pct)],
  ["loss t (p5)", "loss_t_p5", (o) => round1(o.loss_t_p5)],
  ["loss t (p50)", "loss_t", (o) => round1(o.loss_t)],
  ["loss t (p95)", "loss_t_p95", (o) => round1(o.loss_t_p95)],
  ["halt probability (% of runs)", "halt_probability", (o) => Math.round(1000 * o.halt_probability) / 10],
  ["days below 50 % (p50)", "days_below_50", (o) => round1(o.days_below_50)],
  ["below 90 % from (slowdown, not a halt)", "halt_date_90"],
  ["halt (below 50 %) from", "halt_date_50"],
  ["recovery (95 %)", "recovery_date_95"],
  ["unmet demand t (p50)", "unmet_t", (o) => round1(o.unmet_t)],
];

// One decimal, as the report prints losses.
function round1(v) { return typeof v === "number" ? Math.round(10 * v) / 10 : v; }

// "CHN|WLD|magnets" -> "CHN → world, magnets".
function edgeLabel(key) {
  const [exporter, importer, stage] = key.split("|");
  return `${exporter} → ${importer === "WLD" ? "world" : importer}, ${stage}`;
}

function showResults(run) {
  const r = run.result;
  byId("results").hidden = false;
  const region = byId("output-region"), industry = byId("output-industry");
  options(region, unique(r.outputs.map((s) => s.region)), "EU");
  const refreshIndustries = () => {
    const names = unique(r.outputs.filter((s) => s.region === region.value).map((s) => s.industry));
    options(industry, names, names.find((n) => /ev|auto|motor/i.test(n)));
  };
  const drawOutput = () => loadSvg(byId("output-chart"), `/api/runs/${run.id}/charts/output.svg?` +
    new URLSearchParams({ region: region.value, industry: industry.value }));
  region.onchange = () => { refreshIndustries(); drawOutput(); };
  industry.onchange = drawOutput;
  refreshIndustries();
  if (r.outputs.length) drawOutput(); else byId("output-chart").textContent = "This run recorded no output series.";
  // Halt table: the region x industry rows that lose output, worst first, with the columns an
  // analyst reads first.
  // The headers are the HTML report's (src/commands/report_html.rs): below 90 % is a
  // slowdown, not a halt, and says so in the header, not only in its tooltip.
  const affected = r.industries.filter((o) => o.loss_t_p95 > 0 || o.halt_probability > 0)
    .sort((a, b) => b.loss_pct - a.loss_pct)
    .map((o) => {
      const row = {};
      for (const [label, field, value] of HALT_COLUMNS) row[label] = value ? value(o) : o[field];
      return row;
    });
  // Header tooltips: the run's own descriptions of each field.
  const d = r.descriptions || {};
  const tips = {};
  for (const [label, field] of HALT_COLUMNS) if (d[field]) tips[label] = d[field];
  fillTable(byId("halts-table"), affected, tips);
  // New plants (none in the library scenarios): what each added, measured against the
  // same runs without it, and whether it went unused.
  const plants = r.new_supply || [];
  byId("new-supply-section").hidden = !plants.length;
  if (plants.length) {
    const t = (v) => Math.round(v).toLocaleString("en-US");
    fillTable(byId("new-supply-table"), plants.map((n) => ({
      region: n.region, stage: n.stage, "capacity added, t": t(n.capacity_t),
      "output added, t (p50)": t(n.added_output_t),
      "total loss change, t (p50)": t(n.total_loss_change_t),
      used: n.unused ? "unused: the results do not depend on it" : "yes",
    })), { "capacity added, t": d.capacity_t, "output added, t (p50)": d.added_output_t,
      "total loss change, t (p50)": d.total_loss_change_t, used: d.unused });
  }
  const edge = byId("licence-edge");
  const edges = unique(r.edges.map((e) => [e.exporter, e.importer, e.stage].join("|")));
  options(edge, edges, edges.find((e) => e === "CHN|WLD|magnets"));
  for (const o of edge.options) o.textContent = edgeLabel(o.value);
  const drawLicences = () => {
    const [exporter, importer, stage] = edge.value.split("|");
    loadSvg(byId("licences-chart"), `/api/runs/${run.id}/charts/licences.svg?` + new URLSearchParams({ exporter, importer, stage }));
  };
  edge.onchange = drawLicences;
  if (edges.length) drawLicences(); else byId("licences-chart").textContent = "This scenario has no licensed exports.";
}

async function poll(id, status, bar) {
  for (;;) {
    const run = await api("/api/runs/" + encodeURIComponent(id));
    bar.style.width = Math.round(100 * run.progress.fraction) + "%";
    status.textContent = `${run.status}: ${run.progress.done} of ${run.progress.total || run.size.runs} runs`;
    if (run.status === "succeeded") { bar.style.width = "100%"; return run; }
    if (run.status === "failed") throw new Error(run.error);
    await new Promise((r) => setTimeout(r, 400));
  }
}

async function scenarioPage() {
  const form = byId("scenario-form"), select = byId("scenario-select"), text = byId("scenario-toml");
  const status = byId("run-status"), bar = byId("progress-bar"), button = byId("run-button");
  const slider = byId("approval"), sliderOn = byId("approval-override"), sliderValue = byId("approval-value");
  sliderOn.onchange = () => { slider.disabled = !sliderOn.checked; sliderValue.textContent = sliderOn.checked ? slider.value : "scenario value"; };
  slider.oninput = () => { sliderValue.textContent = slider.value; };
  try {
    const list = await api("/api/scenarios");
    options(select, list.map((s) => s.name));
    for (const [i, s] of list.entries()) select.options[i].textContent = s.name + " — " + s.title;
    const load = async () => { text.value = (await api("/api/scenarios/" + encodeURIComponent(select.value))).toml; };
    select.onchange = load;
    if (list.length) await load();
  } catch (err) { status.className = "status error"; status.textContent = err.message; }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true; status.className = "status"; bar.style.width = "0";
    const fd = new FormData(form);
    const req = { toml: text.value, runs: Number(fd.get("runs")), seed: Number(fd.get("seed")) };
    if (sliderOn.checked) req.approval_share = Number(slider.value);
    if (String(fd.get("days") || "").trim() !== "") req.days = Number(fd.get("days"));
    try {
      const accepted = await api("/api/simulate", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
      const run = await poll(accepted.id, status, bar);
      status.textContent = `done: ${run.result.runs} runs, ${run.result.days} days from ${run.result.start}`;
      status.dataset.run = run.id;
      showResults(run);
    } catch (err) { status.className = "status error"; status.textContent = err.message; }
    finally { button.disabled = false; }
  });
}

// The header's API link: a plain link cannot send the bearer token, so with a token kept for
// this tab the document is fetched with it and shown; without one, a 401 says what to do.
function apiLink() {
  const link = byId("api-link");
  if (!link) return;
  link.addEventListener("click", async (e) => {
    e.preventDefault();
    let resp;
    try { resp = await fetch(link.href, { headers: headers() }); }
    catch (err) { location.href = link.href; return; }
    if (resp.status === 401) {
      const banner = byId("banner");
      banner.textContent = TOKEN_HINT + " Then click API again.";
      banner.hidden = false;
      return;
    }
    if (!sessionStorage.getItem("chokepoint-token")) { location.href = link.href; return; }
    const blob = new Blob([await resp.text()], { type: "application/json" });
    location.href = URL.createObjectURL(blob);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  apiLink();
  for (const a of document.querySelectorAll("nav a[data-nav]")) if (a.dataset.nav === page) a.classList.add("active");
  if (page === "monitor") monitorPage();
  else if (page === "exposure") exposurePage();
  else if (page === "scenario") scenarioPage();
});
