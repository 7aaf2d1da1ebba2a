// The Scenario page: a library or edited scenario run in the background, its fan chart,
// halts, licences and the run's notes, assumptions and sources (app.js has the shared parts).
"use strict";

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
