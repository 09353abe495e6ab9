"""Server CPU per view (issue #16): map, gaps, profile and the visit brief, cold and warm,
read from /proc of the Streamlit server and its children (kaleido's Chromium included), against
the floor: a minimal page that only shows one precomputed map (benchmarks/minimal_page.py).

    .venv/bin/python benchmarks/bench_views.py            # 6 warm sessions per view
    .venv/bin/python benchmarks/bench_views.py --quick    # CI: 1 warm session per view

Each view is opened in a new browser context (a new Streamlit session with an empty HTTP
cache, like a new visitor); its CPU is the server tree's CPU from the navigation until the
page has finished and the server is idle again. "cold" is the first session of that view in
the process (the app is started as deployed, `python -m cthb serve`, warmed for today's default
views), "warm" the median over later, different sessions of the same view. Both the floor and
the app are measured twice: directly (each serves Streamlit's 7-10 MB static bundle to every
new browser itself) and behind nginx as in deploy/ (nginx serves the bundle; skipped if nginx is
not installed). The brief is the profile page's PDF and PPTX downloads for one State (cold: the
first in the process, Chromium starting; warm: other States, nothing cached). The browser runs
on the same machine but is not counted: only the server's processes are read.

Targets: a second session's map or profile view <= 1.1x the floor, gaps <= 1.5x the floor, a
brief (PDF + PPTX) <= 1 CPU-second warm. Figures are printed, never judged by CI.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.procstat import tree_rss_mb  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    minimal_app_dir,
    nginx_available,
    nginx_in_front,
    streamlit_server,
    wait_idle,
)
from cthb import paths, store  # noqa: E402
from tests.browser_support import block_external, launch_browser, wait_for_app  # noqa: E402

TARGET_MAP_PROFILE = 1.1  # x floor, second session
TARGET_GAPS = 1.5  # x floor, second session
TARGET_BRIEF_S = 1.0  # CPU-s, warm renderer, PDF + PPTX
DRAWN_MAP = "[data-testid='stPlotlyChart'] path.choroplethlocation"
VIEWS = {"map": "/", "gaps": "/gaps", "profile": "/profile?state=KAZ"}
BRIEF_STATES = ["KAZ", "ALB", "DEU", "GEO", "MNG", "POL", "TUR", "UKR", "USA", "FRA"]


def floor_figure(db: Path, folder: Path) -> Path:
    from cthb.charts.catalog import ChartParams, load_all
    from cthb.facts import load_facts

    con = store.connect(db)
    try:
        facts = load_facts(con)
    finally:
        con.close()
    result = load_all()["map"].build(facts, ChartParams(as_of=date.today(), indicator="UNTOC",
                                                        view="osce"))
    path = folder / "floor_figure.json"
    path.write_text(result.figure.to_json(), encoding="utf-8")
    return path


def open_view(browser: Any, base: str, path: str, blocked: list[str],
              then: Callable[[Any], None] | None = None) -> Any:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    block_external(page, blocked)
    page.goto(base + path)
    if path.split("?")[0] in ("/", ""):
        page.wait_for_function("(sel) => document.querySelectorAll(sel).length > 0",
                               arg=DRAWN_MAP, timeout=90000)
    wait_for_app(page, timeout_ms=90000)
    if then is not None:
        then(page)
    return ctx


def measured(pid: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """Server CPU seconds spent from the start of `action` until the server is idle again."""
    before = wait_idle(pid)
    value = action()
    after = wait_idle(pid)
    return after - before, value


def download_brief(page: Any) -> None:
    """Prepare (older UI: a button first) and download the PDF and the PPTX brief."""
    prepare = page.locator(".st-key-prepare_brief button")
    if prepare.count():
        prepare.first.click()
        page.locator(".st-key-brief_pdf button").first.wait_for(timeout=120000)
    for key in ("brief_pdf", "brief_pptx"):
        with page.expect_download(timeout=120000) as dl:
            page.locator(f".st-key-{key} button").first.click()
        if not dl.value.path() or Path(dl.value.path()).stat().st_size < 1000:
            raise RuntimeError(f"{key}: empty download")


def row(name: str, value: str, target: str = "-", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    print(f"{name:<46} {value:>16}   target {target:<14} {verdict}", flush=True)


def sessions(browser: Any, base: str, pid: int, path: str, n: int,
             blocked: list[str]) -> list[float]:
    """Server CPU of `n` new sessions (new browser contexts) of one page, one after another."""
    runs = []
    for _ in range(n):
        cpu, ctx = measured(pid, lambda: open_view(browser, base, path, blocked))
        ctx.close()
        runs.append(cpu)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 warm session per view (CI)")
    parser.add_argument("--warm", type=int, default=6, help="warm sessions per view")
    args = parser.parse_args()
    warm_n = 1 if args.quick else args.warm
    blocked: list[str] = []
    floor: dict[str, float] = {}
    views: dict[str, dict[str, float]] = {}
    cold: dict[str, float] = {}
    modes = ["direct"] + (["nginx"] if nginx_available() else [])
    with tempfile.TemporaryDirectory() as tmp, launch_browser() as browser, \
            contextlib.ExitStack() as stack:
        db = Path(tmp) / "cthb.duckdb"
        store.build(paths.data_dir(), db)
        # Floor: a page that shows one precomputed map (today's default) and nothing else.
        figure = floor_figure(db, Path(tmp))
        fbase, fpid = stack.enter_context(streamlit_server(
            minimal_app_dir(), env={"CTHB_BENCH_FIGURE": str(figure)}))
        started = time.monotonic()
        abase, apid = stack.enter_context(streamlit_server(
            "serve", env={"CTHB_DB": str(db), "CTHB_EXPORT_CACHE": str(Path(tmp) / "cache")}))
        startup_cpu = wait_idle(apid, quiet_s=1.5)
        startup_wall = time.monotonic() - started
        startup_rss = tree_rss_mb(apid)
        bases = {"direct": (fbase, abase)}
        if "nginx" in modes:
            bases["nginx"] = (
                stack.enter_context(nginx_in_front([fbase.removeprefix("http://")],
                                                   Path(tmp) / "nginx-floor")),
                stack.enter_context(nginx_in_front([abase.removeprefix("http://")],
                                                   Path(tmp) / "nginx-app")))
        for mode in modes:
            floor_base, app_base = bases[mode]
            runs = sessions(browser, floor_base, fpid, "/", warm_n + 1, blocked)
            floor[mode] = statistics.median(runs[1:])  # the first fills the page's cache
            for view, path in VIEWS.items():
                runs = sessions(browser, app_base, apid, path, warm_n + 1, blocked)
                cold.setdefault(view, runs[0])  # the first session of it in the process
                views[f"{mode}/{view}"] = {"warm": statistics.median(runs[1:])}
                print(f"  {mode} {view}: {[round(r, 3) for r in runs]} (floor "
                      f"{floor[mode]:.3f})", flush=True)
        briefs = []
        for iso3 in BRIEF_STATES[: warm_n + 1]:
            ctx = open_view(browser, abase, f"/profile?state={iso3}", blocked)
            cpu, _ = measured(apid, lambda c=ctx: download_brief(c.pages[0]))
            ctx.close()
            briefs.append(cpu)
        end_rss = tree_rss_mb(apid)

    print(f"server CPU per view ({'quick' if args.quick else 'full'}: {warm_n} new sessions "
          "per view after the first), CPU-seconds of the server process tree from /proc; "
          "each session a new browser (empty HTTP cache)")
    row("app start until idle (warm-up included)", f"{startup_cpu:.2f} s",
        f"({startup_wall:.0f} s wall, {startup_rss:.0f} MB)")
    for view in VIEWS:
        row(f"{view}: first session in the process (cold)", f"{cold[view]:.3f} s")
    for mode in modes:
        how = ("app serves its static bundle itself" if mode == "direct"
               else "behind nginx, which serves the static bundle (as deployed)")
        print(f"-- {mode}: {how}")
        row("floor: minimal page, new session (median)", f"{floor[mode]:.3f} s")
        for view in VIEWS:
            warm = views[f"{mode}/{view}"]["warm"]
            limit = TARGET_GAPS if view == "gaps" else TARGET_MAP_PROFILE
            row(f"{view}: another new session (warm, median)", f"{warm:.3f} s")
            row(f"  {view} / floor", f"{warm / floor[mode]:.2f}x", f"<= {limit}x",
                warm / floor[mode] <= limit)
    if "nginx" not in modes:
        print("-- nginx: not installed here, so not measured behind it")
    row("brief PDF+PPTX: first in process (cold)", f"{briefs[0]:.2f} s")
    row("brief PDF+PPTX: other States (warm, median)",
        f"{statistics.median(briefs[1:]):.2f} s", f"<= {TARGET_BRIEF_S} s",
        statistics.median(briefs[1:]) <= TARGET_BRIEF_S)
    row("server tree RSS after the run", f"{end_rss:.0f} MB")
    row("requests leaving 127.0.0.1 (blocked)", str(len(set(blocked))), "0", not blocked)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
