"""Export speed: PNG of the whole-region map, cold (Chromium starting) and warm, and a 5-slide
deck; with output sizes and peak memory. Targets: warm map PNG <= 2 s, 5-slide deck <= 10 s.

    .venv/bin/python benchmarks/bench_export.py [--quick]

Caches are bypassed (a fresh temporary cache per measurement) so every figure is rendered.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cthb.charts import catalog
from cthb.charts.catalog import ChartParams
from cthb.export import deck, images
from cthb.facts import current_facts

AS_OF = date(2007, 11, 13)


def fresh_cache() -> images.ExportCache:
    return images.ExportCache(Path(tempfile.mkdtemp(prefix="cthb-bench-")))


def chromium_rss_mb() -> float:
    """RSS of this process's descendants (kaleido's Chromium), from /proc (Linux only)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    me, total = os.getpid(), 0
    for pid in rss:
        p = pid
        while p in parents and p not in (0, 1):
            p = parents[p]
            if p == me:
                total += rss[pid]
                break
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    ok, reason = images.export_available()
    if not ok:
        print(f"skipped: {reason}")
        return 0
    facts = current_facts()
    charts = catalog.load_all()
    result = charts["map"].build(facts, ChartParams(as_of=AS_OF, indicator="UNTOC",
                                                    view="osce"))
    images.stop_server()
    t0 = time.perf_counter()
    png = images.export_chart(result, "png", cache=fresh_cache())
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        images.export_chart(result, "png", cache=fresh_cache())
        warm.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    images.export_chart(result, "png")  # default cache: first fill, then a hit
    cache = images.default_cache()
    t0 = time.perf_counter()
    images.export_chart(result, "png", cache=cache)
    cached = time.perf_counter() - t0
    sizes = {fmt: len(images.export_chart(result, fmt, cache=fresh_cache()))
             for fmt in images.FORMATS}

    items, _ = deck.resolve_items(deck.preset_items("treaty-overview"))
    deck_times = []
    pptx = b""
    for _ in range(max(1, repeats // 2)):
        t0 = time.perf_counter()
        slides = deck.build_slides(facts, items, AS_OF, "en")
        pptx = deck.build_deck(facts, slides, AS_OF, "en", cache=fresh_cache())
        deck_times.append(time.perf_counter() - t0)
    browser_rss = chromium_rss_mb()

    print(f"map PNG (whole region, {images.EXPORT_WIDTH}x{images.EXPORT_HEIGHT} x "
          f"{images.PNG_SCALE}): cold {cold:.2f} s (Chromium start + render), "
          f"warm median {statistics.median(warm):.2f} s (min {min(warm):.2f}, "
          f"max {max(warm):.2f}; target <= 2 s), cached {cached * 1000:.0f} ms")
    print("map sizes: " + ", ".join(f"{fmt} {n / 1024:.0f} kB" for fmt, n in sizes.items())
          + f" (PNG {len(png) / 1024:.0f} kB)")
    print(f"deck of {len(items)} chart slides (treaty overview, warm Chromium, no cache): "
          f"median {statistics.median(deck_times):.2f} s (target <= 10 s), "
          f"{len(pptx) / 1024:.0f} kB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: Python process {peak:.0f} MB (max RSS); Chromium processes now "
          f"{browser_rss:.0f} MB RSS")
    images.stop_server()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
