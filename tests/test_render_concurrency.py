"""One picture renderer for the whole process: pictures rendered from many threads at once (as
parallel Streamlit sessions do) are pixel for pixel the pictures rendered one after another,
a visit brief made while other sessions export maps shows its own State, and a cache entry
never holds another key's picture."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation

from cthb import paths
from cthb.charts.catalog import CHARTS, ChartParams, load_all
from cthb.export import brief, images
from cthb.facts import Facts

ON = date(2026, 1, 1)
BRIEF_STATES = ("KAZ", "FRA", "USA", "MNG")
# Three map exports that differ from each other and from every brief picture.
MAPS = (("map", ChartParams(as_of=ON, indicator="UNTOC", view="osce")),
        ("map", ChartParams(as_of=date(2007, 11, 13), indicator="COE197", view="europe")),
        ("tiles", ChartParams(as_of=ON, indicator="NRM")))
ROUNDS = 3


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    return img.size, img.tobytes()


def _map_png(facts: Facts, k: int, cache: images.ExportCache) -> bytes:
    chart_id, params = MAPS[k]
    load_all()
    result = CHARTS[chart_id].build(facts, params)
    return images.export_chart(result, "png", chart_id=chart_id, params=params,
                               data_version=facts.data_version, cache=cache)


def _brief_pngs(facts: Facts, iso3: str) -> list[bytes]:
    return [png for png, _ in brief.chart_images(facts, iso3, ON, "en")]


def _map_pngs(facts: Facts, k: int, cache: images.ExportCache) -> list[bytes]:
    return [_map_png(facts, k, cache)]


def _jobs(facts: Facts, cache: images.ExportCache) -> dict[str, Callable[[], list[bytes]]]:
    """Name -> a job that renders its pictures: 4 briefs x 2 pictures + 3 maps = 11."""
    jobs: dict[str, Callable[[], list[bytes]]] = {}
    for iso3 in BRIEF_STATES:
        jobs[f"brief-{iso3}"] = functools.partial(_brief_pngs, facts, iso3)
    for k in range(len(MAPS)):
        jobs[f"map-{k}"] = functools.partial(_map_pngs, facts, k, cache)
    return jobs


@pytest.fixture(scope="module")
def serial(facts: Facts, export_server: None,  # noqa: ARG001 - its side effect: the renderer
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    """Every picture rendered one after another: the reference."""
    cache = images.ExportCache(tmp_path_factory.mktemp("serial-cache"))
    return {name: job() for name, job in _jobs(facts, cache).items()}


def test_parallel_renders_equal_serial_renders(facts: Facts, serial: dict[str, list[bytes]],
                                               tmp_path: Path) -> None:
    assert sum(len(v) for v in serial.values()) >= 11
    assert len({pixels(p) for v in serial.values() for p in v}) == 11, "pictures must differ"
    mismatches: list[str] = []
    for r in range(ROUNDS):
        # A fresh cache each round, so every map is rendered again, not read back.
        jobs = _jobs(facts, images.ExportCache(tmp_path / f"round-{r}"))
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            futures = {name: pool.submit(job) for name, job in jobs.items()}
            got = {name: f.result() for name, f in futures.items()}
        for name, pictures in got.items():
            for i, (a, b) in enumerate(zip(pictures, serial[name], strict=True)):
                if pixels(a) != pixels(b):
                    mismatches.append(f"round {r}: {name} picture {i}")
    assert mismatches == []


def _pptx_pictures(data: bytes) -> list[bytes]:
    prs = Presentation(io.BytesIO(data))
    return [shape.image.blob for slide in prs.slides for shape in slide.shapes
            if shape.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE


def test_brief_made_during_map_exports_shows_its_own_state(
        facts: Facts, serial: dict[str, list[bytes]], tmp_path: Path) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def export_maps(k: int) -> None:
        cache_dir = tmp_path / f"maps-{k}"
        n = 0
        while not stop.is_set():
            try:  # a fresh cache each time: every export is a real render
                _map_png(facts, k, images.ExportCache(cache_dir / str(n)))
            except BaseException as exc:
                errors.append(exc)
                return
            n += 1

    workers = [threading.Thread(target=export_maps, args=(k,)) for k in range(len(MAPS))]
    for w in workers:
        w.start()
    try:
        decks = {iso3: brief.brief_pptx(facts, iso3, ON, "en") for iso3 in ("KAZ", "USA")}
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert errors == []
    for iso3, deck in decks.items():
        timeline, locator = serial[f"brief-{iso3}"]
        # The summary slide carries the locator map, the timeline slide the timeline.
        assert [pixels(p) for p in _pptx_pictures(deck)] == [pixels(locator), pixels(timeline)]


def test_every_cache_entry_holds_its_own_picture(facts: Facts,
                                                 serial: dict[str, list[bytes]],
                                                 tmp_path: Path) -> None:
    """Sessions exporting maps while briefs render: afterwards each cached file is exactly
    the serial picture of its key."""
    cache = images.ExportCache(tmp_path / "shared")
    jobs = _jobs(facts, cache)
    with ThreadPoolExecutor(max_workers=len(jobs) * 2) as pool:
        for f in [pool.submit(job) for job in [*jobs.values(), *jobs.values()]]:
            f.result()
    cache.clear_memory()  # read the disk entries, not the memory copies
    for k in range(len(MAPS)):
        assert pixels(_map_png(facts, k, cache)) == pixels(serial[f"map-{k}"][0]), MAPS[k]


def test_a_cache_file_under_another_key_is_never_served(tmp_path: Path) -> None:
    cache = images.ExportCache(tmp_path / "c")
    key_a, key_b = "a" * 64, "b" * 64
    cache.put(key_a, "png", b"picture of A")
    # Whatever puts A's file where B's belongs (a bug, a copy, a half-done write elsewhere),
    # the entry says whose picture it is, and B's lookup refuses it.
    file_a = next(p for p in (tmp_path / "c").rglob("*") if p.is_file()
                  and key_a in p.name)
    target = tmp_path / "c" / key_b[:2] / file_a.name.replace(key_a, key_b)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(file_a.read_bytes())
    cache.clear_memory()
    assert cache.get(key_a, "png") == b"picture of A"
    assert cache.get(key_b, "png") is None
    # A torn file (cut short) is not served either.
    file_a.write_bytes(file_a.read_bytes()[:-3])
    cache.clear_memory()
    assert cache.get(key_a, "png") is None


def test_concurrent_puts_and_gets_never_see_half_a_file(tmp_path: Path) -> None:
    cache = images.ExportCache(tmp_path / "c")
    keys = [f"{i:064x}" for i in range(8)]
    blobs = {k: (k.encode() * 20_000) for k in keys}
    seen: list[str] = []

    def worker(n: int) -> None:
        local = images.ExportCache(tmp_path / "c")  # another session, same folder
        for i in range(40):
            k = keys[(n + i) % len(keys)]
            local.put(k, "png", blobs[k])
            local.clear_memory()
            got = local.get(k, "png")
            if got is not None and got != blobs[k]:
                seen.append(k)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == []
    cache.clear_memory()
    assert all(cache.get(k, "png") == blobs[k] for k in keys)


@pytest.mark.usefixtures("export_server")
def test_static_images_never_use_fig_to_image(facts: Facts,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The brief renders through the one renderer, not plotly's own kaleido call (which
    bypasses its lock and reads the process-wide topojson default)."""
    def refuse(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("fig.to_image called outside the renderer")

    monkeypatch.setattr(go.Figure, "to_image", refuse)
    pictures = brief.chart_images(facts, "KAZ", ON, "en")
    assert len(pictures) == 2 and all(p.startswith(b"\x89PNG") for p, _ in pictures)


def test_no_process_wide_topojson_default() -> None:
    """Importing and using the chart, brief and export modules leaves plotly's process-wide
    topojson setting alone: the local base map is passed with every render instead."""
    code = (
        "import plotly.io as pio\n"
        "before = pio.defaults.topojson\n"
        "import cthb.charts.map, cthb.charts.profile_timeline, cthb.export.brief\n"
        "import cthb.export.images, cthb.export.deck\n"
        "print(repr(before), repr(pio.defaults.topojson))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.PROJECT_ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1]
    assert "file://" not in out[1]
