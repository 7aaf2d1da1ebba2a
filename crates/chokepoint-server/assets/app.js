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

// The body, and what the CLI would print to stderr beside it: the notes of the
// `Chokepoint-Notes` header, one item per note.
async function apiWithNotes(path, opts) {
  opts = opts || {};
  const resp = await fetch(path, Object.assign({}, opts, { headers: headers(opts.headers) }));
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const msg = body && body.message ? body.message : resp.status + " " + resp.statusText;
    const err = new Error(resp.status === 401 ? msg + ". " + TOKEN_HINT : msg);
    err.status = resp.status;
    throw err;
  }
  return { body, notes: readNotes(resp.headers) };
}

// `Chokepoint-Notes` is a JSON array of the notes. A server without it sends only the
// `Chokepoint-Note` headers, which the browser joins with ", " (and the notes hold commas),
// so they come as one item.
function readNotes(h) {
  const all = h.get("chokepoint-notes");
  if (all !== null) {
    try { const notes = JSON.parse(all); if (Array.isArray(notes)) return notes.map(String); }
    catch (e) { /* an older or broken header: the joined text below */ }
  }
  const joined = h.get("chokepoint-note");
  return joined ? [joined] : [];
}

function listNotes(el, notes, prefix) {
  for (const n of notes) { const li = document.createElement("li"); li.textContent = (prefix || "") + n; el.appendChild(li); }
}

function query(form) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim() !== "") params.set(k, String(v).trim());
  return params.toString();
}

// Where a filter page says what went wrong: `box` (a role="alert" list under its form)
// holds each message once, in the form's words (`labels`: API parameter -> field label);
// the panels it leaves empty point there. Pages without a filter form (Scenario) show the
// message in the panel itself.
const ERRORS = { box: null, labels: {} };

// The label text of each named field of `form`; `rename` maps a field to the API parameter
// name an endpoint takes instead (the Monitor's `to` is the partners' `period`).
function fieldLabels(form, rename) {
  const labels = {};
  for (const el of form.elements) {
    if (!el.name || !el.labels || !el.labels.length) continue;
    const text = [...el.labels[0].childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent).join(" ").replace(/\s+/g, " ").trim();
    if (text) labels[el.name] = text;
  }
  for (const [field, param] of Object.entries(rename || {})) if (labels[field]) labels[param] = labels[field];
  return labels;
}

function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

// An API message in the words of the form: "invalid period: …" names the field the user
// typed into ("To (and partners' month)"), not a parameter the form does not have.
function inFormWords(message, labels) {
  const missing = message.match(/missing parameter `([\w-]+)`/);
  if (missing && labels[missing[1]]) return `“${labels[missing[1]]}” is empty: fill it in`;
  let text = message.replace(/^invalid query string: /, "");
  for (const [name, label] of Object.entries(labels)) {
    const n = escapeRegExp(name);
    text = text.replace(new RegExp(`^invalid ${n}:`), `invalid “${label}”:`)
      .replace(new RegExp("`" + n + "`", "g"), `“${label}”`)
      .replace(new RegExp(`(^|[\\s(])${n}=`, "g"), `$1“${label}” = `);
  }
  return text;
}

function clearErrors() {
  if (!ERRORS.box) return;
  ERRORS.box.innerHTML = "";
  ERRORS.box.hidden = true;
}

function reportError(message) {
  const box = ERRORS.box;
  if ([...box.children].some((li) => li.textContent === message)) return;
  const li = document.createElement("li");
  li.textContent = message;
  box.appendChild(li);
  box.hidden = false;
}

function showError(el, err) {
  el.innerHTML = "";
  const p = document.createElement("p");
  p.className = "error";
  const message = inFormWords(err.message || String(err), ERRORS.labels);
  if (ERRORS.box) {
    if (!err.said) reportError(message);
    p.textContent = "No results: see the message under the form at the top.";
  } else {
    p.setAttribute("role", "alert");
    p.textContent = message;
  }
  el.appendChild(p);
  el.dataset.state = "error";
}

// The fields the browser would refuse on submit (required, pattern), said under the form:
// a page opened from a URL (`/monitor?to=`) is shown without a submit. True when none.
function formIsValid(form) {
  const bad = [...form.elements].filter((el) => el.name && el.willValidate && !el.checkValidity());
  for (const el of bad) {
    const label = ERRORS.labels[el.name] || el.name;
    const hint = el.title ? ` (${el.title})` : "";
    reportError(el.value.trim() === "" ? `“${label}” is empty: fill it in${hint}` : `“${label}”: \`${el.value}\` is not valid; expected ${el.title || "another value"}`);
  }
  return bad.length === 0;
}

// The viewBox a chart scales by: the server's SVG has its drawn size, which CSS scales to
// the width of its box (phone widths included).
function scalable(svg) {
  if (!svg) return;
  const w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
  if (!svg.getAttribute("viewBox") && w > 0 && h > 0) svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  if (svg.getAttribute("viewBox")) { svg.removeAttribute("width"); svg.removeAttribute("height"); }
}

// On a phone the chart is scaled down to the screen; this button (shown by the CSS below
// 600 px only) switches to its drawn size, scrolled to its right end (the latest months),
// and back.
function zoomButton(el) {
  el.classList.remove("full");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "chart-zoom";
  b.textContent = "Full size (scrolls sideways)";
  b.onclick = () => {
    const full = el.classList.toggle("full");
    b.textContent = full ? "Fit to the screen" : "Full size (scrolls sideways)";
    b.setAttribute("aria-pressed", String(full));
    el.scrollLeft = full ? el.scrollWidth : 0;
  };
  b.setAttribute("aria-pressed", "false");
  el.appendChild(b);
}

async function loadSvg(el, url) {
  el.dataset.state = "loading";
  try {
    const svg = await api(url);
    el.innerHTML = svg;
    const root = el.querySelector("svg");
    scalable(root);
    if (root) zoomButton(el);
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
// `panels` (optional): ids of the elements `extra` fills, said to have failed when the form
// itself is not valid.
function filterPage(formId, charts, tables, extra, rename, panels) {
  const form = byId(formId);
  ERRORS.box = byId("form-errors");
  ERRORS.labels = fieldLabels(form, rename);
  const params = (fields, rename) => {
    const all = new URLSearchParams(query(form));
    const out = new URLSearchParams();
    for (const f of fields) if (all.has(f)) out.set((rename && rename[f]) || f, all.get(f));
    return out.toString();
  };
  const show = () => {
    clearErrors();
    if (!formIsValid(form)) {
      const err = Object.assign(new Error("the form is not valid"), { said: true });
      for (const id of [...Object.keys(charts), ...Object.keys(tables), ...(panels || [])]) {
        const el = byId(id);
        if (el.tagName === "UL") el.innerHTML = ""; else showError(el, err);
      }
      return;
    }
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

// The CLI's legend line under a partners table with a derived figure
// (src/commands/partners.rs).
const DERIVED_LEGEND = "derived: a figure the dataset computed from a published growth rate, " +
  "not one a source reported; its share and the HHI inherit that";

// The partners table: ranked partners first, then aggregates (EUU) marked as such and not
// ranked, since they overlap the countries above; the summary and notes go in a list
// outside the collapsed table, so a period with a world total but no breakdown says so.
// The chart is loaded here too, so its derived bars can be marked from the same report.
async function loadPartners(tableEl, notesEl, chartEl, url, chartUrl) {
  // A slower earlier answer must not overwrite a later one: the notes name the period.
  const seq = loadPartners.seq = (loadPartners.seq || 0) + 1;
  tableEl.dataset.state = notesEl.dataset.state = "loading";
  notesEl.innerHTML = "";
  const chart = loadSvg(chartEl, chartUrl);
  try {
    const { body: r, notes } = await apiWithNotes(url);
    if (seq !== loadPartners.seq) return;
    const derivedNote = (x) => x.is_derived ? "derived" : "";
    const rows = r.partners.map((p, i) => ({ rank: String(i + 1), partner: p.partner_iso3, quantity_t: p.quantity_t,
      value_usd: p.value_usd, share_pct: p.share_pct, source: p.source, note: derivedNote(p), citation: p.citation || "" }))
      .concat((r.aggregates || []).map((a) => ({ rank: "aggregate, not ranked", partner: `${a.partner_iso3} (${a.name})`,
        quantity_t: a.quantity_t, value_usd: a.value_usd, share_pct: a.share_pct, source: a.source,
        note: [derivedNote(a), `share of ${a.share_of || "the world total"}; ${a.note}`].filter(Boolean).join("; "), citation: a.citation || "" })));
    fillTable(tableEl, rows, { share_pct: "ranked partners: share of the total; aggregates: share of the total named in their note",
      note: DERIVED_LEGEND, citation: "where the figure comes from" });
    if (rows.length === 0) tableEl.textContent = "No partner breakdown for this period; see the notes above the table.";
    for (const tr of tableEl.querySelectorAll("tbody tr")) {
      if (/^aggregate/.test(tr.cells[0].textContent)) tr.classList.add("aggregate");
      if (/^derived/.test(tr.cells[6].textContent)) { tr.classList.add("derived"); tr.cells[6].title = DERIVED_LEGEND; }
    }
    const lines = partnersLines(r);
    if (rows.some((x) => /^derived/.test(x.note))) lines.push(DERIVED_LEGEND);
    listNotes(notesEl, lines);
    listNotes(notesEl, notes, "note: ");
    notesEl.dataset.state = "ready";
    await chart;
    if (seq === loadPartners.seq) markDerivedBars(chartEl, r);
  } catch (err) { if (seq === loadPartners.seq) { showError(tableEl, err); showError(notesEl, err); } }
}

// The partners chart is drawn by the server, one bar per ranked partner with a share (the
// first ten), left to right, in the series colour. A derived partner's bar is drawn hollow
// and hatched here, each bar gets its figure and citation as a tooltip, and the legend line
// goes under the chart.
function markDerivedBars(chartEl, r) {
  const svg = chartEl.querySelector("svg");
  if (!svg || svg.dataset.empty === "true") return;
  const shown = r.partners.filter((p) => typeof p.share_pct === "number").slice(0, 10);
  const bars = [...svg.querySelectorAll("rect")].filter((el) => (el.getAttribute("fill") || "").toUpperCase() === "#0072B2"
    && parseFloat(el.getAttribute("width")) > 18);
  bars.sort((a, b) => parseFloat(a.getAttribute("x")) - parseFloat(b.getAttribute("x")));
  if (bars.length !== shown.length) return;
  if (!svg.querySelector("#derived-hatch")) {
    svg.insertAdjacentHTML("afterbegin", '<defs><pattern id="derived-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#0072B2" stroke-width="2"/></pattern></defs>');
  }
  let any = false;
  shown.forEach((p, i) => {
    const bar = bars[i];
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = `${p.partner_iso3} ${p.share_pct.toFixed(1)} %` + (p.is_derived ? " (derived)" : "") + (p.citation ? `; ${p.citation}` : "");
    bar.appendChild(title);
    if (!p.is_derived) return;
    any = true;
    bar.setAttribute("fill", "url(#derived-hatch)");
    bar.setAttribute("stroke", "#0072B2");
    bar.setAttribute("stroke-width", "2");
    bar.classList.add("derived");
  });
  if (any) {
    const note = document.createElement("p");
    note.className = "chart-legend";
    note.innerHTML = '<svg width="18" height="12" aria-hidden="true"><rect x="1" y="1" width="16" height="10" fill="#fff" stroke="#0072B2" stroke-width="2"/>' +
      '<line x1="4" y1="11" x2="14" y2="1" stroke="#0072B2" stroke-width="2"/></svg> ';
    note.append(`hatched bar: ${DERIVED_LEGEND}`);
    chartEl.insertBefore(note, chartEl.querySelector(".chart-zoom"));
    const desc = svg.querySelector("desc");
    if (desc) desc.textContent += ` Hatched (derived): ${shown.filter((p) => p.is_derived).map((p) => p.partner_iso3).join(", ")}; ${DERIVED_LEGEND}.`;
  }
}

// A table and the notes the CLI prints beside it (trends: a reported YTD beside months of
// another source, a year without an annual total; anomalies: baselines from another
// source), one list item per note.
// `more` (optional): further lines from the rows (the trends chart's lone points).
async function loadWithNotes(tableEl, notesEl, url, more) {
  const seq = (tableEl.seq = (tableEl.seq || 0) + 1);
  tableEl.dataset.state = "loading";
  notesEl.innerHTML = "";
  try {
    const r = await apiWithNotes(url);
    if (seq !== tableEl.seq) return;
    fillTable(tableEl, r.body);
    if (more) listNotes(notesEl, more(r.body));
    listNotes(notesEl, r.notes, "note: ");
  } catch (err) { if (seq === tableEl.seq) showError(tableEl, err); }
}

// The trends chart draws month-on-month and year-on-year changes as dashed lines without
// markers, so a value with no neighbouring one (the first year-on-year change of a range,
// a month between gaps) draws nothing while the legend lists its series. The chart's axis
// is the server's (routes/monitor.rs, period_axis): one slot per calendar month, a
// combined "2025-01..02" at its last month. Those values are named under the chart.
function lonePoints(rows) {
  if (!Array.isArray(rows)) return [];
  const slot = (period) => {
    const m = /^(\d{4})-(\d{2})(?:\.\.(?:(\d{4})-)?(\d{2}))?$/.exec(period || "");
    return m ? 12 * Number(m[3] || m[1]) + Number(m[4] || m[2]) - 1 : null;
  };
  if (rows.some((r) => slot(r.period) === null)) return [];
  const lines = [];
  for (const [field, label] of [["mom_pct", "month on month %"], ["yoy_pct", "year on year %"]]) {
    const at = new Map(rows.filter((r) => Number.isFinite(r[field])).map((r) => [slot(r.period), r]));
    for (const [i, r] of at) {
      if (!at.has(i - 1) && !at.has(i + 1)) lines.push(`chart: ${label} of ${r.period} (${r[field].toFixed(1)}) has no neighbouring value, so its dashed line draws nothing there; the table has it`);
    }
  }
  return lines;
}

function monitorPage() {
  const flow = ["reporter", "flow", "product"];
  const trends = [...flow, "from", "to"];
  const partners = [...flow, "to"];
  const byPartner = { to: "period" };
  filterPage("monitor-form",
    { "trends-chart": ["/api/charts/trends.svg", trends] },
    {},
    (params) => {
      loadWithNotes(byId("trends-table"), byId("trends-notes"), "/api/trends?" + params(trends), lonePoints);
      loadPartners(byId("partners-table"), byId("partners-notes"), byId("partners-chart"),
        "/api/partners?" + params(partners, byPartner), "/api/charts/partners.svg?" + params(partners, byPartner));
      loadWithNotes(byId("anomalies-table"), byId("anomalies-notes"), "/api/anomalies?" + params(flow));
    }, byPartner, ["trends-table", "partners-chart", "partners-table", "anomalies-table"]);
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

// What a year of reported shares is: a data year (said by nothing), a projection, or the
// year a figure was published in, which the source does not tie to a data year.
const YEAR_BASIS = { data_year: "", projection_base_case: "projection (base case), not an observation",
  publication_year: "publication year: the source does not tie it to a data year" };

function yearBasis(r) {
  const bases = unique((r.shares || []).map((x) => x.year_basis).filter((b) => b && b !== "data_year"));
  return bases.map((b) => YEAR_BASIS[b] !== undefined ? YEAR_BASIS[b] : b.replace(/_/g, " ")).join("; ");
}

// One row per stage: who leads, how concentrated, the CRMA verdict, and the source.
function stageRow(stage, r) {
  if (r.not_computable) return { stage, year: "", year_basis: "", source: "", top_1: "", top_1_share: "", top_3_share: "", hhi: "", crma_65: r.not_computable, cited: "" };
  const c = r.concentration, first = r.shares[0] || {};
  // Same rule as Concentration::is_partial (PARTIAL_COVERAGE_TOLERANCE in chokepoint-store).
  const bound = c.coverage < 1 - 0.005 ? " (lower bound)" : "";
  return { stage, year: String(r.year), year_basis: yearBasis(r) || "data year", source: r.source + (r.edition ? " " + r.edition : ""), top_1: c.cr1_country || "",
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

// A chart of shares that are not a data year's says so in its title (the server's title
// names the year only): "Separation 2030 projection: country shares (IEA)".
function markYearBasis(chartEl, r) {
  const svg = chartEl.querySelector("svg");
  const basis = yearBasis(r);
  if (!svg || !basis || r.not_computable) return;
  const word = /^projection/.test(basis) ? "projection" : /^publication year/.test(basis) ? "publication-year figure" : basis;
  const retitle = (t) => t.includes(String(r.year)) ? t.replace(String(r.year), `${r.year} ${word}`) : `${t} (${word})`;
  const title = svg.getAttribute("aria-label") || "";
  const caption = [...svg.querySelectorAll("text")].find((t) => t.textContent.trim() === title.trim());
  if (caption) caption.textContent = retitle(caption.textContent);
  svg.setAttribute("aria-label", retitle(title));
  const t = svg.querySelector("title");
  if (t) t.textContent = retitle(t.textContent);
  chartEl.dataset.yearBasis = word;
}

function exposurePage() {
  const form = byId("exposure-form");
  ERRORS.box = byId("form-errors");
  ERRORS.labels = fieldLabels(form);
  const show = async () => {
    clearErrors();
    const sharesEl = byId("shares-table"), sharesNotes = byId("shares-notes");
    sharesNotes.innerHTML = "";
    if (!formIsValid(form)) {
      const err = Object.assign(new Error("the form is not valid"), { said: true });
      for (const stage of STAGES) showError(byId("shares-chart-" + stage), err);
      for (const id of ["shares-table", "suppliers-table", "exposure-table", "criticality-table", "criticality-inputs"]) showError(byId(id), err);
      byId("exposure-notes").innerHTML = "";
      failed(byId("exposure-title"), "Import exposure");
      failed(byId("criticality-title"), "Criticality");
      return;
    }
    const all = new URLSearchParams(query(form));
    const pick = (names) => { const p = new URLSearchParams(); for (const n of names) if (all.has(n)) p.set(n, all.get(n)); return p; };
    const seq = (exposurePage.seq = (exposurePage.seq || 0) + 1);
    sharesEl.dataset.state = "loading";
    const reports = STAGES.map((stage) => { const p = pick(["year"]); p.set("stage", stage); return api("/api/shares?" + p); });
    STAGES.forEach((stage, i) => {
      const p = pick(["year"]); p.set("stage", stage);
      const chartEl = byId("shares-chart-" + stage);
      Promise.all([loadSvg(chartEl, "/api/charts/shares.svg?" + p), reports[i]])
        .then(([, r]) => { if (seq === exposurePage.seq) markYearBasis(chartEl, r); }).catch(() => {});
    });
    // The rows, and under them each stage's notes (USGS estimates, projections, a
    // publication-year figure, the heavy-REE caveat), as the CLI prints them.
    Promise.all(reports)
      .then((rs) => {
        if (seq !== exposurePage.seq) return;
        fillTable(sharesEl, rs.map((r, i) => stageRow(STAGES[i], r)));
        markFailures(sharesEl);
        for (const tr of sharesEl.querySelectorAll("tbody tr")) if (/^projection/.test(tr.cells[2].textContent)) tr.classList.add("projection");
        rs.forEach((r, i) => listNotes(sharesNotes, r.notes || [], STAGES[i] + ": "));
      })
      .catch((err) => { if (seq === exposurePage.seq) showError(sharesEl, err); });
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
  const error = byId("after-error");
  // Errors in the words of both forms: `importer` and `product` come from the one above.
  const labels = Object.assign(fieldLabels(exposureForm), fieldLabels(form));
  const fail = (err) => {
    status.className = "status error"; status.textContent = "failed";
    error.textContent = inFormWords(err.message || String(err), labels); error.hidden = false;
  };
  try {
    const list = await api("/api/scenarios");
    options(select, list.map((s) => s.name), "april-2025-controls");
    for (const [i, s] of list.entries()) select.options[i].textContent = s.name + " — " + s.title;
  } catch (err) { fail(err); }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const target = new URLSearchParams(query(exposureForm));
    const params = new URLSearchParams({ importer: target.get("importer") || "", product: target.get("product") || "" });
    const fd = new FormData(form);
    const req = { name: select.value, runs: Number(fd.get("runs")), seed: Number(fd.get("seed")) };
    button.disabled = true; status.className = "status"; status.textContent = `simulating ${req.runs} runs…`;
    error.hidden = true; error.textContent = "";
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
    } catch (err) { fail(err); table.innerHTML = ""; table.dataset.state = "error"; }
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

// What a run's results are of: "april-2025-controls.toml: 50 runs, seed 42, 180 days from
// 2025-04-01".
// `name`: the page's name for the scenario it sent as text (the server calls any posted
// file "request.toml").
function runLabel(run, name) {
  const r = run.result;
  return `${name || r.scenario || run.scenario}: ${r.runs} runs, seed ${r.seed}, ${r.days} days from ${r.start}`;
}

// The results on screen are no longer those of the scenario in the editor (another one
// picked, or a new run failed or is running): greyed, and the heading says whose they are.
function staleResults(why) {
  const results = byId("results"), title = byId("results-title");
  if (results.hidden || !results.dataset.label) return;
  results.classList.add("stale");
  title.textContent = `Results of the previous run: ${results.dataset.label} (${why})`;
}

function showResults(run, name) {
  const r = run.result;
  const results = byId("results");
  results.hidden = false;
  results.classList.remove("stale");
  results.dataset.label = runLabel(run, name);
  byId("results-title").textContent = "Results: " + results.dataset.label;
  // What the request changed (instruments left out of a shortened horizon) goes first; the
  // assumptions in force and the scenario's sources close the results.
  const notes = byId("run-notes");
  notes.innerHTML = "";
  listNotes(notes, r.notes || [], "note: ");
  fillTable(byId("assumptions-table"), (r.assumptions || []).map((a) => ({
    key: a.key, value: a.value, unit: a.unit, "set by": a.set_by, distribution: a.distribution || "" })));
  const sources = byId("run-sources");
  sources.innerHTML = "";
  listNotes(sources, r.sources || []);
  if (!(r.sources || []).length) sources.textContent = "The scenario names no sources.";
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
  const progress = bar.parentElement;
  for (;;) {
    const run = await api("/api/runs/" + encodeURIComponent(id));
    const pctDone = Math.round(100 * run.progress.fraction);
    bar.style.width = pctDone + "%";
    progress.setAttribute("aria-valuenow", String(pctDone));
    // The status is a live region, announced at each change: it changes with the status
    // word and every tenth of the runs, not at every poll (the bar shows the rest).
    const step = `${run.status} ${Math.floor(pctDone / 10)}`;
    if (status.dataset.step !== step) {
      status.dataset.step = step;
      status.textContent = `${run.status}: ${run.progress.done} of ${run.progress.total || run.size.runs} runs`;
    }
    if (run.status === "succeeded") { bar.style.width = "100%"; progress.setAttribute("aria-valuenow", "100"); return run; }
    if (run.status === "failed") throw new Error(run.error);
    await new Promise((r) => setTimeout(r, 400));
  }
}

async function scenarioPage() {
  const form = byId("scenario-form"), select = byId("scenario-select"), text = byId("scenario-toml");
  const status = byId("run-status"), bar = byId("progress-bar"), button = byId("run-button");
  const error = byId("run-error"), labels = fieldLabels(form);
  // The library scenario's text as loaded: a run of it unchanged is named after it.
  let loaded = null;
  // An error is said once, in an alert beside the Run button, scrolled into view (the
  // button sits under a long form), in the form's words.
  const fail = (err) => {
    status.className = "status error"; status.textContent = "failed";
    error.textContent = inFormWords(err.message || String(err), labels); error.hidden = false;
    error.scrollIntoView({ block: "center" });
  };
  const slider = byId("approval"), sliderOn = byId("approval-override"), sliderValue = byId("approval-value");
  sliderOn.onchange = () => { slider.disabled = !sliderOn.checked; sliderValue.textContent = sliderOn.checked ? slider.value : "scenario value"; };
  slider.oninput = () => { sliderValue.textContent = slider.value; };
  try {
    const list = await api("/api/scenarios");
    options(select, list.map((s) => s.name));
    for (const [i, s] of list.entries()) select.options[i].textContent = s.name + " — " + s.title;
    const load = async () => { text.value = loaded = (await api("/api/scenarios/" + encodeURIComponent(select.value))).toml; };
    select.onchange = () => { staleResults(`not of ${select.value}, picked since: click Run for its results`); load().catch(fail); };
    if (list.length) await load();
  } catch (err) { fail(err); }
  text.addEventListener("input", () => staleResults("the scenario file has been edited since: click Run for its results"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true; status.className = "status"; bar.style.width = "0"; delete status.dataset.step; bar.parentElement.setAttribute("aria-valuenow", "0");
    error.hidden = true; error.textContent = "";
    staleResults("a new run is in progress");
    const fd = new FormData(form);
    const req = { toml: text.value, runs: Number(fd.get("runs")), seed: Number(fd.get("seed")) };
    const name = select.value ? select.value + (text.value === loaded ? "" : " (edited in this page)") : "";
    if (sliderOn.checked) req.approval_share = Number(slider.value);
    if (String(fd.get("days") || "").trim() !== "") req.days = Number(fd.get("days"));
    try {
      const accepted = await api("/api/simulate", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
      const run = await poll(accepted.id, status, bar);
      status.textContent = `done: ${run.result.runs} runs, ${run.result.days} days from ${run.result.start}`;
      status.dataset.run = run.id;
      showResults(run, name);
    } catch (err) {
      staleResults("the new run failed: see the error beside the Run button");
      fail(err);
    } finally { button.disabled = false; }
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
