"""Reliability under load and hostile input, as figures against targets (issue #13):

1. Concurrent static exports: visit-brief pictures of several States and map exports rendered
   from parallel threads (as parallel Streamlit sessions do), compared pixel for pixel with
   the same pictures rendered one after another. Target: 0 mismatches.
2. Hostile import files (workbook bombs, far-away cells, an endless device): time to the
   refusal and peak memory of the `cthb import --dry-run` process. Targets: refused in under
   2 s, worst peak under 300 MB.
3. Imports under contention: two processes with their own databases importing into one data/
   at the same time, against one process alone. Target: 0 lost imports; the time is reported.

    .venv/bin/python benchmarks/bench_reliability.py [--quick]

Figures are printed, never judged (run_all.py fails only on a crash).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cthb import current, store  # noqa: E402
from tests import hostile_files as hostile  # noqa: E402

ON = date(2026, 1, 1)
MEMORY_TARGET_MB = 300
TIME_TARGET_S = 2.0


def _pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGBA")
    return img.size, img.tobytes()


def concurrent_exports(states: tuple[str, ...], rounds: int) -> None:
    from cthb import paths
    from cthb.charts.catalog import CHARTS, ChartParams, load_all
    from cthb.export import brief, images
    from cthb.facts import load_facts

    ok, reason = images.export_available()
    if not ok:
        print(f"1. concurrent exports: skipped ({reason})")
        return
    con = store.connect(current.ensure_current(paths.data_dir(), paths.db_path()))
    try:
        facts = load_facts(con)
    finally:
        con.close()
    load_all()
    maps = (("map", ChartParams(as_of=ON, indicator="UNTOC", view="osce")),
            ("map", ChartParams(as_of=date(2007, 11, 13), indicator="COE197", view="europe")),
            ("tiles", ChartParams(as_of=ON, indicator="NRM")))

    def jobs(cache_dir: Path) -> dict[str, object]:
        out: dict[str, object] = {}
        for iso3 in states:
            out[f"brief-{iso3}"] = lambda iso3=iso3: [
                p for p, _ in brief.chart_images(facts, iso3, ON, "en")]
        for k, (chart_id, params) in enumerate(maps):
            def render(chart_id: str = chart_id, params: ChartParams = params,
                       k: int = k) -> list[bytes]:
                result = CHARTS[chart_id].build(facts, params)
                cache = images.ExportCache(cache_dir / str(k))
                return [images.export_chart(result, "png", chart_id=chart_id, params=params,
                                            cache=cache)]
            out[f"map-{k}"] = render
        return out

    with tempfile.TemporaryDirectory(prefix="cthb-bench-rel-") as tmp:
        images.start_server()
        started = time.perf_counter()
        serial = {name: job() for name, job in jobs(Path(tmp) / "serial").items()}  # type: ignore[operator]
        serial_s = time.perf_counter() - started
        pictures = sum(len(v) for v in serial.values())
        mismatches, times = 0, []
        for r in range(rounds):
            todo = jobs(Path(tmp) / f"round-{r}")
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(todo)) as pool:
                futures = {name: pool.submit(job) for name, job in todo.items()}  # type: ignore[arg-type]
                got = {name: f.result() for name, f in futures.items()}
            times.append(time.perf_counter() - started)
            for name, pics in got.items():
                mismatches += sum(_pixels(a) != _pixels(b)
                                  for a, b in zip(pics, serial[name], strict=True))
    print(f"1. concurrent exports: {pictures} different pictures ({len(states)} briefs x 2 + "
          f"{len(maps)} maps) x {rounds} rounds from {len(serial)} threads: "
          f"{mismatches} mismatches with the serial renders (target 0); serial "
          f"{serial_s:.1f} s, parallel round {statistics.median(times):.1f} s median")


def _env(data: Path, db: Path) -> dict[str, str]:
    return {**os.environ, "CTHB_DATA_DIR": str(data), "CTHB_DB": str(db),
            "PYTHONPATH": str(ROOT)}


def hostile_imports(quick: bool, data: Path, tmp: Path) -> None:
    files: dict[str, Path] = {}
    makers = {
        "expansion bomb (1 MB -> 400 MB of XML)": lambda: hostile.expansion_bomb(400),
        "expansion bomb (2.6 MB -> 1 GB of XML)": lambda: hostile.expansion_bomb(1024),
        "cell at XFD1048576": hostile.far_row_bomb,
        "declared A1:XFD1048576": hostile.dimension_bomb,
        "row 16 384 columns wide": hostile.wide_row_bomb,
        "500 sheets": hostile.many_sheets,
        "2 M-character cell": hostile.long_cell,
        "entity bomb (DTD)": hostile.entity_bomb,
    }
    if quick:
        makers.pop("expansion bomb (2.6 MB -> 1 GB of XML)")
    for n, (name, make) in enumerate(makers.items()):
        path = tmp / f"hostile-{n}.xlsx"
        path.write_bytes(make())
        files[name] = path
    files["/dev/zero (endless device)"] = Path("/dev/zero")
    good = tmp / "good.csv"
    good.write_text("engagement_id,kind,title,start_date,source_id\n"
                    "bench-1,visit,A visit,2024-03,sr2007-s52\n")
    files["a valid one-row import (baseline)"] = good
    print("2. hostile imports (`cthb import FILE --dry-run` in its own process under a 2 GB "
          "address limit: wall time, the reader's own time, peak memory):")
    worst_mb, worst_s, worst_reader = 0.0, 0.0, 0.0
    for name, path in files.items():
        run = hostile.measure(["cthb", "import", str(path), "--dry-run"],
                              _env(data, tmp / "cthb.duckdb"), ROOT, timeout=120)
        lines = run.stderr.splitlines()
        if len(lines) > 1:
            answer = lines[1].lstrip("- ")
        elif run.returncode == 0:
            answer = "accepted"
        else:
            answer = lines[0] if lines else f"exit {run.returncode}"
        size = path.stat().st_size if path.is_file() else 0
        # The reader alone, in this process (the process time above includes starting Python).
        from cthb.importer import read_import

        started = time.perf_counter()
        read_import(path)
        reader_ms = (time.perf_counter() - started) * 1000
        print(f"   {name:<40} {size / 1024:8.0f} kB  {run.seconds:5.2f} s  "
              f"(reader {reader_ms:5.0f} ms)  {run.peak_mb:5.0f} MB  exit {run.returncode}: "
              f"{answer[:100]}")
        if "baseline" not in name:
            worst_mb, worst_s = max(worst_mb, run.peak_mb), max(worst_s, run.seconds)
            worst_reader = max(worst_reader, reader_ms)
    print(f"   worst: {worst_s:.2f} s for the whole command, {worst_reader:.0f} ms for the reader "
          f"(target < {TIME_TARGET_S:.0f} s), peak {worst_mb:.0f} MB (target < "
          f"{MEMORY_TARGET_MB} MB; starting Python with the importer is most of it, see the "
          "valid import)")


DRIVER = r"""
import sys, time
from pathlib import Path
from cthb.cli import main
tag, count, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
for i in range(count):
    f = folder / f"{tag}-{i}.csv"
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 f"bench-{tag}-{i},visit,Bench {tag} {i},2024-03,sr2007-s52\n")
    started = time.perf_counter()
    code = main(["import", str(f), "--table", "engagements"])
    print("T", code, time.perf_counter() - started, flush=True)
"""


def _import_run(data: Path, tmp: Path, tags: tuple[str, ...], count: int) -> tuple[list[float],
                                                                                     float]:
    procs = []
    for tag in tags:
        db = tmp / f"db-{tag}" / "cthb.duckdb"
        store.build(data, db)
        procs.append(subprocess.Popen([sys.executable, "-c", DRIVER, tag, str(count), str(tmp)],
                                      cwd=ROOT, env=_env(data, db), stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True))
    started = time.perf_counter()
    times = []
    for proc in procs:
        out, _ = proc.communicate(timeout=900)
        times += [float(line.split()[2]) for line in out.splitlines() if line.startswith("T 0 ")]
    return times, time.perf_counter() - started


def imports_under_contention(quick: bool, tmp: Path) -> None:
    from cthb.paths import PROJECT_ROOT

    count = 3 if quick else 8
    alone_data = tmp / "alone" / "data"
    shutil.copytree(PROJECT_ROOT / "data", alone_data)
    alone, alone_wall = _import_run(alone_data, tmp / "alone", ("solo",), count)
    shared_data = tmp / "shared" / "data"
    shutil.copytree(PROJECT_ROOT / "data", shared_data)
    shared, shared_wall = _import_run(shared_data, tmp / "shared", ("a", "b"), count)
    text = (shared_data / "engagements.csv").read_text(encoding="utf-8")
    lost = sum(f"\nbench-{tag}-{i}," not in text for tag in ("a", "b") for i in range(count))
    failed = 2 * count - len(shared)
    print(f"3. imports under contention: {count} imports alone: "
          f"{statistics.median(alone):.2f} s median each ({alone_wall:.1f} s wall); "
          f"2 processes x {count} imports into one data/ (own databases): "
          f"{statistics.median(shared):.2f} s median, {max(shared):.2f} s max each "
          f"({shared_wall:.1f} s wall); {failed} failed, {lost} lost (target 0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer States, rounds and bombs")
    args = parser.parse_args()
    states = ("KAZ", "FRA") if args.quick else ("KAZ", "FRA", "USA", "MNG")
    concurrent_exports(states, rounds=3)
    with tempfile.TemporaryDirectory(prefix="cthb-bench-rel-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        shutil.copytree(ROOT / "data", data)
        hostile_imports(args.quick, data, tmp)
        imports_under_contention(args.quick, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
