#!/usr/bin/env python3
"""Browser test of the chokepoint dashboard (standard library only).

Starts `chokepoint serve` on 127.0.0.1 (free port) with a fresh data dir, starts chromedriver,
opens headless Chromium with a fresh profile, and for each page checks that the charts render
with data (an <svg> with plotted paths, not an error or a "no data" chart) and that the tables
have rows; on the Scenario page it runs a scenario and waits for the fan chart, the halt table
and the licences chart. It also checks what the review of the dashboard found (D7-D14 in the
commit messages): chart text alternatives, labels, stale headings, the layout at 500 px (pages
and the HTML report), and a second server under --token. Screenshots go to the folder given by
--screenshots, printed at the start. The last line is "N passed, M failed".
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1366,1000",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The few W3C WebDriver commands this test needs."""

    def __init__(self, base):
        self.base = base
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"webdriver {method} {path}: {e.read().decode()[:400]}") from e

    def start(self, profile):
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": shutil.which("chromium") or "/usr/bin/chromium",
                                   "args": CHROME_ARGS + [f"--user-data-dir={profile}"]},
        }}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def s(self, path):
        return f"/session/{self.session}{path}"

    def goto(self, url):
        self.call("POST", self.s("/url"), {"url": url})

    def js(self, script, *args):
        return self.call("POST", self.s("/execute/sync"), {"script": script, "args": list(args)})

    def window(self, width, height):
        self.call("POST", self.s("/window/rect"), {"width": width, "height": height})

    def screenshot(self, path):
        png = self.call("GET", self.s("/screenshot"))
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", self.s(""))
            except Exception:  # noqa: BLE001 - best effort at the end
                pass


def wait_for(driver, script, timeout=60.0, *args):
    """Polls a JS expression until it returns a truthy value; returns it (or the last value)."""
    deadline = time.time() + timeout
    value = None
    while time.time() < deadline:
        value = driver.js(script, *args)
        if value and not (isinstance(value, dict) and value.get("pending")):
            return value
        time.sleep(0.25)
    return value


CHART_STATE = """
const el = document.getElementById(arguments[0]);
if (!el) return {pending: false, ok: false, why: 'no element #' + arguments[0]};
const state = el.dataset.state;
if (!state || state === 'loading') return {pending: true};
const svg = el.querySelector('svg');
const marks = svg ? svg.querySelectorAll('path, polyline, polygon, rect, circle').length : 0;
return {pending: false, ok: state === 'ready' && marks > 2, state: state, marks: marks,
        why: state === 'error' ? el.innerText : (svg && svg.dataset.empty ? 'no data' : '')};
"""

TABLE_STATE = """
const el = document.getElementById(arguments[0]);
if (!el) return {pending: false, ok: false, why: 'no element #' + arguments[0]};
const state = el.dataset.state;
if (!state || state === 'loading') return {pending: true};
const rows = el.querySelectorAll('tbody tr').length;
return {pending: false, ok: state === 'ready' && rows > 0, rows: rows, why: el.innerText.slice(0, 200)};
"""


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip  {name}: {why}")

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}: {detail}")


def check_page(driver, results, base, shots, page, charts, tables):
    driver.goto(f"{base}/{page}")
    for chart in charts:
        st = wait_for(driver, CHART_STATE, 60, chart) or {}
        results.check(f"{page}: chart #{chart} renders with data", st.get("ok"), json.dumps(st))
    for table in tables:
        st = wait_for(driver, TABLE_STATE, 60, table) or {}
        results.check(f"{page}: table #{table} has rows", st.get("ok"), json.dumps(st))
    driver.screenshot(os.path.join(shots, f"{page}.png"))


EMPTY_CHART = """
const el = document.getElementById(arguments[0]);
if (!el) return {pending: false, ok: false, why: 'no element #' + arguments[0]};
const state = el.dataset.state;
if (!state || state === 'loading') return {pending: true};
return {pending: false, ok: state === 'empty' && /not computable: needs/.test(el.textContent),
        state: state, text: el.textContent.slice(0, 200)};
"""


PARTNERS_STATE = """
const t = document.getElementById('partners-table'), n = document.getElementById('partners-notes');
const c = document.getElementById('partners-chart');
if (!t || !n || !c) return {pending: false, ok: false, why: 'missing partners elements'};
if ([t, n, c].some((el) => !el.dataset.state || el.dataset.state === 'loading')) return {pending: true};
const period = (n.innerText.match(/^period (\\S+):/) || [])[1];
if (period !== arguments[0]) return {pending: true};
return {pending: false, period: period, notes: n.innerText, table: t.textContent.slice(0, 600),
        aggregateRows: [...t.querySelectorAll('tbody tr.aggregate')].map((tr) => tr.textContent),
        chart: c.innerHTML};
"""


TRENDS_NOTES = """
const t = document.getElementById('trends-table'), n = document.getElementById('trends-notes');
if (!t || !n) return {pending: false, ok: false, why: 'missing trends elements'};
if (!t.dataset.state || t.dataset.state === 'loading') return {pending: true};
return {pending: false, notes: n.innerText, table: t.textContent.slice(0, 300)};
"""


def check_trends_notes(driver, results):
    """What `trends` sends beside its rows (Chokepoint-Note headers) reaches the monitor
    page: with January 2025 ingested, the bundled year-to-date totals are named as holding
    the bundled month."""
    st = wait_for(driver, TRENDS_NOTES, 60) or {}
    notes = st.get("notes", "")
    results.check("monitor: trends notes show a reported YTD beside an ingested month",
                  "reported by bundled" in notes and "2025-01 from tidy" in notes, json.dumps(st))


def show_partners_for(driver, month):
    """Sets the monitor form's last month (the partners' period) and submits it, once the
    page's own first load has finished."""
    wait_for(driver, "const n = document.getElementById('partners-notes');"
                     "return n && n.dataset.state && n.dataset.state !== 'loading';", 60)
    driver.js("const f = document.getElementById('monitor-form');"
              "f.querySelector('input[name=to]').value = arguments[0];"
              "f.querySelector('button[type=submit]').click();", month)
    return wait_for(driver, PARTNERS_STATE, 60, month) or {}


def check_monitor_partners(driver, results, base, shots):
    """What /api/partners says beyond its ranked rows reaches the page: July 2025's EU
    aggregate (a marked, unranked row, the CLI's "also reported" line, a legend line in the
    chart) and April 2025's note that the world total has no partner breakdown."""
    driver.goto(f"{base}/monitor")
    st = show_partners_for(driver, "2025-07")
    eu_line = ("also reported: EUU (European Union, aggregate of members) 2,140 t = 38.4 % of "
               "the world total; not counted in HHI/top-N because it overlaps its members")
    results.check("monitor: 2025-07 partners table lists EUU as an unranked aggregate",
                  any(r.startswith("aggregate, not ranked") and "EUU" in r
                      for r in st.get("aggregateRows") or []), json.dumps(st)[:800])
    results.check("monitor: 2025-07 partners notes carry the CLI's aggregate and bound lines",
                  eu_line in (st.get("notes") or "") and "HHI 524 (lower bound)" in (st.get("notes") or ""),
                  (st.get("notes") or "")[:800])
    results.check("monitor: 2025-07 partners chart names EUU beside the bars",
                  "EUU (European Union, aggregate) 2,140 t = 38.4 % of world" in (st.get("chart") or ""),
                  str(st.get("why") or "")[:200])
    driver.screenshot(os.path.join(shots, "monitor-partners-2025-07.png"))
    st = show_partners_for(driver, "2025-04")
    results.check("monitor: 2025-04 says why it has no partner rows",
                  "note: the world total for 2025-04 is 2,628 t, but there is no partner breakdown"
                  in (st.get("notes") or "") and "No partner breakdown" in (st.get("table") or ""),
                  json.dumps({k: st.get(k) for k in ("notes", "table", "why")})[:800])
    driver.screenshot(os.path.join(shots, "monitor-partners-2025-04.png"))


URL_VIEW = """
const f = document.getElementById('monitor-form');
const t = document.getElementById('trends-table');
if (t.dataset.state !== 'ready' || !t.querySelector('tbody tr')) return null;
return {product: f.elements.product.value, from: f.elements.from.value, search: location.search,
        periods: [...t.querySelectorAll('tbody tr')].map((r) => r.cells[0].textContent)};
"""


def check_url_state(driver, results, base):
    """The Monitor form lives in the address bar: a URL with parameters opens that view, a
    new query is pushed to the history, and Back shows the earlier one again."""
    driver.goto(f"{base}/monitor?product=rare-earths&from=2025-01&to=2025-03")
    st = wait_for(driver, URL_VIEW, 60) or {}
    results.check("monitor: a URL with parameters opens that view",
                  st.get("product") == "rare-earths" and st.get("from") == "2025-01"
                  and st.get("periods", [None])[-1] == "2025-03", json.dumps(st))
    driver.js("const f = document.getElementById('monitor-form');"
              "f.elements.product.value = 'magnets'; f.requestSubmit();")
    search = wait_for(driver, "return location.search.includes('product=magnets') ? "
                              "location.search : null;", 10)
    results.check("monitor: a new query goes into the address bar", bool(search), str(search))
    driver.js("history.back();")
    back = wait_for(driver, "const f = document.getElementById('monitor-form');"
                            "return location.search.includes('product=rare-earths') && "
                            "f.elements.product.value === 'rare-earths' ? location.search : null;", 10)
    results.check("monitor: Back shows the earlier query again", bool(back), str(back))


def check_exposure(driver, results, base, shots):
    """Stage shares of the three stages the bundled data cover render as bar charts with the
    CRMA line; the metal stage, which the data do not break down by country, says why instead
    of drawing zeros; the concentration, exposure and criticality tables fill."""
    driver.goto(f"{base}/exposure")
    for stage in ("mining", "separation", "magnets"):
        chart = f"shares-chart-{stage}"
        st = wait_for(driver, CHART_STATE, 60, chart) or {}
        results.check(f"exposure: chart #{chart} renders with data", st.get("ok"), json.dumps(st))
        has_line = driver.js("const el = document.getElementById(arguments[0]);"
                             "return el.innerHTML.includes('EU CRMA benchmark 65 %');", chart)
        results.check(f"exposure: chart #{chart} draws the 65 % line", has_line)
    st = wait_for(driver, EMPTY_CHART, 60, "shares-chart-metal") or {}
    results.check("exposure: metal chart says why it has no data", st.get("ok"), json.dumps(st))
    for table in ("shares-table", "suppliers-table", "exposure-table", "criticality-table",
                  "criticality-inputs"):
        st = wait_for(driver, TABLE_STATE, 60, table) or {}
        results.check(f"exposure: table #{table} has rows", st.get("ok"), json.dumps(st))
    # World shares are an indicator of EU sourcing, not a CRMA test: marked above the
    # benchmark, never FAIL (analyst review).
    above = driver.js("return [...document.querySelectorAll('#shares-table td.above')]"
                      ".map((td) => td.textContent);") or []
    fails = driver.js("return [...document.querySelectorAll('#shares-table td.fail')]"
                      ".map((td) => td.textContent);") or []
    results.check("exposure: separation and magnets are marked above the 65 % benchmark",
                  any("CHN 92.0 %" in f for f in above) and any("CHN 94.0 %" in f for f in above)
                  and not fails, json.dumps([above, fails]))
    years = driver.js("return [...document.querySelectorAll('#shares-table tbody tr')]"
                      ".map((tr) => tr.cells[1].textContent).filter((t) => t);") or []
    results.check("exposure: years read as years (2025, not 2,025)",
                  years and all(re.fullmatch(r"\d{4}", y) for y in years), json.dumps(years))
    # Post-shock exposure on demand (POST /api/exposure/after) for the form's EU magnets.
    picked = wait_for(driver, "const s = document.getElementById('after-scenario');"
                              "return s && s.value ? s.value : null;", 60)
    results.check("exposure: scenarios list for the post-shock section",
                  picked == "april-2025-controls", str(picked))
    driver.js("document.querySelector('#after-form input[name=runs]').value = '8';"
              "document.getElementById('after-button').click();")
    st = wait_for(driver, TABLE_STATE, 120, "after-table") or {}
    results.check("exposure: post-shock table has rows", st.get("ok"), json.dumps(st))
    title = driver.js("return document.getElementById('after-title').innerText;") or ""
    status = driver.js("return document.getElementById('after-status').innerText;") or ""
    results.check("exposure: post-shock section names scenario, importer, stage and runs",
                  "april-2025-controls.toml: EU, magnets" in title and "8 runs" in status,
                  json.dumps([title, status]))
    # The EU's own magnet output is an assumption: its sensitivity rows follow the figures.
    measures = driver.js("return [...document.querySelectorAll('#after-table tbody tr')]"
                         ".map((tr) => tr.cells[0].textContent);") or []
    notes = driver.js("return [...document.querySelectorAll('#after-table tbody tr')]"
                      ".filter((tr) => tr.cells[0].textContent === 'crma top third country share')"
                      ".map((tr) => tr.cells[tr.cells.length - 1].textContent);") or []
    results.check("exposure: post-shock CRMA share carries its verdicts",
                  any(n.startswith("before INCONCLUSIVE (upper bound)") for n in notes), json.dumps(notes))
    results.check("exposure: post-shock table shows the sensitivity to the Japan/EU split",
                  any("import reliance if non china magnet japan share were 0.72" in m
                      for m in measures), json.dumps(measures))
    # At 1366 px the two-column charts fit their boxes: no scrollbar under each chart.
    scrolled = driver.js("return [...document.querySelectorAll('.chart')]"
                         ".filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.id);")
    results.check("exposure: charts fit their boxes at full width (no scrollbar)",
                  scrolled == [], json.dumps(scrolled))
    driver.screenshot(os.path.join(shots, "exposure.png"))


def check_after_limits(driver, results):
    """Review L6, L9: the post-shock form takes the API's run limit; its status is a live
    region and its errors an alert; the form's errors list is an alert."""
    st = driver.js("const a = (id, n) => { const e = document.getElementById(id); return e ? e.getAttribute(n) : null; };"
                   "return {runsMax: document.querySelector('#after-form input[name=runs]').getAttribute('max'),"
                   " status: a('after-status', 'aria-live'), error: a('after-error', 'role'),"
                   " form: a('form-errors', 'role')};") or {}
    results.check("exposure: post-shock runs limit is the API's; status live, errors alerts",
                  st.get("runsMax") == "100000" and st.get("status") == "polite"
                  and st.get("error") == "alert" and st.get("form") == "alert", json.dumps(st))


def check_scenario(driver, results, base, shots):
    driver.goto(f"{base}/scenario")
    loaded = wait_for(driver, "const t = document.getElementById('scenario-toml');"
                              "return t && t.value.length > 0 ? t.value.length : 0;", 60)
    results.check("scenario: library scenario loads into the editor", bool(loaded), str(loaded))
    if not loaded:
        driver.screenshot(os.path.join(shots, "scenario-error.png"))
        return False
    # Few runs keep the test quick; the slider exercises the override path.
    driver.js("document.querySelector('input[name=runs]').value = '20';"
              "document.querySelector('input[name=days]').value = '180';"
              "const c = document.getElementById('approval-override'); c.click();"
              "const s = document.getElementById('approval'); s.value = '0.3';"
              "s.dispatchEvent(new Event('input'));"
              "document.getElementById('run-button').click();")
    done = wait_for(driver, "const s = document.getElementById('run-status');"
                            "if (s.classList.contains('error')) return 'error: ' + s.innerText;"
                            "return s.dataset.run ? 'done' : null;", 300)
    results.check("scenario: run finishes from the page", done == "done", str(done))
    if done == "done":
        status = driver.js("return document.getElementById('run-status').innerText;")
        results.check("scenario: the days field sets the horizon", "180 days" in status, status)
        st = wait_for(driver, CHART_STATE, 60, "output-chart") or {}
        results.check("scenario: fan chart renders", st.get("ok"), json.dumps(st))
        st = wait_for(driver, TABLE_STATE, 60, "halts-table") or {}
        results.check("scenario: halt table has rows", st.get("ok"), json.dumps(st))
        st = wait_for(driver, CHART_STATE, 60, "licences-chart") or {}
        results.check("scenario: licences chart renders", st.get("ok"), json.dumps(st))
        hidden = driver.js("return document.getElementById('new-supply-section').hidden;")
        results.check("scenario: no new-supply section without new plants", hidden is True,
                      str(hidden))
        driver.screenshot(os.path.join(shots, "scenario.png"))
        check_new_supply(driver, results, shots)
    else:
        driver.screenshot(os.path.join(shots, "scenario.png"))
    return done == "done"


def check_new_supply(driver, results, shots):
    """A scenario with a new plant shows what the plant added and changed."""
    before = driver.js("return document.getElementById('run-status').dataset.run;")
    driver.js("const t = document.getElementById('scenario-toml');"
              "t.value += '\\n[[new_supply]]\\nregion = \"JPN\"\\nstage = \"magnets\"\\n"
              "capacity_t_per_year = 20000\\ncommissioning = \"2025-06-01\"\\n';"
              "document.getElementById('run-button').click();")
    done = wait_for(driver, "const s = document.getElementById('run-status');"
                            "if (s.classList.contains('error')) return 'error: ' + s.innerText;"
                            "return s.dataset.run && s.dataset.run !== arguments[0] ? 'done' : null;",
                    300, before)
    results.check("scenario: a run with a new plant finishes", done == "done", str(done))
    if done == "done":
        st = wait_for(driver, TABLE_STATE, 60, "new-supply-table") or {}
        shown = driver.js("return !document.getElementById('new-supply-section').hidden"
                          " && document.getElementById('new-supply-table').innerText;") or ""
        results.check("scenario: the new-supply table shows the plant",
                      st.get("ok") and "JPN" in shown and "magnets" in shown, str(shown)[:300])
        driver.screenshot(os.path.join(shots, "scenario-new-supply.png"))


NOTES_HEADER = """
const n = document.getElementById('trends-notes'), f = document.getElementById('monitor-form');
const q = new URLSearchParams();
for (const k of ['reporter', 'flow', 'product', 'from', 'to']) q.set(k, f.elements[k].value);
return fetch('/api/trends?' + q).then((r) => ({header: r.headers.get('chokepoint-notes'),
  joined: r.headers.get('chokepoint-note'), items: [...n.querySelectorAll('li')].map((li) => li.textContent),
  page: document.querySelector('main').innerText}));
"""


def check_notes_header(driver, results):
    """Review M4: the notes of `Chokepoint-Notes` (a JSON array) are each their own list item,
    not the browser's join of the `Chokepoint-Note` headers; none keeps CLI flag syntax."""
    wait_for(driver, TRENDS_NOTES, 60)
    st = driver.js(NOTES_HEADER) or {}
    try:
        notes = json.loads(st.get("header") or "null")
    except ValueError:
        notes = None
    items = [i for i in st.get("items") or [] if i.startswith("note: ")]
    results.check("monitor: Chokepoint-Notes is a JSON array of the notes, one list item each",
                  isinstance(notes, list) and len(notes) >= 2
                  and items == ["note: " + n for n in notes], json.dumps(st)[:1200])
    results.check("monitor: notes over HTTP use API words, not CLI flags (`--source`)",
                  "--source" not in (st.get("page") or "") and "--freq" not in (st.get("page") or ""),
                  json.dumps(st.get("items"))[:800])


PARTNERS_DERIVED = """
const t = document.getElementById('partners-table'), c = document.getElementById('partners-chart');
const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent);
const rows = [...t.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries(
  [...tr.cells].map((td, i) => [heads[i], td.textContent])));
return {heads: heads, rows: rows, notes: document.getElementById('partners-notes').innerText,
        hatched: [...c.querySelectorAll('rect.derived')].map((r) => (r.querySelector('title') || {}).textContent),
        legend: (c.querySelector('.chart-legend') || {}).textContent || ''};
"""


def check_lone_points(driver, results, base):
    """Review L3: from 2025-01 to 2025-05 the year-on-year change has one value (2025-05),
    which the chart's dashed line cannot draw; the notes under the chart name it."""
    driver.goto(f"{base}/monitor?from=2025-01&to=2025-05")
    st = wait_for(driver, TRENDS_NOTES, 60) or {}
    results.check("monitor: a change with no neighbouring value is named under the chart",
                  "year on year % of 2025-05" in (st.get("notes") or ""), json.dumps(st)[:800])


def check_partners_derived(driver, results, base, shots):
    """Review M3: June 2025's DEU figure is derived (from a published growth rate). As the
    CLI: a "derived" note cell and the legend line; the chart's bar is hatched with the
    legend under it; the citation is a column and the bar's tooltip."""
    driver.goto(f"{base}/monitor")
    show_partners_for(driver, "2025-06")
    st = wait_for(driver, "const c = document.getElementById('partners-chart');"
                          "return c.dataset.state && c.dataset.state !== 'loading' && "
                          "(c.querySelector('.chart-legend') || c.dataset.state !== 'ready') ? true : null;", 30)
    st = driver.js(PARTNERS_DERIVED) or {}
    deu = next((r for r in st.get("rows") or [] if r.get("partner") == "DEU"), {})
    legend = ("derived: a figure the dataset computed from a published growth rate, not one a "
              "source reported; its share and the HHI inherit that")
    results.check("monitor: 2025-06 partners table marks DEU derived, with the CLI's legend line",
                  deu.get("note") == "derived" and legend in (st.get("notes") or ""), json.dumps(st)[:1200])
    results.check("monitor: partners table shows each figure's citation",
                  "citation" in (st.get("heads") or []) and bool(deu.get("citation")), json.dumps(deu))
    results.check("monitor: partners chart hatches the derived bar, with a tooltip and a legend",
                  any(t and t.startswith("DEU") and "derived" in t for t in st.get("hatched") or [])
                  and legend in (st.get("legend") or ""), json.dumps(st)[:1200])
    driver.screenshot(os.path.join(shots, "monitor-partners-derived.png"))


FORM_ERRORS = """
const e = document.getElementById('form-errors'), t = document.getElementById('trends-table');
if (!t.dataset.state || t.dataset.state === 'loading') return {pending: true};
return {pending: false, hidden: e.hidden, role: e.getAttribute('role'),
        items: [...e.querySelectorAll('li')].map((li) => li.textContent),
        page: document.querySelector('main').innerText,
        mapped: inFormWords('invalid query string: missing parameter `period`: give period=YYYY-MM (or YYYY), or to=YYYY-MM', ERRORS.labels),
        invalid: inFormWords('invalid period: `2025-13`: invalid month', ERRORS.labels)};
"""


def check_form_errors(driver, results, base, shots):
    """Review L7: a blank "To" gave the API's text naming `period` (a parameter the form does
    not have) three times. The message is said once, under the form, in the form's words."""
    driver.goto(f"{base}/monitor?to=")
    st = wait_for(driver, FORM_ERRORS, 60) or {}
    page = st.get("page") or ""
    results.check("monitor: a blank To is said once, under the form, naming the field",
                  not st.get("hidden") and st.get("role") == "alert" and len(st.get("items") or []) == 1
                  and "To (and partners' month)" in st["items"][0]
                  and page.count(st["items"][0]) == 1 and "period" not in page, json.dumps(st)[:1200])
    results.check("monitor: API errors name the form's fields, not the API's parameters",
                  "period" not in (st.get("mapped") or "") and "To (and partners' month)" in (st.get("mapped") or "")
                  and (st.get("invalid") or "").startswith("invalid “To (and partners' month)”:"),
                  json.dumps([st.get("mapped"), st.get("invalid")]))
    driver.screenshot(os.path.join(shots, "monitor-blank-to.png"))


SHARES_NOTES = """
const t = document.getElementById('shares-table'), c = document.getElementById('shares-chart-separation');
if (!t.dataset.state || t.dataset.state === 'loading' || !c.dataset.state || c.dataset.state === 'loading')
  return {pending: true};
const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent);
const rows = [...t.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries(
  [...tr.cells].map((td, i) => [heads[i], td.textContent])));
const svg = c.querySelector('svg');
return {pending: false, rows: rows, notes: [...document.querySelectorAll('#shares-notes li')].map((li) => li.textContent),
        label: svg ? svg.getAttribute('aria-label') : null,
        caption: svg ? [...svg.querySelectorAll('text')].map((x) => x.textContent).filter((x) => /Separation/.test(x)) : []};
"""


def check_shares_notes(driver, results, base, shots):
    """Review M2: the shares reports' notes go under the stage table; a 2030 IEA projection
    says "projection" in its row and its chart's title; a publication-year figure says so."""
    driver.goto(f"{base}/exposure")
    st = wait_for(driver, SHARES_NOTES, 60) or {}
    notes = st.get("notes") or []
    results.check("exposure: the stage table's notes are listed under it, by stage",
                  any(n.startswith("mining: ") for n in notes)
                  and any(n.startswith("magnets: ") and "publication-year" in n for n in notes),
                  json.dumps(notes)[:1200])
    driver.goto(f"{base}/exposure?year=2030&importer=USA&product=magnets")
    st = wait_for(driver, SHARES_NOTES, 60) or {}
    sep = next((r for r in st.get("rows") or [] if r.get("stage") == "separation"), {})
    results.check("exposure: a 2030 projection says so in its row and its chart title",
                  "projection" in sep.get("year basis", "") and "projection" in (st.get("label") or "")
                  and any("projection" in c for c in st.get("caption") or [])
                  and any(n.startswith("separation: ") and "projection" in n for n in st.get("notes") or []),
                  json.dumps(st)[:1500])
    driver.screenshot(os.path.join(shots, "exposure-2030.png"))


LIVE_REGIONS = """
const a = (id, name) => { const el = document.getElementById(id); return el ? el.getAttribute(name) : null; };
const n = (sel, name) => { const el = document.querySelector(sel); return el ? el.getAttribute(name) : null; };
return {runStatus: a('run-status', 'aria-live'), runError: a('run-error', 'role'),
        progress: n('.progress', 'role'), progressNow: n('.progress', 'aria-valuenow'),
        runsMax: n('#scenario-form input[name=runs]', 'max'), daysMax: n('#scenario-form input[name=days]', 'max')};
"""


def check_scenario_results(driver, results, shots):
    """Review M1: the results say whose they are (scenario, runs, seed, days) and show the
    run's notes, assumptions and sources; a shortened horizon that leaves the truce out
    says so; a failed run or another scenario greys the previous results and says whose they
    are; the error is an alert in view. L6: the limits are the API's; L9: live regions."""
    title = driver.js("return document.getElementById('results-title').innerText;") or ""
    results.check("scenario: results are labelled with scenario, runs, seed and days",
                  "april-2025-controls" in title and "runs" in title and "seed 42" in title
                  and "180 days" in title, title)
    st = wait_for(driver, TABLE_STATE, 30, "assumptions-table") or {}
    heads = driver.js("return [...document.querySelectorAll('#assumptions-table thead th')]"
                      ".map((th) => th.textContent);") or []
    sources = driver.js("return [...document.querySelectorAll('#run-sources li')]"
                        ".map((li) => li.textContent);") or []
    results.check("scenario: the run's assumptions (key, value, unit, set by) and sources are shown",
                  st.get("ok") and all(h in heads for h in ("key", "value", "unit", "set by"))
                  and len(sources) > 0, json.dumps([st, heads, sources[:3]]))
    st = driver.js(LIVE_REGIONS) or {}
    results.check("scenario: status is a polite live region, errors an alert, progress a progressbar",
                  st.get("runStatus") == "polite" and st.get("runError") == "alert"
                  and st.get("progress") == "progressbar" and st.get("progressNow") == "100", json.dumps(st))
    results.check("scenario: input limits are the API's (runs 100,000, days 36,500)",
                  st.get("runsMax") == "100000" and st.get("daysMax") == "36500", json.dumps(st))
    # A horizon of 20 days leaves the truce's suspensions out: the notes say so.
    before = driver.js("return document.getElementById('run-status').dataset.run;")
    driver.js("const s = document.getElementById('scenario-select'); s.value = 'geneva-london-truce';"
              "s.dispatchEvent(new Event('change'));")
    picked = wait_for(driver, "return /geneva/i.test(document.getElementById('scenario-toml').value)"
                              " && document.getElementById('results-title').innerText;", 30) or ""
    results.check("scenario: picking another scenario greys the results and says whose they are",
                  picked.startswith("Results of the previous run: april-2025-controls")
                  and "geneva-london-truce" in picked
                  and driver.js("return document.getElementById('results').classList.contains('stale');"),
                  str(picked))
    driver.js("document.querySelector('input[name=runs]').value = '4';"
              "document.querySelector('input[name=days]').value = '20';"
              "document.getElementById('run-button').click();")
    done = wait_for(driver, "const s = document.getElementById('run-status');"
                            "if (s.classList.contains('error')) return 'error: ' + document.getElementById('run-error').innerText;"
                            "return s.dataset.run && s.dataset.run !== arguments[0] ? 'done' : null;",
                    300, before)
    notes = driver.js("return document.getElementById('run-notes').innerText;") or ""
    results.check("scenario: a 20-day truce run says its suspensions were left out",
                  done == "done" and "left out" in notes, json.dumps([done, notes[:600]]))
    driver.screenshot(os.path.join(shots, "scenario-notes.png"))
    # A failing run: the error is an alert in view; the truce's results are greyed.
    driver.js("document.getElementById('scenario-toml').value = 'this is = not [valid toml';"
              "document.getElementById('run-button').click();")
    st = wait_for(driver, "const e = document.getElementById('run-error');"
                          "if (e.hidden) return null; const r = e.getBoundingClientRect();"
                          "return {error: e.innerText, role: e.getAttribute('role'),"
                          " inView: r.top >= 0 && r.bottom <= window.innerHeight,"
                          " stale: document.getElementById('results').classList.contains('stale'),"
                          " title: document.getElementById('results-title').innerText};", 60) or {}
    results.check("scenario: a failed run shows its error as an alert in view, previous results greyed",
                  bool(st.get("error")) and st.get("role") == "alert" and st.get("inView")
                  and st.get("stale") and (st.get("title") or "").startswith("Results of the previous run: geneva-london-truce")
                  and "failed" in (st.get("title") or ""), json.dumps(st))
    driver.screenshot(os.path.join(shots, "scenario-failed-run.png"))


CHARTS_ACCESSIBLE = """
const charts = [...document.querySelectorAll('.chart')]
  .filter((c) => c.dataset.state === 'ready' || c.dataset.state === 'empty');
const bad = charts.filter((c) => {
  const svg = c.querySelector('svg');
  return !svg || svg.getAttribute('role') !== 'img' || !svg.getAttribute('aria-label')
    || !svg.querySelector('title') || !(svg.querySelector('desc') || {}).textContent;
}).map((c) => c.id);
return {count: charts.length, bad: bad};
"""


def check_charts_accessible(driver, results, page):
    """D9: every drawn chart is an image with a name and a description for screen readers."""
    st = driver.js(CHARTS_ACCESSIBLE) or {}
    results.check(f"{page}: every chart has role=img, an aria-label, <title> and <desc>",
                  st.get("count", 0) > 0 and not st.get("bad"), json.dumps(st))


def check_icon(driver, results, base):
    """D14: every page names its icon, and /favicon.ico answers too (no 404 in the console)."""
    icon = driver.js("const l = document.querySelector('link[rel=icon]'); return l ? l.href : null;")
    ok = False
    for path in ("/favicon.svg", "/favicon.ico"):
        try:
            with urllib.request.urlopen(base + path, timeout=30) as resp:
                ok = resp.status == 200 and resp.headers.get("content-type", "").startswith("image/")
        except urllib.error.HTTPError as e:
            ok = f"{path}: {e.code}"
        if ok is not True:
            break
    results.check("pages: an icon is linked and served (/favicon.svg, /favicon.ico)",
                  bool(icon) and ok is True, json.dumps([icon, ok]))


MONITOR_DETAILS = """
const chart = document.getElementById('trends-chart');
const table = document.getElementById('anomalies-table');
if (!table.dataset.state || table.dataset.state === 'loading') return {pending: true};
if (!chart.dataset.state || chart.dataset.state === 'loading') return {pending: true};
// Numbers of one column share their decimals ("-74.00" over "-75.71", not "-74").
const rows = [...table.querySelectorAll('tbody tr')];
const mixed = [];
if (rows.length) for (let c = 0; c < rows[0].cells.length; c++) {
  const d = new Set(rows.map((r) => r.cells[c]).filter((td) => td.classList.contains('num'))
    .map((td) => (td.textContent.split('.')[1] || '').length));
  if (d.size > 1) mixed.push(c);
}
const months = [...document.querySelectorAll('td')].filter((td) => /^\\d{4}-\\d{2}$/.test(td.textContent));
return {pending: false, derivedLegend: chart.innerHTML.includes('derived (estimated, not reported)'),
        rows: rows.length, mixedDecimals: mixed, months: months.length,
        wrapping: months.filter((td) => getComputedStyle(td).whiteSpace !== 'nowrap').length};
"""


def check_monitor_details(driver, results):
    """D12: the trends chart marks derived months (2024-05, 2024-06, 2024-08, 2025-04 in the
    default range) apart from reported ones; D14: decimals per column, months on one line."""
    st = wait_for(driver, MONITOR_DETAILS, 60) or {}
    results.check("monitor: trends chart draws derived months apart, with a legend entry",
                  st.get("derivedLegend"), json.dumps(st))
    results.check("monitor: anomalies table uses one number of decimals per column",
                  st.get("rows", 0) > 0 and st.get("mixedDecimals") == [], json.dumps(st))
    results.check("monitor: month cells do not wrap",
                  st.get("months", 0) > 0 and st.get("wrapping") == 0, json.dumps(st))


EXPOSURE_HEADINGS = """
const ids = ['exposure-title', 'criticality-title', 'suppliers-table', 'criticality-table',
             'shares-chart-mining'];
const els = ids.map((id) => document.getElementById(id));
if (els.slice(2).some((el) => !el.dataset.state || el.dataset.state === 'loading')) return {pending: true};
return {pending: false, exposure: els[0].innerText, criticality: els[1].innerText,
        states: els.slice(2, 4).map((el) => el.dataset.state), mining: els[4].innerHTML};
"""


def submit_exposure(driver, year):
    # noValidate: the browser would refuse "abc" itself (pattern); the page's own check of
    # its form is what a URL such as /exposure?year=abc meets.
    driver.js("const f = document.getElementById('exposure-form'); f.noValidate = true;"
              "f.querySelector('input[name=year]').value = arguments[0];"
              "f.querySelector('button[type=submit]').click();", year)
    return wait_for(driver, EXPOSURE_HEADINGS, 60) or {}


def check_exposure_states(driver, results, shots):
    """D11: 2019 mining is mostly unattributed: that bar is hatched grey and named as no
    country. D10: a failing query does not leave the previous year's headings up."""
    st = submit_exposure(driver, "2019")
    mining = st.get("mining") or ""
    shown = json.dumps({k: st.get(k) for k in ("exposure", "criticality", "states")})
    results.check("exposure: 2019 headings name the year", ", 2019" in (st.get("exposure") or ""), shown)
    results.check("exposure: the unattributed share is hatched and named 'not a country'",
                  "unattributed (not a country)" in mining and "url(#chokepoint-hatch)" in mining,
                  mining[:300])
    driver.screenshot(os.path.join(shots, "exposure-2019.png"))
    st = submit_exposure(driver, "abc")
    shown = json.dumps({k: st.get(k) for k in ("exposure", "criticality", "states")})
    results.check("exposure: after a failed query the headings drop the previous results",
                  st.get("states") == ["error", "error"]
                  and "2019" not in (st.get("exposure") or "")
                  and "failed" in (st.get("exposure") or "")
                  and "inconclusive" not in (st.get("criticality") or "")
                  and "failed" in (st.get("criticality") or ""), shown)
    said = driver.js("return document.getElementById('form-errors').innerText;") or ""
    results.check("exposure: an invalid year is said once under the form, naming the field",
                  said.count("“Year”") == 1 and "YYYY" in said, said)
    driver.screenshot(os.path.join(shots, "exposure-year-abc.png"))


SCENARIO_DETAILS = """
const head = [...document.querySelectorAll('#halts-table thead th')];
const labels = head.map((th) => th.textContent);
const col = labels.indexOf('halt probability (% of runs)');
const probs = col < 0 ? [] : [...document.querySelectorAll('#halts-table tbody tr')]
  .map((tr) => tr.cells[col].textContent);
const recovery = head.find((th) => th.textContent === 'recovery (95 %)');
const edge = document.getElementById('licence-edge');
const a = document.getElementById('approval'), o = document.getElementById('approval-override');
return {labels: labels, probs: probs, recoveryTip: recovery ? recovery.title : null,
        edges: [...edge.options].map((x) => x.textContent),
        edge: edge.selectedOptions[0] && edge.selectedOptions[0].textContent,
        slider: a.labels.length ? a.labels[0].textContent.trim() : null,
        override: o.labels.length ? o.labels[0].textContent.trim() : null};
"""


def check_scenario_details(driver, results):
    """D7: the halt table's headers say what each column is, as the report's do; D9: the
    slider and its checkbox are labelled; D14: the edge selector reads 'CHN → world, magnets'."""
    st = driver.js(SCENARIO_DETAILS) or {}
    labels = st.get("labels") or []
    want = ["loss % (p50)", "loss t (p5)", "loss t (p50)", "loss t (p95)",
            "halt probability (% of runs)", "days below 50 % (p50)",
            "below 90 % from (slowdown, not a halt)", "halt (below 50 %) from", "recovery (95 %)"]
    results.check("scenario: halt table headers as in the report (slowdown, %, p5-p95)",
                  all(w in labels for w in want) and "halt date 90" not in labels, json.dumps(st))
    probs = [float(p.replace(",", "")) for p in st.get("probs") or [] if p]
    results.check("scenario: halt probability is in % of runs (0-100, not a 0-1 fraction)",
                  probs and all(0 <= p <= 100 for p in probs) and any(p > 1 for p in probs),
                  json.dumps(st.get("probs")))
    results.check("scenario: recovery (95 %) has a description", bool(st.get("recoveryTip")),
                  json.dumps(st))
    results.check("scenario: approval slider and override checkbox have labels",
                  bool(st.get("slider")) and "override" in (st.get("override") or ""), json.dumps(st))
    results.check("scenario: edge selector shows readable labels",
                  st.get("edge") == "CHN → world, magnets"
                  and not any("|" in e for e in st.get("edges") or []), json.dumps(st))


NARROW = """
const chart = document.querySelector('.chart svg');
const boxes = [...document.querySelectorAll('.chart')].filter((c) => c.querySelector('svg'));
return {page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
        chart: chart ? Math.round(chart.getBoundingClientRect().width) : null,
        box: chart ? chart.parentElement.clientWidth : null,
        cropped: boxes.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.id),
        unscaled: boxes.filter((c) => !c.querySelector('svg').getAttribute('viewBox')).map((c) => c.id)};
"""


def check_narrow(driver, results, base, shots, report):
    """D8: at 500 px no page scrolls sideways (forms wrap, long options shrink, wide tables
    scroll in their own boxes); the report too. Review L8: charts scale to their box by
    their viewBox (check_phone: at 375 px too) and are never cropped (no box scrolls)."""
    driver.window(500, 1000)
    try:
        # The scenario page as it is, with a run's results, then each page reloaded.
        time.sleep(0.5)
        st = driver.js(NARROW) or {}
        results.check("narrow: scenario page with results does not scroll sideways",
                      st.get("page", 1e9) <= st.get("view", 0), json.dumps(st))
        driver.screenshot(os.path.join(shots, "scenario-results-narrow.png"))
        for page, chart in (("monitor", "trends-chart"), ("exposure", "shares-chart-mining"),
                            ("scenario", None)):
            driver.goto(f"{base}/{page}")
            if chart:
                wait_for(driver, CHART_STATE, 60, chart)
            else:
                wait_for(driver, "return document.getElementById('scenario-toml').value.length;", 60)
            time.sleep(0.5)
            st = driver.js(NARROW) or {}
            ok = st.get("page", 1e9) <= st.get("view", 0)
            if chart:
                ok = ok and not st.get("cropped") and 0 < (st.get("chart") or 0) <= st.get("box", 0)
            results.check(f"narrow: {page} page does not scroll sideways"
                          + ("; charts scale to their box" if chart else ""),
                          ok, json.dumps(st))
            driver.screenshot(os.path.join(shots, f"{page}-narrow.png"))
        if report:
            driver.goto("file://" + report)
            time.sleep(1)
            st = driver.js(NARROW) or {}
            boxed = driver.js("return [...document.querySelectorAll('table')].every((t) =>"
                              " t.parentElement.classList.contains('scroll')"
                              " && getComputedStyle(t.parentElement).overflowX === 'auto');")
            charts = driver.js("return [...document.querySelectorAll('figure svg')]"
                               ".map((s) => Math.round(s.getBoundingClientRect().width));") or []
            results.check("narrow: the report does not scroll sideways; its tables scroll in a box",
                          st.get("page", 1e9) <= st.get("view", 0) and boxed, json.dumps([st, boxed]))
            results.check("narrow: the report's charts keep 560 px and scroll in their figure",
                          charts and min(charts) >= 560, json.dumps(charts))
            driver.screenshot(os.path.join(shots, "report-narrow.png"))
    finally:
        driver.window(1366, 1000)


def check_phone(driver, results, base, shots):
    """Review L8: at phone width (375 px) a chart kept 540 px and showed its left half (the
    oldest months, half the title) in a scrolling box. Charts scale to their box by their
    viewBox: none is cropped and no page scrolls sideways."""
    driver.window(375, 900)
    try:
        for page, chart in (("monitor", "trends-chart"), ("exposure", "shares-chart-mining")):
            driver.goto(f"{base}/{page}")
            wait_for(driver, CHART_STATE, 60, chart)
            time.sleep(0.5)
            st = driver.js(NARROW) or {}
            results.check(f"phone (375 px): {page} charts scale to their box, none cropped, no sideways scroll",
                          st.get("page", 1e9) <= st.get("view", 0) and not st.get("cropped")
                          and not st.get("unscaled") and st.get("chart") is not None
                          and st.get("chart") <= st.get("box", 0), json.dumps(st))
            driver.screenshot(os.path.join(shots, f"{page}-375.png"))
        # The trends chart's full-size switch: drawn size, scrolled to the latest months.
        driver.goto(f"{base}/monitor")
        wait_for(driver, CHART_STATE, 60, "trends-chart")
        st = driver.js("const c = document.getElementById('trends-chart'), b = c.querySelector('.chart-zoom');"
                       "if (!b || getComputedStyle(b).display === 'none') return {button: false};"
                       "b.click(); return {button: true, svg: Math.round(c.querySelector('svg').getBoundingClientRect().width),"
                       " left: c.scrollLeft, page: document.documentElement.scrollWidth,"
                       " view: document.documentElement.clientWidth, pressed: b.getAttribute('aria-pressed')};") or {}
        results.check("phone (375 px): a chart's full-size switch shows it at its drawn size, scrolled to the latest months",
                      st.get("button") and st.get("svg", 0) >= 700 and st.get("left", 0) > 0
                      and st.get("pressed") == "true" and st.get("page", 1e9) <= st.get("view", 0), json.dumps(st))
        driver.screenshot(os.path.join(shots, "monitor-375-full.png"))
    finally:
        driver.window(1366, 1000)


TOKEN_STATE = """
const t = document.getElementById('trends-table'), e = document.getElementById('form-errors');
if (!t || !t.dataset.state || t.dataset.state === 'loading') return {pending: true};
return {pending: false, state: t.dataset.state, text: e.hidden ? '' : e.textContent.slice(0, 400)};
"""


def check_token(driver, results, binary, env, shots):
    """D13: under `serve --token`, panels tell a browser user to open /#token=TOKEN; the API
    link says the same without a token and shows the document with one."""
    server = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--token", "s3cret"],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        m = re.search(r"http://[0-9.:]+", server.stdout.readline())
        if not m:
            results.check("token: server starts", False)
            return
        base = m.group(0)
        driver.goto(f"{base}/monitor")
        st = wait_for(driver, TOKEN_STATE, 60) or {}
        results.check("token: without the token the page says (once, under the form) to open /#token=TOKEN",
                      st.get("state") == "error" and "/#token=TOKEN" in (st.get("text") or ""),
                      json.dumps(st))
        driver.js("const l = document.getElementById('api-link'); if (l) l.click();")
        banner = wait_for(driver, "const b = document.getElementById('banner');"
                                  "return b && !b.hidden ? b.innerText : null;", 30)
        results.check("token: the API link without the token says what to do",
                      bool(banner) and "/#token=TOKEN" in banner, str(banner))
        driver.screenshot(os.path.join(shots, "token-missing.png"))
        # From another page, so that the hash is read on load (app.js also reloads on a
        # hash typed later, which a test could race).
        driver.goto(f"{base}/exposure")
        driver.goto(f"{base}/monitor#token=s3cret")
        st = wait_for(driver, TOKEN_STATE, 60) or {}
        results.check("token: with #token= the panels load", st.get("state") == "ready",
                      json.dumps(st))
        driver.js("const l = document.getElementById('api-link'); if (l) l.click();")
        shown = wait_for(driver, "return location.protocol === 'blob:'"
                                 " ? document.body.innerText.slice(0, 200) : null;", 30)
        results.check("token: with #token= the API link shows the OpenAPI document",
                      bool(shown) and '"openapi"' in shown, str(shown))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--screenshots", required=True)
    args = ap.parse_args()
    print(f"screenshots: {os.path.abspath(args.screenshots)}")
    results = Results()
    work = tempfile.mkdtemp(prefix="chokepoint-browser-")
    server = driver_proc = None
    driver = None
    try:
        env = dict(os.environ, CHOKEPOINT_DATA_DIR=os.path.join(work, "data"), RUST_LOG="warn")
        # One ingested month inside the bundled year-to-date totals, so that the monitor
        # page has a trends note to show (check_trends_notes).
        tidy = os.path.join(work, "january.csv")
        with open(tidy, "w") as f:
            f.write("period,reporter_iso3,partner_iso3,flow,product,quantity_t\n"
                    "2025-01,CHN,WLD,export,magnets,2000\n")
        subprocess.run([args.binary, "ingest", tidy], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        server = subprocess.Popen([args.binary, "serve", "--addr", "127.0.0.1:0"], env=env,
                                  stdout=subprocess.PIPE, text=True)
        line = server.stdout.readline()
        m = re.search(r"http://[0-9.:]+", line)
        if not m:
            results.check("server starts", False, line)
            return results
        base = m.group(0)
        port = free_port()
        driver_proc = subprocess.Popen(["chromedriver", f"--port={port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        driver = WebDriver(f"http://127.0.0.1:{port}")
        up = False
        for _ in range(100):
            try:
                driver.call("GET", "/status")
                up = True
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        results.check("chromedriver starts", up)
        if not up:
            return results
        driver.start(os.path.join(work, "profile"))
        check_page(driver, results, base, args.screenshots, "monitor",
                   ["trends-chart", "partners-chart"], ["trends-table", "partners-table"])
        check_charts_accessible(driver, results, "monitor")
        check_icon(driver, results, base)
        check_monitor_details(driver, results)
        check_trends_notes(driver, results)
        check_notes_header(driver, results)
        check_monitor_partners(driver, results, base, args.screenshots)
        check_partners_derived(driver, results, base, args.screenshots)
        check_lone_points(driver, results, base)
        check_form_errors(driver, results, base, args.screenshots)
        check_url_state(driver, results, base)
        with urllib.request.urlopen(base + "/api/openapi.json", timeout=30) as resp:
            paths = json.loads(resp.read())["paths"]
        for path in ("/api/shares", "/api/exposure", "/api/criticality", "/api/charts/shares.svg"):
            results.check(f"openapi: {path} is documented", path in paths)
        check_exposure(driver, results, base, args.screenshots)
        check_charts_accessible(driver, results, "exposure")
        check_exposure_states(driver, results, args.screenshots)
        check_shares_notes(driver, results, base, args.screenshots)
        check_after_limits(driver, results)
        if check_scenario(driver, results, base, args.screenshots):
            check_charts_accessible(driver, results, "scenario")
            check_scenario_details(driver, results)
            check_scenario_results(driver, results, args.screenshots)
        # The HTML report of a few runs, for its layout at narrow width.
        report = os.path.join(work, "report.html")
        scenario = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios",
                                "april-2025-controls.toml")
        done = subprocess.run([args.binary, "report", scenario,
                               "--out", report, "--runs", "4"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        results.check("report: written for the narrow-width check", done.returncode == 0,
                      done.stderr[-400:])
        check_narrow(driver, results, base, args.screenshots,
                     report if done.returncode == 0 else None)
        check_phone(driver, results, base, args.screenshots)
        # A second server, under --token, on a data dir of its own.
        check_token(driver, results, args.binary,
                    dict(env, CHOKEPOINT_DATA_DIR=os.path.join(work, "data-token")),
                    args.screenshots)
    except Exception as e:  # noqa: BLE001 - report, then count as a failure
        results.check("browser test ran to the end", False, repr(e))
    finally:
        if driver:
            driver.quit()
        for p in (driver_proc, server):
            if p:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    r = main()
    print(f"{r.passed} passed, {r.failed} failed, {r.skipped} skipped")
    sys.exit(1 if r.failed else 0)
