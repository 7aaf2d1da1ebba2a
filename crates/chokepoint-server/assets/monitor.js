// The Monitor page: trends, partners and anomalies of one flow (app.js has the shared parts).
"use strict";

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
    `total ${r.total === null || r.total === undefined ? "-" : (r.measure === "value" ? "USD " + thousands(r.total) : thousands(r.total) + " t")} (${r.total_basis})`,
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
