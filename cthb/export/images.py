"""Charts as files for slides and reports: PNG, SVG and PDF rendered server-side by kaleido in
Debian's Chromium, and self-contained HTML that opens offline.

Every export uses the same 16:9 page (EXPORT_WIDTH x EXPORT_HEIGHT, white background), so the
title, subtitle and source line that `frame_figure` put inside the figure land in the file.
PNGs are rendered at PNG_SCALE (2400x1350): crisp on a full-HD projector and on a 4K one.

Every static picture of the project (these exports, the slide deck, the visit brief, the
command line) goes through `render_image`: one renderer per process, serialised, with the local
base map passed with each call. Speed: starting Chromium costs about 2 s, a render in a warm
browser 0.3-0.5 s. The renderer (one Chromium per process) is started on the first export and
reused until the process exits; results are cached in memory and on disk (ExportCache), so a
second click on the same chart is instant, even in another session or after a restart.

Nothing here imports streamlit; `cthb.webapp.show_chart` and the deck builder call in.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from cthb import paths
from cthb.charts.catalog import ChartParams, ChartResult
from cthb.charts.style import EXPORT_HEIGHT, EXPORT_WIDTH

IMAGE_FORMATS = ("png", "svg", "pdf")
FORMATS = (*IMAGE_FORMATS, "html")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
}
PNG_SCALE = 1.5  # 1600x900 -> 2400x1350 pixels
# Bump when the export pipeline changes what it produces, so old cache entries are not served.
EXPORT_VERSION = "2"  # 2: cache files carry their key and a checksum
RENDER_TIMEOUT_S = 90.0
START_TIMEOUT_S = 60.0
TOPOJSON_URL = "file://" + str(paths.TOPOJSON_DIR) + "/"
NO_CHROMIUM = ("PNG/SVG/PDF export needs Chromium, which was not found on this server: "
               "install Debian's chromium package (apt-get install chromium) or set "
               "BROWSER_PATH to a Chrome/Chromium executable.")


class ExportUnavailable(RuntimeError):
    """Static export is not possible here (no Chromium); the message says what is missing."""


class ExportError(RuntimeError):
    """The renderer failed on a figure."""


# --- Chromium and the one renderer -------------------------------------------------------------


def find_chromium() -> str | None:
    """The Chrome/Chromium kaleido would use: BROWSER_PATH, then PATH, then typical places."""
    from choreographer.browsers.chromium import Chromium

    try:
        found = Chromium.find_browser(skip_local=False)
    except Exception:
        return None
    # choreographer returns BROWSER_PATH unchecked; a stale setting must not pass as found.
    if found and os.path.isfile(found) and os.access(found, os.X_OK):
        return found
    return None


def export_available() -> tuple[bool, str]:
    """(True, path of the browser) or (False, what to install). Cheap: called on every rerun
    by the download buttons, so an admin who installs Chromium does not need a restart."""
    browser = find_chromium()
    if browser is None:
        return False, NO_CHROMIUM
    if _renderer.broken:
        return False, f"The export renderer stopped working ({_renderer.broken}); restart the app."
    return True, browser


class _Renderer:
    """The process's one warm Chromium for static pictures.

    A `kaleido.Kaleido` (kaleido's public async API) is opened once in a thread of its own that
    runs an event loop; a render is a coroutine submitted to that loop, and its own future
    carries its own picture back. Renders are also serialised by `lock` (one tab, one figure at
    a time), and every call passes the local topojson itself: nothing is read from, or written
    to, a process-wide default. (kaleido's own sync server shares one request queue and one
    answer queue between all callers, so two sessions could receive each other's pictures;
    plotly's `fig.to_image` uses that server whenever it runs, so nothing here calls it.)
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.kaleido: Any = None
        self.broken = ""
        self.cold_start_s: float | None = None  # first render after a start (benchmarks)

    def running(self) -> bool:
        return bool(self.kaleido is not None and self.thread is not None
                    and self.thread.is_alive())

    def start_locked(self) -> bool:
        """Open the browser unless it is open; True if it was started now (a cold start)."""
        if self.running():
            return False
        self.stop_locked()
        import kaleido

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True, name="cthb-renderer")
        thread.start()

        async def open_browser() -> Any:
            # MathJax off: it would be fetched from a CDN on every start.
            browser = kaleido.Kaleido(n=1, mathjax=False, timeout=RENDER_TIMEOUT_S)
            await browser.open()
            return browser

        try:
            self.kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(
                timeout=START_TIMEOUT_S)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            raise
        self.loop, self.thread = loop, thread
        return True

    def stop_locked(self) -> None:
        loop, browser, thread = self.loop, self.kaleido, self.thread
        self.loop = self.kaleido = self.thread = None
        if loop is None:
            return
        if browser is not None and loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(browser.close(), loop).result(timeout=15)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)

    def render(self, spec: FigureSpec, opts: dict[str, Any]) -> bytes:
        with self.lock:
            try:
                cold = self.start_locked()
            except Exception as exc:
                raise ExportError(f"the renderer could not start Chromium: {exc}") from exc
            assert self.loop is not None
            started = time.perf_counter()
            future = asyncio.run_coroutine_threadsafe(
                self.kaleido.calc_fig(spec, opts=opts, topojson=TOPOJSON_URL), self.loop)
            try:
                data = future.result(timeout=RENDER_TIMEOUT_S + 5)
            except concurrent.futures.TimeoutError:
                future.cancel()
                self.broken = f"no answer within {RENDER_TIMEOUT_S:.0f} s"
                self.stop_locked()
                raise ExportError(f"the renderer did not answer within "
                                  f"{RENDER_TIMEOUT_S:.0f} s") from None
            except Exception as exc:
                # Start afresh next time: the browser may be what failed.
                self.stop_locked()
                raise ExportError(f"{str(opts.get('format')).upper()} export failed: "
                                  f"{exc}") from exc
            if cold:
                self.cold_start_s = time.perf_counter() - started
        if not isinstance(data, bytes | bytearray) or not data:
            raise ExportError(f"{str(opts.get('format')).upper()} export returned no data")
        return bytes(data)


_renderer = _Renderer()


def start_server() -> None:
    """Start Chromium for exports (idempotent). Called by the first export."""
    with _renderer.lock:
        _renderer.start_locked()


def stop_server() -> None:
    """Close Chromium (at exit, and in tests to measure a cold start)."""
    with _renderer.lock:
        _renderer.stop_locked()


def server_running() -> bool:
    return _renderer.running()


def cold_start_seconds() -> float | None:
    """How long the first render after the last start took (benchmarks)."""
    return _renderer.cold_start_s


atexit.register(stop_server)


# --- figures ----------------------------------------------------------------------------------


FigureSpec = dict[str, Any]  # a figure as plotly JSON: {"data": [...], "layout": {...}}


def export_spec(fig: go.Figure | FigureSpec,
                size: tuple[int, int] = (EXPORT_WIDTH, EXPORT_HEIGHT)) -> FigureSpec:
    """The figure as exported: the 16:9 page size (or `size`) and a white page, whatever the
    app used on screen (pages may set a height, or a transparent background for the dark theme).

    Works on plain JSON rather than a go.Figure copy: validating a copy of a map with its
    geometry costs 0.1-0.8 s, the JSON copy under 0.1 s.
    """
    spec = fig.to_dict() if isinstance(fig, go.Figure) else {**fig}
    layout = dict(spec.get("layout") or {})
    layout.update(width=size[0], height=size[1], autosize=False, paper_bgcolor="white")
    if layout.get("plot_bgcolor") in (None, "", "rgba(0,0,0,0)", "transparent"):
        layout["plot_bgcolor"] = "white"
    spec["layout"] = layout
    return spec


def render(spec: FigureSpec, fmt: str) -> bytes:
    """Render one figure (prepared with `export_spec`) to bytes, without cache."""
    if fmt == "html":
        return render_html(spec)
    layout = spec.get("layout") or {}
    return render_image(spec, fmt, width=int(layout.get("width", EXPORT_WIDTH)),
                        height=int(layout.get("height", EXPORT_HEIGHT)),
                        scale=PNG_SCALE if fmt == "png" else 1)


def render_image(fig: go.Figure | FigureSpec, fmt: str = "png", *, width: int = EXPORT_WIDTH,
                 height: int = EXPORT_HEIGHT, scale: float = 1) -> bytes:
    """The one function every static picture goes through: exports, the slide deck, the visit
    brief, the command line. Serialised, in the process's one browser, with the local base map
    passed with the call (never a CDN, never a process-wide default)."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
    ok, reason = export_available()
    if not ok:
        raise ExportUnavailable(reason)
    spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    return _renderer.render(spec, opts)


# Where plotly.js looks for base maps in an exported HTML file if a topojson was not inlined:
# a folder next to the file (copy static/topojson/ there), never the CDN.
HTML_TOPOJSON_URL = "topojson/"


def render_html(spec: FigureSpec) -> bytes:
    """A self-contained HTML page: plotly.js inline, and the base-map topojson of every geo
    subplot inlined too, so the file opens offline and never asks cdn.plot.ly for anything.

    plotly.js keeps downloaded base maps in `window.PlotlyGeoAssets.topojson[name]` and only
    fetches the ones missing there, so defining that object before plotly.js loads inlines them.
    A base map not in static/topojson (another scope) would be looked up in ./topojson/.
    """
    html: str = pio.to_html(spec, include_plotlyjs=True, full_html=True, validate=False,
                       config={"topojsonURL": HTML_TOPOJSON_URL, "displaylogo": False,
                               "responsive": True})
    assets = {name: json.loads(path.read_text(encoding="utf-8"))
              for name in topojson_names(spec)
              if (path := paths.TOPOJSON_DIR / f"{name}.json").is_file()}
    if assets:
        # Base64 keeps any "</script>" inside the JSON from closing the tag early.
        payload = base64.b64encode(json.dumps(assets).encode("utf-8")).decode("ascii")
        script = ("<script>window.PlotlyGeoAssets = {topojson: JSON.parse(new TextDecoder()"
                  f".decode(Uint8Array.from(atob('{payload}'), c => c.charCodeAt(0))))}};"
                  "</script>")
        html = html.replace("<head>", "<head>" + script, 1)
    return html.encode("utf-8")


def topojson_names(spec: FigureSpec) -> list[str]:
    """Names of the plotly base maps a figure needs ("world_110m"), one per geo subplot used."""
    geo_ids = {trace.get("geo") or "geo" for trace in spec.get("data", [])
               if trace.get("type") in ("choropleth", "scattergeo")}
    layout = spec.get("layout") or {}
    names = []
    for geo_id in sorted(geo_ids):
        scope = (layout.get(geo_id) or {}).get("scope") or "world"
        resolution = (layout.get(geo_id) or {}).get("resolution") or 110
        # plotly.js names them "<scope with spaces as dashes>_<resolution>m".
        names.append(f"{scope.replace(' ', '-')}_{int(resolution)}m")
    return sorted(set(names))


# --- cache ------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # dates


def _json_default(value: Any) -> Any:
    # numpy arrays and scalars in plotly's dicts; str() would summarise long arrays with "...".
    return value.tolist() if hasattr(value, "tolist") else str(value)


@functools.cache
def _renderer_identity() -> dict[str, object]:
    """What else decides the pixels: kaleido's version and the browser binary (a Chromium
    upgrade changes antialiasing and fonts)."""
    from importlib.metadata import version

    browser = find_chromium()
    info = os.stat(browser) if browser else None
    return {"kaleido": version("kaleido"), "browser": browser,
            "browser_build": [info.st_size, info.st_mtime_ns] if info else None}


def _topojson_digest(spec: FigureSpec) -> str:
    """The base-map files the figure is drawn on: a changed file changes the picture."""
    digest = hashlib.sha256()
    for name in topojson_names(spec):
        path = paths.TOPOJSON_DIR / f"{name}.json"
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def cache_key(fmt: str, spec: FigureSpec, chart_id: str | None = None,
              params: ChartParams | None = None, data_version: str | None = None) -> str:
    """sha256 of everything that changes the file: the figure itself, the format and the page
    size, the export pipeline's version, plotly (which bundles plotly.js), kaleido, the browser,
    and the base-map files; plus the chart id, parameters and data version (for readability
    of what is cached, and for callers whose figure JSON would not show a data change).

    The figure's own JSON is part of the key because the chart code can change between two
    runs with the same data (a deploy): keyed on id and parameters alone, the disk cache would
    keep serving the old picture.
    """
    digest = hashlib.sha256()
    head = {"chart": chart_id, "params": _jsonable(params), "data_version": data_version,
            "format": fmt, "size": [EXPORT_WIDTH, EXPORT_HEIGHT, PNG_SCALE],
            "export_version": EXPORT_VERSION, "plotly": plotly.__version__,
            "renderer": _renderer_identity() if fmt in IMAGE_FORMATS else None,
            "topojson": _topojson_digest(spec)}
    digest.update(json.dumps(head, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps(spec, sort_keys=True, default=_json_default).encode("utf-8"))
    return digest.hexdigest()


def default_cache_dir() -> Path:
    return Path(os.environ.get("CTHB_EXPORT_CACHE",
                               paths.PROJECT_ROOT / "build" / "export-cache"))


# A cache file: this line, the key it was stored under, the sha256 of the content, then the
# content. A file is served only for its own key and only whole, so a copied, misplaced or torn
# file is a miss, never another chart's picture.
_MAGIC = b"cthb-export-cache 1\n"


def _frame(key: str, data: bytes) -> bytes:
    return _MAGIC + f"{key}\n{hashlib.sha256(data).hexdigest()}\n".encode() + data


def _unframe(key: str, raw: bytes) -> bytes | None:
    if not raw.startswith(_MAGIC):
        return None
    head_end = len(_MAGIC) + 64 + 1 + 64 + 1
    head = raw[len(_MAGIC):head_end].decode("ascii", errors="replace").split("\n")
    data = raw[head_end:]
    if len(head) != 3 or head[0] != key or head[1] != hashlib.sha256(data).hexdigest():
        return None
    return data


class ExportCache:
    """Bytes by key, in memory (LRU within a byte budget) and on disk (build/export-cache/).

    Disk writes go to a temporary file in the same folder, are flushed to disk and swapped in
    with os.replace, so two sessions exporting the same chart at once both end with a whole
    file; a reader never sees half of one. Each file names its key and carries a checksum of
    its content: a file that is not whole, or is not this key's, is never served. The disk
    cache is pruned, oldest first, beyond `disk_budget` bytes.
    """

    def __init__(self, directory: Path | None = None, memory_budget: int = 96 * 2**20,
                 disk_budget: int = 512 * 2**20) -> None:
        self.directory = directory or default_cache_dir()
        self.memory_budget = memory_budget
        self.disk_budget = disk_budget
        self._memo: OrderedDict[str, bytes] = OrderedDict()
        self._memo_bytes = 0
        self._lock = threading.Lock()

    def _path(self, key: str, fmt: str) -> Path:
        return self.directory / key[:2] / f"{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        try:
            raw = self._path(key, fmt).read_bytes()
        except OSError:
            return None
        data = _unframe(key, raw)
        if data is None:
            return None
        self._remember(key, data)
        return data

    def put(self, key: str, fmt: str, data: bytes) -> None:
        self._remember(key, data)
        target = self._path(key, fmt)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=f".{fmt}")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_frame(key, data))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError:
            pass  # a read-only or full disk only costs speed: the memory copy still serves

    def _remember(self, key: str, data: bytes) -> None:
        if len(data) > self.memory_budget // 4:
            return  # one huge file must not evict everything else
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return
            self._memo[key] = data
            self._memo_bytes += len(data)
            while self._memo_bytes > self.memory_budget and self._memo:
                _, old = self._memo.popitem(last=False)
                self._memo_bytes -= len(old)

    def _prune(self) -> None:
        files = []
        for p in self.directory.glob("*/*"):
            if p.name.startswith(".tmp-"):
                continue
            try:
                info = p.stat()
            except FileNotFoundError:
                continue  # pruned by another session meanwhile
            files.append((info.st_mtime, info.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.disk_budget:
                break
            path.unlink(missing_ok=True)
            total -= size

    def clear_memory(self) -> None:
        with self._lock:
            self._memo.clear()
            self._memo_bytes = 0


_default_cache: ExportCache | None = None


def default_cache() -> ExportCache:
    global _default_cache
    if _default_cache is None or _default_cache.directory != default_cache_dir():
        _default_cache = ExportCache()
    return _default_cache


# --- the one entry point ----------------------------------------------------------------------


def export_chart(result: ChartResult, fmt: str, *, chart_id: str | None = None,
                 params: ChartParams | None = None, data_version: str | None = None,
                 cache: ExportCache | None = None,
                 transform: Callable[[FigureSpec], FigureSpec] | None = None,
                 size: tuple[int, int] | None = None) -> bytes:
    """The chart as a `fmt` file (png, svg, pdf, html), from the cache when it was made before.

    `transform` changes the figure JSON before export (the deck drops the title block); `size`
    replaces the 16:9 page size (slides and the brief draw charts smaller, type larger).
    Raises ExportUnavailable (no Chromium; HTML still works) or ExportError.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    spec = result.figure.to_dict()
    if transform is not None:
        spec = transform(spec)
    spec = export_spec(spec, size or (EXPORT_WIDTH, EXPORT_HEIGHT))
    key = cache_key(fmt, spec, chart_id, params, data_version)
    store = cache if cache is not None else default_cache()
    cached = store.get(key, fmt)
    if cached is not None:
        return cached
    data = render(spec, fmt)
    store.put(key, fmt, data)
    return data


def file_name(stem: str, fmt: str, params: ChartParams | None = None) -> str:
    """A safe, telling file name: `map-UNTOC-2007-11-13-en.png`."""
    parts = [stem]
    if params is not None:
        parts += [p for p in (params.indicator, params.view, params.as_of.isoformat(),
                              params.lang) if p]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-") or "chart"
    return f"{name}.{fmt}"
