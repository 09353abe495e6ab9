"""Charts as files for slides and reports: PNG, SVG and PDF rendered server-side by kaleido in
Debian's Chromium, and self-contained HTML that opens offline.

Every export uses the same 16:9 page (EXPORT_WIDTH x EXPORT_HEIGHT, white background), so the
title, subtitle and source line that `frame_figure` put inside the figure land in the file.
PNGs are rendered at PNG_SCALE (2400x1350): crisp on a full-HD projector and on a 4K one.

Speed: starting Chromium costs about 2 s, a render in a warm browser 0.3-0.5 s. The kaleido
sync server (one Chromium per process) is started on the first export and reused until the
process exits; results are cached in memory and on disk (ExportCache), so a second click on the
same chart is instant, even in another session or after a restart.

Nothing here imports streamlit; `cthb.webapp.show_chart` and the deck builder call in.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
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
EXPORT_VERSION = "1"
RENDER_TIMEOUT_S = 90.0
TOPOJSON_URL = "file://" + str(paths.TOPOJSON_DIR) + "/"
NO_CHROMIUM = ("PNG/SVG/PDF export needs Chromium, which was not found on this server: "
               "install Debian's chromium package (apt-get install chromium) or set "
               "BROWSER_PATH to a Chrome/Chromium executable.")


class ExportUnavailable(RuntimeError):
    """Static export is not possible here (no Chromium); the message says what is missing."""


class ExportError(RuntimeError):
    """The renderer failed on a figure."""


# --- Chromium and the kaleido server ----------------------------------------------------------


def find_chromium() -> str | None:
    """The Chrome/Chromium kaleido would use: BROWSER_PATH, then PATH, then typical places."""
    from choreographer.browsers.chromium import Chromium

    try:
        found = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - a broken lookup means "not available", not a crash
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
    if _server.broken:
        return False, f"The export renderer stopped working ({_server.broken}); restart the app."
    return True, browser


@dataclass
class _Server:
    """The process's one kaleido sync server. kaleido's server is a singleton whose request and
    answer queues are shared, so concurrent callers (Streamlit runs each session in its own
    thread) could receive each other's images: every call goes through `lock`."""

    lock: threading.Lock
    started: bool = False
    broken: str = ""
    cold_start_s: float | None = None  # first render after start, for the benchmark


_server = _Server(threading.Lock())


def _kaleido_thread_alive() -> bool:
    import kaleido

    # kaleido's server thread dies if Chromium cannot start; a call would then wait forever on
    # its queue, so check first. (Private attribute, read defensively.)
    thread = getattr(kaleido._global_server, "_thread", None)  # noqa: SLF001
    return bool(thread is not None and thread.is_alive())


def start_server() -> None:
    """Start Chromium for exports (idempotent). Called by the first export."""
    import kaleido

    with _server.lock:
        _start_locked(kaleido)


def _start_locked(kaleido: Any) -> None:
    if _server.started and _kaleido_thread_alive():
        return
    if _server.started:  # the thread died: reset before starting again
        kaleido.stop_sync_server(silence_warnings=True)
    # Offline: plotly's base-map topojson comes from static/topojson (for any fig.to_image
    # too), and MathJax is off, or the page would try a CDN script on every start.
    pio.defaults.topojson = TOPOJSON_URL
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server.started = True
    atexit.register(stop_server)


def stop_server() -> None:
    """Close Chromium (at exit, and in tests to measure a cold start)."""
    import kaleido

    with _server.lock:
        if _server.started:
            kaleido.stop_sync_server(silence_warnings=True)
            _server.started = False


def server_running() -> bool:
    return _server.started and _kaleido_thread_alive()


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
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    ok, reason = export_available()
    if not ok:
        raise ExportUnavailable(reason)
    import kaleido

    layout = spec.get("layout") or {}
    opts = {"format": fmt, "width": layout.get("width", EXPORT_WIDTH),
            "height": layout.get("height", EXPORT_HEIGHT),
            "scale": PNG_SCALE if fmt == "png" else 1}
    with _server.lock:
        cold = not (_server.started and _kaleido_thread_alive())
        _start_locked(kaleido)
        started = time.perf_counter()
        try:
            data = _call_with_watchdog(
                lambda: kaleido.calc_fig_sync(spec, opts=opts, topojson=TOPOJSON_URL))
        except ExportError:
            raise
        except Exception as exc:  # noqa: BLE001 - kaleido raises many types; one for callers
            raise ExportError(f"{fmt.upper()} export failed: {exc}") from exc
        if cold:
            _server.cold_start_s = time.perf_counter() - started
    if not isinstance(data, bytes | bytearray) or not data:
        raise ExportError(f"{fmt.upper()} export returned no data")
    return bytes(data)


def _call_with_watchdog(call: Any) -> Any:
    """Run a kaleido call in a helper thread and give up after RENDER_TIMEOUT_S: if Chromium
    dies mid-render, kaleido's queue would otherwise block this session forever."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="cthb-export")
    worker.start()
    worker.join(RENDER_TIMEOUT_S + 5)
    if worker.is_alive():
        _server.broken = f"no answer within {RENDER_TIMEOUT_S:.0f} s"
        raise ExportError(f"the renderer did not answer within {RENDER_TIMEOUT_S:.0f} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


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
    html = pio.to_html(spec, include_plotlyjs=True, full_html=True, validate=False,
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


def cache_key(fmt: str, spec: FigureSpec, chart_id: str | None = None,
              params: ChartParams | None = None, data_version: str | None = None) -> str:
    """sha256 of (chart id, params, data version, format) and of the figure itself.

    The figure's own JSON is part of the key because the chart code can change between two
    runs with the same data (a deploy): keyed on id and parameters alone, the disk cache would
    keep serving the old picture. It also keeps the key right for a caller that does not know
    the chart id (any figure passed to `show_chart`).
    """
    digest = hashlib.sha256()
    head = {"chart": chart_id, "params": _jsonable(params), "data_version": data_version,
            "format": fmt, "size": [EXPORT_WIDTH, EXPORT_HEIGHT, PNG_SCALE],
            "export_version": EXPORT_VERSION, "plotly": plotly.__version__}
    digest.update(json.dumps(head, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps(spec, sort_keys=True, default=_json_default).encode("utf-8"))
    return digest.hexdigest()


def default_cache_dir() -> Path:
    return Path(os.environ.get("CTHB_EXPORT_CACHE",
                               paths.PROJECT_ROOT / "build" / "export-cache"))


class ExportCache:
    """Bytes by key, in memory (LRU within a byte budget) and on disk (build/export-cache/).

    Disk writes go to a temporary file in the same folder and are swapped in with os.replace,
    so two sessions exporting the same chart at once both end with a whole file; a reader never
    sees half of one. The disk cache is pruned, oldest first, beyond `disk_budget` bytes.
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
            data = self._path(key, fmt).read_bytes()
        except OSError:
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
                    fh.write(data)
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
        files = [(p.stat().st_mtime, p.stat().st_size, p)
                 for p in self.directory.glob("*/*") if not p.name.startswith(".tmp-")]
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
