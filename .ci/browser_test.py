#!/usr/bin/env python3
"""Browser test of the chokepoint dashboard (standard library only).

Starts `chokepoint serve` on 127.0.0.1 (free port) with a fresh data dir, starts chromedriver,
opens headless Chromium with a fresh profile, and for each page checks that the charts render
with data (an <svg> with plotted paths, not an error or a "no data" chart) and that the tables
have rows; on the Scenario page it runs a scenario and waits for the fan chart, the halt table
and the licences chart. Screenshots go to the folder given by --screenshots, printed at the
start. The last line is "N passed, M failed".
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
    fails = driver.js("return [...document.querySelectorAll('#shares-table td.fail')]"
                      ".map((td) => td.textContent);") or []
    results.check("exposure: separation and magnets fail the CRMA check",
                  any("CHN 92.0 %" in f for f in fails) and any("CHN 94.0 %" in f for f in fails),
                  json.dumps(fails))
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
    driver.screenshot(os.path.join(shots, "exposure.png"))


def check_scenario(driver, results, base, shots):
    driver.goto(f"{base}/scenario")
    loaded = wait_for(driver, "const t = document.getElementById('scenario-toml');"
                              "return t && t.value.length > 0 ? t.value.length : 0;", 60)
    results.check("scenario: library scenario loads into the editor", bool(loaded), str(loaded))
    if not loaded:
        driver.screenshot(os.path.join(shots, "scenario-error.png"))
        return
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
    driver.screenshot(os.path.join(shots, "scenario.png"))


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
        check_trends_notes(driver, results)
        check_monitor_partners(driver, results, base, args.screenshots)
        with urllib.request.urlopen(base + "/api/openapi.json", timeout=30) as resp:
            paths = json.loads(resp.read())["paths"]
        for path in ("/api/shares", "/api/exposure", "/api/criticality", "/api/charts/shares.svg"):
            results.check(f"openapi: {path} is documented", path in paths)
        check_exposure(driver, results, base, args.screenshots)
        check_scenario(driver, results, base, args.screenshots)
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
