"""Load test: many concurrent browser sessions clicking through the map, gaps and profile pages.

    .venv/bin/python benchmarks/load_test.py                       # 20 sessions, 2 minutes
    .venv/bin/python benchmarks/load_test.py --sessions 10 --duration 60
    .venv/bin/python benchmarks/load_test.py --quick               # 3 sessions, 20 s (CI)
    .venv/bin/python benchmarks/load_test.py --url http://127.0.0.1:8501   # a running app

Each session is a Playwright browser context (headless Debian chromium; one browser process
holds them all) against one app process on 127.0.0.1. A session repeats, until the time is up:
open the map with a random indicator, date and language (timed until the map is drawn), go to
the gaps page through the sidebar, then open a random State's profile. It reports errors
(exception boxes, console errors, timeouts; the target is 0), p50/p95 time to a drawn map and
per page, and the server's peak memory (VmHWM of the streamlit process and its children, read
from /proc: psutil is not installed). Figures only; it never fails on speed.

The browser runs on the same machine as the server, so on a small machine both compete for the
CPU: the times are an upper bound on what users on their own machines would see.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cthb import paths, store  # noqa: E402
from cthb.indicators import INDICATORS  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

MAP_INDICATORS = [i for i in INDICATORS if i != "COE197_IN_FORCE"]
STATES = ["ALB", "AUT", "DEU", "FRA", "GEO", "KAZ", "MNG", "POL", "RUS", "TUR", "UKR", "USA"]
PAGE_TIMEOUT_MS = 60_000
DRAWN_MAP_JS = """() => document.querySelectorAll(
    '[data-testid="stPlotlyChart"] path.choroplethlocation').length > 0"""


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    iterations: int = 0

    def add(self, what: str, seconds: float) -> None:
        self.times.setdefault(what, []).append(seconds)


# --- the server and its memory ---------------------------------------------------------------


def _proc_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """The process and all its descendants (from /proc/*/stat parent ids)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


class MemoryWatch:
    """Peak memory of a process tree: the largest sampled sum of VmRSS, and VmHWM (the kernel's
    own high-water mark) of every process seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss_kb = 0
        self.hwm_kb: dict[int, int] = {}

    def sample(self) -> None:
        pids = _descendants(self.pid)
        self.peak_rss_kb = max(self.peak_rss_kb, sum(_proc_kb(p, "VmRSS") for p in pids))
        for p in pids:
            self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), _proc_kb(p, "VmHWM"))

    @property
    def main_hwm_mb(self) -> float:
        return self.hwm_kb.get(self.pid, 0) / 1024

    @property
    def tree_peak_mb(self) -> float:
        return self.peak_rss_kb / 1024


def start_app(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log_dir = ROOT / "build" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"load-test-{port}.log", "w")  # noqa: SIM115 (lives with the process)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "CTHB_DB": str(db)},
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError("the app did not start within 60 s")


# --- one simulated user ---------------------------------------------------------------------


async def wait_for_app(page: Any, timeout_s: float = PAGE_TIMEOUT_MS / 1000) -> None:
    """Like tests.browser_support.wait_for_app, for the async API: the script has finished
    (stApp's data-test-script-state is notRunning) and stayed so for half a second."""
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        state = await page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app ? app.getAttribute('data-test-script-state') : null; }""")
        if state != "notRunning":
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the page kept running")


async def check_page(page: Any, what: str, res: Results, console: list[str]) -> None:
    boxes = await page.locator("[data-testid='stException']").all_inner_texts()
    for text in boxes:
        res.errors.append(f"{what}: exception: {text[:200]}")
    for msg in console:
        res.errors.append(f"{what}: console: {msg[:200]}")
    console.clear()


async def session(browser: Any, base: str, user: int, deadline: float, max_iterations: int,
                  res: Results) -> None:
    rng = random.Random(user)
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    console: list[str] = []
    # The same console filter as the browser tests: a deep link's probe of /<page>/_stcore/
    # answers 404 before the frontend falls back to the root, which is harmless.
    page.on("console", lambda m: console.append(m.text) if m.type == "error" and "/_stcore/"
            not in (m.location or {}).get("url", "") else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        for _ in range(max_iterations):
            if time.monotonic() > deadline:
                break
            as_of = date(2000, 12, 12) + timedelta(days=rng.randrange(0, 9000))
            lang = rng.choice(["en", "ru"])
            indicator = rng.choice(MAP_INDICATORS)
            step = "map"
            try:
                start = time.monotonic()
                await page.goto(f"{base}/?indicator={indicator}&as_of={as_of}&lang={lang}")
                await page.wait_for_function(DRAWN_MAP_JS, timeout=PAGE_TIMEOUT_MS)
                res.add("time to drawn map", time.monotonic() - start)
                await wait_for_app(page)
                res.add("map page", time.monotonic() - start)
                await check_page(page, "map", res, console)

                step = "gaps"
                start = time.monotonic()
                await page.locator("[data-testid='stSidebarNav'] a").nth(1).click()
                await page.wait_for_url("**/gaps**")
                await wait_for_app(page)
                res.add("gaps page (sidebar click)", time.monotonic() - start)
                await check_page(page, "gaps", res, console)

                step = "profile"
                start = time.monotonic()
                await page.goto(f"{base}/profile?state={rng.choice(STATES)}&as_of={as_of}"
                                f"&lang={lang}")
                await wait_for_app(page)
                res.add("profile page", time.monotonic() - start)
                await check_page(page, "profile", res, console)
                res.iterations += 1
            except Exception as exc:  # noqa: BLE001 (any failure of a step is an error to count)
                res.errors.append(f"user {user} {step}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()


async def run_load(base: str, sessions: int, duration: float, max_iterations: int,
                   watch: MemoryWatch | None) -> Results:
    from playwright.async_api import async_playwright

    res = Results()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            deadline = time.monotonic() + duration
            users = [asyncio.create_task(session(browser, base, u, deadline, max_iterations, res))
                     for u in range(sessions)]

            async def sampler() -> None:
                while not all(u.done() for u in users):
                    if watch:
                        watch.sample()
                    await asyncio.sleep(0.5)

            # Sessions started together would all hit the first page at the same instant;
            # that is the worst case, and what a meeting room opening a link does.
            await asyncio.gather(*users, sampler())
        finally:
            await browser.close()
    return res


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--max-iterations", type=int, default=1000,
                        help="per session, a bound in case the clock misbehaves")
    parser.add_argument("--quick", action="store_true", help="3 sessions for 20 s (CI)")
    parser.add_argument("--url", help="an app already running (memory is then not measured)")
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.duration = 3, 20.0

    proc = None
    watch = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            base = args.url.rstrip("/")
        else:
            db = Path(tmp) / "cthb.duckdb"
            store.build(paths.data_dir(), db)
            proc, base = start_app(db)
            watch = MemoryWatch(proc.pid)
            watch.sample()
            idle_mb = watch.tree_peak_mb
        try:
            started = time.monotonic()
            res = asyncio.run(run_load(base, args.sessions, args.duration, args.max_iterations,
                                       watch))
            wall = time.monotonic() - started
            if watch:
                watch.sample()
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    print(f"load test: {args.sessions} sessions for {args.duration:.0f} s "
          f"(ran {wall:.0f} s), {os.cpu_count()} CPUs")
    print(f"  completed rounds (map -> gaps -> profile): {res.iterations}")
    for what, values in res.times.items():
        print(f"  {what}: n={len(values)}  p50 {percentile(values, 50):.2f} s  "
              f"p95 {percentile(values, 95):.2f} s  max {max(values):.2f} s")
    if watch:
        print(f"  server memory: idle {idle_mb:.0f} MB, peak RSS of the process tree "
              f"{watch.tree_peak_mb:.0f} MB, VmHWM of the streamlit process "
              f"{watch.main_hwm_mb:.0f} MB")
    print(f"  errors: {len(res.errors)} (target 0)")
    for err in res.errors[:20]:
        print(f"    {err}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
