// chokepoint dashboard. Plain JavaScript written for this project; charts are SVG drawn by
// the server, so these files only fetch, fill tables and wire the forms. This one is shared
// by every page (the token, API calls and their notes, forms in the address bar, errors in
// the form's words, tables and charts); each page's own code is in its script (monitor.js,
// exposure.js, scenario.js), loaded after it.
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

// A select's options, keeping `preferred` when it is one of them.
function options(select, values, preferred) {
  select.innerHTML = "";
  for (const v of values) { const o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o); }
  if (preferred && values.includes(preferred)) select.value = preferred;
}

function unique(values) { return [...new Set(values)]; }

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
  // Each page's own script (monitor.js, exposure.js, scenario.js) defines its function.
  const start = { monitor: "monitorPage", exposure: "exposurePage", scenario: "scenarioPage" }[page];
  if (start && typeof window[start] === "function") window[start]();
});
