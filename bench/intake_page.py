"""Benchmark of the intake page on a phone (issue 12 item 9: `make bench-page`).
Not a test: it prints figures and writes them into docs/benchmarks.md (its own section).

A station files from the field on a phone: the intake page (/incidents/new/, signed in as
station1) is loaded in Debian's Chromium with a mid-range phone's profile — CPU 4× slower
(Emulation.setCPUThrottlingRate), 1.6 Mbps down, 750 kbps up, 150 ms round trip
(Network.emulateNetworkConditions) — with an empty cache, in both ways the portal runs:

- `make run`: `manage.py runserver` with DEBUG=true (WhiteNoise serves static/ as it is,
  emergency.middleware.TextGZipMiddleware compresses it);
- production: `collectstatic` (WhiteNoise's hashed, precompressed files) and gunicorn, DEBUG=false.

Figures: bytes transferred (Network.loadingFinished's encodedDataLength: headers and bodies as
they crossed the wire, compressed) and Largest Contentful Paint, median of BENCH_PAGE_RUNS (5).
Targets: ≤ 120 KB and LCP ≤ 1 s. The bytes are deterministic; tests/emergency/test_page_weight.py
keeps them in check without a browser.

Uses its own database (BENCH_PAGE_DATABASE_URL, default PostgreSQL `emergency_bench_page`,
migrated and seeded with the demo people) and ports BENCH_PAGE_PORT and BENCH_PAGE_PORT + 1
(default 8790, 8791).
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
CHROMIUM = "/usr/bin/chromium"
RUNS = int(os.environ.get("BENCH_PAGE_RUNS", 5))
PORT = int(os.environ.get("BENCH_PAGE_PORT", 8790))
DATABASE_URL = os.environ.get("BENCH_PAGE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emergency_bench_page")
TARGET_KB, TARGET_LCP_MS = 120, 1000
# A mid-range phone on a slow mobile network (the profile; Lighthouse's "slow 4G" is alike).
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4
START_LOAD = 0.0
BEGIN, END = "<!-- bench/intake_page.py: begin -->", "<!-- bench/intake_page.py: end -->"
LCP_SCRIPT = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    const last = entries[entries.length - 1];
    resolve({time: last.startTime, element: last.element ? last.element.tagName + (last.element.id ? '#' + last.element.id : '') : ''});
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""


def environment(debug: bool) -> dict:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "true" if debug else "false", "PYTHONUNBUFFERED": "1"}
    if not debug:
        env.update(SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_COOKIES="false")
    return env


def manage(*args, debug=True):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=environment(debug), check=True,
                   stdout=subprocess.DEVNULL)


def prepare():
    """The bench database with the demo people (seed_demo runs in development mode only)."""
    from urllib.parse import urlsplit

    parts = urlsplit(DATABASE_URL)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/")
        maintenance = parts._replace(path="/postgres").geturl()
        import psycopg2

        conn = psycopg2.connect(maintenance)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("select 1 from pg_database where datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'create database "{name}"')
        conn.close()
    manage("migrate", "--noinput")
    manage("seed_demo")
    manage("compilemessages", "--ignore=.venv", "--verbosity", "0")


def start(mode: str, port: int) -> subprocess.Popen:
    if mode == "make run":
        command = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        env = environment(True)
    else:
        manage("collectstatic", "--noinput", "--clear", debug=False)
        command = [GUNICORN, "emergency.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        env = environment(False)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2)
            return server
        except Exception:
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"{mode}: the server on port {port} did not answer")


def stop(server: subprocess.Popen):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def measure(browser, base: str) -> dict:
    """One cold load of the intake page on the phone profile: bytes per resource and LCP (ms)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "station1")
    page.fill("#id_password", "demo1234")
    with page.expect_navigation():
        page.click("button[type=submit]")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    urls, sizes = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(f"{base}/incidents/new/", wait_until="load")
    page.wait_for_load_state("networkidle")
    lcp = page.evaluate(LCP_SCRIPT)
    # When the last stylesheet arrived (the first paint waits for them): the network's share of the LCP.
    css_end = page.evaluate("""() => Math.max(0, ...performance.getEntriesByType('resource')
        .filter(e => e.initiatorType === 'link' && e.name.includes('.css')).map(e => e.responseEnd))""")
    context.close()
    resources = sorted(((urls.get(rid, "?").replace(base, ""), size) for rid, size in sizes.items()),
                       key=lambda row: -row[1])
    return {"bytes": sum(sizes.values()), "lcp": lcp["time"], "lcp_element": lcp["element"], "resources": resources,
            "css_end": css_end}


def run_mode(browser, mode: str, port: int) -> dict:
    server = start(mode, port)
    try:
        base = f"http://127.0.0.1:{port}"
        measure(browser, base)  # a first load warms the server (templates, translations), not counted
        runs = [measure(browser, base) for _ in range(RUNS)]
    finally:
        stop(server)
    return {"mode": mode, "runs": runs, "bytes": runs[-1]["bytes"], "resources": runs[-1]["resources"],
            "lcp": statistics.median(r["lcp"] for r in runs), "lcp_element": runs[-1]["lcp_element"],
            "css_end": statistics.median(r["css_end"] for r in runs)}


def main():
    if not shutil.which(CHROMIUM):
        raise SystemExit("needs Debian's chromium (make system-deps)")
    from playwright.sync_api import sync_playwright

    prepare()
    global START_LOAD
    START_LOAD = os.getloadavg()[0]
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                             "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        try:
            for n, mode in enumerate(["make run", "production"]):
                results.append(run_mode(browser, mode, PORT + n))
        finally:
            browser.close()
    for result in results:
        runs = ", ".join(f"{r['lcp']:.0f}" for r in result["runs"])
        print(f"{result['mode']}: {result['bytes'] / 1024:.1f} KB, stylesheets in {result['css_end']:.0f} ms, "
              f"LCP median {result['lcp']:.0f} ms ({runs}) "
              f"on {result['lcp_element']}")
        for url, size in result["resources"]:
            if not url.startswith("data:"):
                print(f"    {size / 1024:7.1f} KB  {url}")
    write(results)
    # Bytes are the page's own doing: over budget fails. LCP also depends on how busy the machine is
    # (the CPU slowdown multiplies the load): a miss is reported, with the load average in the doc.
    for r in results:
        if r["lcp"] > TARGET_LCP_MS:
            print(f"{r['mode']}: LCP {r['lcp']:.0f} ms is over the {TARGET_LCP_MS} ms target (load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    sys.exit(0 if all(r["bytes"] <= TARGET_KB * 1024 for r in results) else 1)


def _short(url: str) -> str:
    return re.sub(r"\.[0-9a-f]{12}\.", ".", url)  # ManifestStaticFilesStorage's hash


def write(results):
    load = os.getloadavg()[0]
    lines = [
        BEGIN,
        f"## Intake page on a phone ({date.today().isoformat()})",
        "",
        f"Written by `make bench-page` (bench/intake_page.py). Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {START_LOAD:.1f} at the start of the run and {load:.1f} at its end. Debian's Chromium, signed in as "
        f"station1, /incidents/new/ loaded with an empty cache on a mid-range phone's profile: CPU ×{CPU_SLOWDOWN}, "
        f"1.6 Mbps down, 750 kbps up, 150 ms round trip (CDP). Bytes: as transferred (headers and compressed "
        f"bodies). LCP: median of {RUNS} loads. Targets: ≤ {TARGET_KB} KB, LCP ≤ {TARGET_LCP_MS} ms "
        "(issue 12 item 9: before, 212 KB in production and 565 KB under `make run`, of which 134 KB the icon font). "
        "The bytes do not depend on the machine. LCP does: the server and the throttled browser share the cores "
        "with whatever else runs, so with a load average above the core count both the answers (the server's time "
        "adds to every round trip) and the style and layout come late. \"Stylesheets in\" is when the last "
        "stylesheet arrived, which the first paint waits for; the rest of the LCP is the browser's work.",
        "",
        "| mode | transferred | stylesheets in (median) | LCP (median) | LCP runs (ms) | LCP element | target met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        met = r["bytes"] <= TARGET_KB * 1024 and r["lcp"] <= TARGET_LCP_MS
        runs = " ".join(f"{x['lcp']:.0f}" for x in r["runs"])
        lines.append(f"| {r['mode']} | {r['bytes'] / 1024:.1f} KB | {r['css_end']:.0f} ms | {r['lcp']:.0f} ms | {runs} | {r['lcp_element']} | "
                     f"{'yes' if met else 'no'} |")
    lines += ["", "What the page transfers, per resource (production):", "", "| resource | KB |", "|---|---|"]
    for url, size in next(r for r in results if r["mode"] == "production")["resources"]:
        if url.startswith("data:"):  # Bootstrap's own small images, inside its stylesheet
            continue
        lines.append(f"| `{_short(url)}` | {size / 1024:.1f} |")
    lines += ["", END, ""]
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    section = "\n".join(lines)
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "intake-page.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
