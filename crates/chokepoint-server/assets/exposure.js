// The Exposure page: stage shares, an importer's exposure, criticality and the post-shock
// exposure of a scenario (app.js has the shared parts).
"use strict";

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
