"""Streamlit's full garbage collection after every script run (`runner.postScriptGC`), on and
off: server CPU per cached rerun and per new session, and whether memory stays flat.

    .venv/bin/python benchmarks/bench_gc.py            # 40 reruns, 12 sessions per setting
    .venv/bin/python benchmarks/bench_gc.py --quick    # 6 reruns, 2 sessions (CI)

For each setting, one app process (`python -m cthb serve`, its default views warmed) serves:
a session that switches the map between two dates (the preset buttons) again and again, every
switch a rerun whose views are cached; then new sessions opening the map. CPU is the server
tree's (/proc); memory is the server process's resident set (VmRSS) after every tenth rerun and
after the sessions. Python's own generational collector keeps running either way: the setting
only removes the extra full collection Streamlit forces after each run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.procstat import status_kb  # noqa: E402
from benchmarks.servers import streamlit_server, wait_idle  # noqa: E402
from cthb import paths, store  # noqa: E402
from cthb.i18n import t  # noqa: E402
from tests.browser_support import launch_browser, wait_for_app  # noqa: E402

DRAWN_MAP = "[data-testid='stPlotlyChart'] path.choroplethlocation"


def open_map(browser: Any, base: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(base + "/")
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length > 0", arg=DRAWN_MAP,
                           timeout=90000)
    wait_for_app(page, timeout_ms=90000)
    return ctx


def run_setting(browser: Any, db: Path, gc_on: bool, reruns: int,
                sessions: int) -> dict[str, Any]:
    env = {"CTHB_DB": str(db), "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if gc_on else "false"}
    out: dict[str, Any] = {"rerun_cpu": [], "session_cpu": [], "rss": []}
    with streamlit_server("serve", env=env) as (base, pid):
        wait_idle(pid, quiet_s=1.5)
        ctx = open_map(browser, base)
        page = ctx.pages[0]
        # Warm both dates once, so every measured rerun is a cached one.
        labels = [t("app.preset_report", "en"), t("app.preset_today", "en")]
        for label in labels:
            page.get_by_role("button", name=label).click()
            wait_for_app(page)
        out["rss"].append(status_kb(pid, "VmRSS") / 1024)
        for i in range(reruns):
            before = wait_idle(pid)
            page.get_by_role("button", name=labels[i % 2]).click()
            wait_for_app(page)
            out["rerun_cpu"].append(wait_idle(pid) - before)
            if (i + 1) % 10 == 0 or i + 1 == reruns:
                out["rss"].append(status_kb(pid, "VmRSS") / 1024)
        ctx.close()
        for _ in range(sessions):
            before = wait_idle(pid)
            open_map(browser, base).close()
            out["session_cpu"].append(wait_idle(pid) - before)
        out["rss"].append(status_kb(pid, "VmRSS") / 1024)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="6 reruns, 2 sessions (CI)")
    parser.add_argument("--reruns", type=int, default=40)
    parser.add_argument("--sessions", type=int, default=12)
    args = parser.parse_args()
    reruns, sessions = (6, 2) if args.quick else (args.reruns, args.sessions)
    results = {}
    with tempfile.TemporaryDirectory() as tmp, launch_browser() as browser:
        db = Path(tmp) / "cthb.duckdb"
        store.build(paths.data_dir(), db)
        for gc_on in (True, False):
            results[gc_on] = run_setting(browser, db, gc_on, reruns, sessions)
    print(f"runner.postScriptGC: {reruns} cached reruns of the map (date presets) and "
          f"{sessions} new map sessions per setting, server CPU from /proc ({date.today()})")
    for gc_on, r in results.items():
        name = f"postScriptGC = {'true ' if gc_on else 'false'}"
        print(f"  {name}  cached rerun median {statistics.median(r['rerun_cpu']):.3f} CPU-s "
              f"(min {min(r['rerun_cpu']):.2f}, max {max(r['rerun_cpu']):.2f}); new session "
              f"median {statistics.median(r['session_cpu']):.3f} CPU-s")
        rss = r["rss"]
        print(f"  {'':<20}  server RSS (MB) at start, every 10 reruns and at their end, "
              "after the sessions: "
              + " ".join(f"{x:.0f}" for x in rss)
              + f"  (growth over the reruns {rss[-2] - rss[0]:+.0f} MB)")
    on, off = results[True], results[False]
    drop = 1 - statistics.median(off["rerun_cpu"]) / statistics.median(on["rerun_cpu"])
    print(f"  switching it off saves {drop:.0%} of a cached rerun's server CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
