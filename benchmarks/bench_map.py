"""Map explorer benchmark (issue #8): figure size, server rerun time and first paint in
Chromium, each against its target, plus peak memory.

    .venv/bin/python benchmarks/bench_map.py            # full (about 2 minutes)
    .venv/bin/python benchmarks/bench_map.py --quick    # CI: fewer repetitions

Baseline: benchmarks/minimal_page.py, a Streamlit page showing one precomputed figure (the same
whole-region map). Times are medians of repeated runs on this machine; ratios are what the
targets are about, since absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.servers import minimal_app_dir, streamlit_server  # noqa: E402
from cthb import paths, store  # noqa: E402
from cthb.charts.catalog import ChartParams, load_all  # noqa: E402
from cthb.facts import load_facts  # noqa: E402
from tests.browser_support import (  # noqa: E402
    CHROMIUM_ARGS,
    block_external,
    launch_browser,
    wait_for_app,
)

TARGET_JSON_KB = 400
TARGET_RERUN_RATIO = 1.3
TARGET_PAINT_RATIO = 1.5
FIGURE = ROOT / "build" / "bench" / "map_figure.json"
MAP_QUERY = {"as_of": "2007-11-13", "indicator": "UNTOC", "view": "osce"}
STATE_PATHS = "[data-testid='stPlotlyChart'] path.choroplethlocation"


def _row(name: str, value: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    print(f"{name:<44} {value:>22}   target {target:<12} {verdict}")


def _median_ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def figure_size(reps: int) -> None:
    facts = load_facts(store.connect(paths.db_path()))
    charts = load_all()
    params = ChartParams(as_of=date(2007, 11, 13), indicator="UNTOC", view="osce")
    result = charts["map"].build(facts, params)
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    FIGURE.write_text(result.figure.to_json(), encoding="utf-8")
    worst = 0
    for ind in ("UNTOC", "COE197", "NR", "GAPS"):
        for compare in (None, date(2007, 11, 13)):
            p = ChartParams(as_of=date(2024, 6, 30), indicator=ind, view="osce",
                            compare_to=compare)
            worst = max(worst, len(charts["map"].build(facts, p).figure.to_json()))
    size = FIGURE.stat().st_size / 1024
    _row("map figure JSON, whole region (UNTOC 2007)", f"{size:.0f} KB",
         f"<= {TARGET_JSON_KB} KB", size <= TARGET_JSON_KB)
    _row("  largest of 8 indicator/compare variants", f"{worst / 1024:.0f} KB",
         f"<= {TARGET_JSON_KB} KB", worst / 1024 <= TARGET_JSON_KB)
    tiles = len(charts["tiles"].build(facts, params).figure.to_json()) / 1024
    _row("tile grid figure JSON", f"{tiles:.0f} KB", "-", None)
    build = _median_ms(lambda: charts["map"].build(facts, params), reps)
    _row("build whole-region map (uncached, median)", f"{build:.0f} ms", "-", None)
    tracemalloc.start()
    charts["map"].build(facts, ChartParams(as_of=date(2024, 6, 30), indicator="GAPS",
                                           view="osce", compare_to=date(2007, 11, 13)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _row("peak Python memory of one map build", f"{peak / 2**20:.1f} MiB", "-", None)


def server_rerun(reps: int) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["CTHB_BENCH_FIGURE"] = str(FIGURE)

    def app(script: str, query: dict[str, str]) -> Callable[[], object]:
        at = AppTest.from_file(str(ROOT / script), default_timeout=120)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()  # first run: facts, caches, imports
        assert not at.exception, [e.value for e in at.exception]
        return at.run

    base_run = app("benchmarks/minimal_page.py", {})
    map_run = app("app.py", MAP_QUERY)
    # Interleave the two so that machine noise hits both alike.
    base, page = [], []
    for _ in range(reps):
        base.append(_median_ms(base_run, 1))
        page.append(_median_ms(map_run, 1))
    b, m = statistics.median(base), statistics.median(page)
    _row("server rerun, minimal page (median / min)", f"{b:.0f} / {min(base):.0f} ms", "-",
         None)
    _row("server rerun, map page (median / min)", f"{m:.0f} / {min(page):.0f} ms", "-", None)
    _row("  map page / minimal page", f"{m / b:.2f}x", f"<= {TARGET_RERUN_RATIO}x",
         m / b <= TARGET_RERUN_RATIO)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _row("peak RSS of this process (AppTest runs)", f"{rss:.0f} MiB", "-", None)


def _peak_rss_mib(pid: int) -> float:
    # VmHWM: the process's peak resident set size (Linux).
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def first_paint(reps: int) -> None:
    query = "&".join(f"{k}={v}" for k, v in MAP_QUERY.items())
    results: dict[str, list[float]] = {"minimal": [], "map": []}
    rss: dict[str, float] = {}
    blocked: list[str] = []
    env = {"CTHB_BENCH_FIGURE": str(FIGURE)}
    with streamlit_server(minimal_app_dir(), env) as (base_min, pid_min), \
            streamlit_server("app.py", env) as (base_map, pid_map), launch_browser() as browser:
        urls = {"minimal": (base_min + "/", 1), "map": (base_map + "/?" + query, 56)}
        for i in range(reps + 1):
            for name, (url, n) in urls.items():
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = ctx.new_page()
                block_external(page, blocked)
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_function(
                    "([sel, n]) => document.querySelectorAll(sel).length >= n",
                    arg=[STATE_PATHS, n], timeout=60000)
                elapsed = (time.perf_counter() - t0) * 1000
                if i:  # the first round warms the servers' caches
                    results[name].append(elapsed)
                wait_for_app(page)
                ctx.close()
        rss = {"minimal": _peak_rss_mib(pid_min), "map": _peak_rss_mib(pid_map)}
    b, m = statistics.median(results["minimal"]), statistics.median(results["map"])
    _row("first map visible in Chromium, minimal (med/min)",
         f"{b:.0f} / {min(results['minimal']):.0f} ms", "-", None)
    _row("first map visible in Chromium, map page (med/min)",
         f"{m:.0f} / {min(results['map']):.0f} ms", "-", None)
    _row("  map page / minimal page", f"{m / b:.2f}x", f"<= {TARGET_PAINT_RATIO}x",
         m / b <= TARGET_PAINT_RATIO)
    _row("peak RSS, streamlit server: minimal page", f"{rss['minimal']:.0f} MiB", "-", None)
    _row("peak RSS, streamlit server: map app", f"{rss['map']:.0f} MiB", "-", None)
    external = sorted(set(blocked))
    _row("requests leaving 127.0.0.1 (blocked)", str(len(external)), "0", not external)
    for url in external:
        print(f"    {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI)")
    args = parser.parse_args()
    reps_cpu, reps_rerun, reps_browser = (3, 5, 2) if args.quick else (10, 20, 6)
    print(f"cthb map benchmark ({'quick' if args.quick else 'full'}), chromium args "
          f"{' '.join(CHROMIUM_ARGS[:2])} ...")
    figure_size(reps_cpu)
    server_rerun(reps_rerun)
    first_paint(reps_browser)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
