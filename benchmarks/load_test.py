"""Load test: many concurrent browser sessions on the map, gaps and profile pages, with the
server's CPU per view measured apart from the browsers' work.

    .venv/bin/python benchmarks/load_test.py                        # 1, 10 and 50 sessions
    .venv/bin/python benchmarks/load_test.py --sessions 10 --duration 60
    .venv/bin/python benchmarks/load_test.py --quick                # 3 sessions, short (CI)
    .venv/bin/python benchmarks/load_test.py --url http://127.0.0.1:8680 --server-pid 123

Each session is a Playwright browser context (headless Debian chromium; one browser process
holds them all). For each number of sessions, the views are measured one after the other, in
phases: during the map phase every session opens the map again and again (a new page load each
time, with a random indicator, language and date: mostly today and the two report dates, as
people use it, sometimes any date), then the gaps phase, then the profile phase (a random
State). Per view it reports:

- time until the page is done in the browser, p50 and p95 (for the map: until the map is
  drawn): what a user waits, browser and server together;
- server CPU per view: the CPU the server processes (and their children) used during the phase,
  read from /proc, divided by the views completed; the server's own work, whatever the browser;
- browser CPU per view: the same for the Chromium processes that draw the pages;
- errors: exception boxes, console errors, timeouts (target 0).

Browser and server share this machine's CPUs, so with many sessions the browsers slow the
server down and the times are an upper bound; the server CPU per view is not affected by that.
It also reports the server's peak memory. Figures only; it never fails on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.procstat import MemoryWatch, descendants, process_cpu_s, tree_cpu_s  # noqa: E402
from benchmarks.servers import streamlit_server, wait_idle  # noqa: E402
from cthb import paths, store  # noqa: E402
from cthb.indicators import INDICATORS  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

MAP_INDICATORS = [i for i in INDICATORS if i != "COE197_IN_FORCE"]
STATES = ["ALB", "AUT", "DEU", "FRA", "GEO", "KAZ", "MNG", "POL", "RUS", "TUR", "UKR", "USA"]
VIEWS = ("map", "gaps", "profile")
PAGE_TIMEOUT_MS = 120_000
DRAWN_MAP_JS = """() => document.querySelectorAll(
    '[data-testid="stPlotlyChart"] path.choroplethlocation').length > 0"""
SESSION_COOKIE = "cthb_loadtest"  # names the session in a proxy's access log (deploy/)


@dataclass
class Phase:
    view: str
    sessions: int
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: int = 0  # views asked for, finished in the browser or not
    server_cpu: float = 0.0
    browser_cpu: float = 0.0
    wall: float = 0.0
    server_cpu_by_pid: dict[int, float] = field(default_factory=dict)

    @property
    def views(self) -> int:
        return len(self.times)


def pick_date(rng: random.Random) -> date:
    """Mostly the dates people look at (today, the 2007 report, CETS 197 in force)."""
    roll = rng.random()
    if roll < 0.6:
        return date.today()
    if roll < 0.8:
        return date(2007, 11, 13)
    if roll < 0.9:
        return date(2008, 2, 1)
    return date(2000, 12, 12) + timedelta(days=rng.randrange(0, 9000))


def view_url(base: str, view: str, rng: random.Random) -> str:
    lang = "ru" if rng.random() < 0.2 else "en"
    as_of = pick_date(rng)
    if view == "map":
        return f"{base}/?indicator={rng.choice(MAP_INDICATORS)}&as_of={as_of}&lang={lang}"
    if view == "gaps":
        return f"{base}/gaps?as_of={as_of}&lang={lang}"
    return f"{base}/profile?state={rng.choice(STATES)}&as_of={as_of}&lang={lang}"


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


async def open_view(page: Any, url: str, view: str) -> float:
    start = time.monotonic()
    await page.goto(url)
    if view == "map":
        await page.wait_for_function(DRAWN_MAP_JS, timeout=PAGE_TIMEOUT_MS)
        done = time.monotonic() - start  # a drawn map is what the user waits for
        await wait_for_app(page)
        return done
    await wait_for_app(page)
    return time.monotonic() - start


async def user(context: Any, base: str, view: str, seed: int, deadline: float,
               phase: Phase) -> None:
    rng = random.Random(seed)
    page = await context.new_page()
    console: list[str] = []
    # The same console filter as the browser tests: a deep link's probe of /<page>/_stcore/
    # answers 404 before the frontend falls back to the root, which is harmless.
    page.on("console", lambda m: console.append(m.text) if m.type == "error" and "/_stcore/"
            not in (m.location or {}).get("url", "") else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        while time.monotonic() < deadline:
            phase.started += 1
            try:
                seconds = await open_view(page, view_url(base, view, rng), view)
            except Exception as exc:
                phase.errors.append(f"session {seed} {view}: {type(exc).__name__}: "
                                    f"{str(exc)[:160]}")
                continue
            boxes = await page.locator("[data-testid='stException']").all_inner_texts()
            phase.errors += [f"session {seed} {view}: exception: {b[:160]}" for b in boxes]
            phase.errors += [f"session {seed} {view}: console: {m[:160]}" for m in console]
            console.clear()
            phase.times.append(seconds)
    finally:
        await page.close()


def _browser_pids(server_pids: list[int]) -> list[int]:
    """Playwright's driver and the Chromium it launched: this process's descendants, less any
    server this process started."""
    servers = {p for pid in server_pids for p in descendants(pid)}
    return [p for p in descendants(os.getpid()) if p != os.getpid() and p not in servers]


async def run_phases(base: str, sessions: int, duration: float, server_pids: list[int],
                     views: tuple[str, ...] = VIEWS, seed: int = 0,
                     watch: MemoryWatch | None = None,
                     cookie_domain: str = "127.0.0.1") -> list[Phase]:
    """Every view in turn, `sessions` concurrent browser sessions for `duration` seconds each.
    Sessions keep their browser context (cookies, HTTP cache) through the phases."""
    from playwright.async_api import async_playwright

    phases = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = []
            for n in range(sessions):
                ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
                await ctx.add_cookies([{"name": SESSION_COOKIE, "value": f"s{seed}-{n}",
                                        "domain": cookie_domain, "path": "/"}])
                contexts.append(ctx)
            for view in views:
                phase = Phase(view, sessions)
                for pid in server_pids:
                    wait_idle(pid, quiet_s=0.6, timeout=60)
                cpu0 = {pid: tree_cpu_s(pid) for pid in server_pids}
                browser0 = sum(process_cpu_s(p) for p in _browser_pids(server_pids))
                started = time.monotonic()
                deadline = started + duration
                tasks = [asyncio.create_task(user(ctx, base, view, seed * 1000 + n, deadline,
                                                  phase)) for n, ctx in enumerate(contexts)]

                async def sample(tasks: list[asyncio.Task[None]] = tasks) -> None:
                    while not all(t.done() for t in tasks):
                        if watch:
                            watch.sample()
                        await asyncio.sleep(0.5)

                await asyncio.gather(*tasks, sample())
                phase.wall = time.monotonic() - started
                # Views still running at the deadline finish first; their CPU is counted with
                # them. Then wait for the servers to go quiet (the tail of the last views).
                for pid in server_pids:
                    wait_idle(pid, quiet_s=0.6, timeout=60)
                phase.server_cpu_by_pid = {pid: tree_cpu_s(pid) - cpu0[pid]
                                           for pid in server_pids}
                phase.server_cpu = sum(phase.server_cpu_by_pid.values())
                phase.browser_cpu = (sum(process_cpu_s(p) for p in _browser_pids(server_pids))
                                     - browser0)
                phases.append(phase)
            for ctx in contexts:
                await ctx.close()
        finally:
            await browser.close()
    return phases


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(phases: list[Phase], print_fn: Callable[[str], None] = print) -> None:
    # Server CPU is divided by the views asked for (the server answers a view whether or not
    # the browser finishes drawing it in time); browser CPU by the views the browsers finished.
    print_fn(f"  {'sessions':>8} {'view':<8} {'asked':>5} {'done':>5} {'p50 s':>7} "
             f"{'p95 s':>7} {'server CPU-s/view':>18} {'browser CPU-s/view':>19} "
             f"{'errors':>6}")
    for ph in phases:
        print_fn(f"  {ph.sessions:>8} {ph.view:<8} {ph.started:>5} {ph.views:>5} "
                 f"{percentile(ph.times, 50):>7.2f} {percentile(ph.times, 95):>7.2f} "
                 f"{ph.server_cpu / max(ph.started, 1):>18.3f} "
                 f"{ph.browser_cpu / max(ph.views, 1):>19.3f} {len(ph.errors):>6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="1,10,50",
                        help="comma-separated numbers of concurrent sessions (default 1,10,50)")
    parser.add_argument("--duration", type=float, default=45.0,
                        help="seconds per view and number of sessions (default 45)")
    parser.add_argument("--quick", action="store_true", help="3 sessions, 12 s per view (CI)")
    parser.add_argument("--url", help="an app already running (give --server-pid for CPU)")
    parser.add_argument("--server-pid", type=int, action="append", default=[],
                        help="pid of a server process of --url (repeat for replicas)")
    args = parser.parse_args()
    counts = [3] if args.quick else [int(x) for x in args.sessions.split(",")]
    duration = 12.0 if args.quick else args.duration

    results: list[Phase] = []
    watch = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            base, pids = args.url.rstrip("/"), args.server_pid
            results = _run_all(base, counts, duration, pids, None)
        else:
            db = Path(tmp) / "cthb.duckdb"
            store.build(paths.data_dir(), db)
            env = {"CTHB_DB": str(db), "CTHB_EXPORT_CACHE": str(Path(tmp) / "cache")}
            with streamlit_server("serve", env=env) as (base, pid):
                watch = MemoryWatch(pid)
                wait_idle(pid, quiet_s=1.5)
                watch.sample()
                idle_mb = watch.tree_peak_mb
                results = _run_all(base, counts, duration, [pid], watch)
                watch.sample()

    print(f"load test: {', '.join(map(str, counts))} concurrent sessions, {duration:.0f} s per "
          f"view each, {os.cpu_count()} CPUs (browsers and server on this machine), "
          f"{date.today()}")
    report(results)
    if watch:
        print(f"  server memory: idle {idle_mb:.0f} MB, peak RSS of the process tree "
              f"{watch.tree_peak_mb:.0f} MB, VmHWM of the server process "
              f"{watch.main_hwm_mb:.0f} MB")
    errors = [e for ph in results for e in ph.errors]
    print(f"  errors: {len(errors)} (target 0)")
    for err in errors[:20]:
        print(f"    {err}")
    return 0


def _run_all(base: str, counts: list[int], duration: float, pids: list[int],
             watch: MemoryWatch | None) -> list[Phase]:
    out: list[Phase] = []
    for k, n in enumerate(counts):
        out += asyncio.run(run_phases(base, n, duration, pids, seed=k, watch=watch))
        report(out[-len(VIEWS):], lambda line: print(line, flush=True))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
