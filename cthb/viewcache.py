"""Views built once per process and shared by every session: what a page shows depends only on
(data version, chart or table, date, filters, language), never on who is looking.

Streamlit runs every session as a thread of one process, so this is plain Python shared state:
a bounded LRU per kind of view, guarded by a lock, with one build per key at a time (a second
session asking for a view that is being built waits for that build instead of doing it again).
Nothing here imports streamlit, so the start-up warm-up (cthb.warmup) fills the same caches
the pages read, before any visitor arrives.

Charts are kept in the form the browser receives: the figure as plotly JSON text. A page sends
that text as it is (cthb.webapp.plotly_json_chart), instead of Streamlit deep-copying and
re-serialising a go.Figure for every session and rerun; a go.Figure is made again only when a
session exports the chart or puts it on a slide.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cthb import current, paths
from cthb.charts.catalog import ChartParams, ChartResult, load_all
from cthb.charts.style import screen_figure, source_note_lines
from cthb.facts import Facts, read_facts

T = TypeVar("T")


class ViewCache:
    """A thread-safe LRU of built values with at most `max_entries` entries.

    `get(key, build)` returns the cached value or builds it; concurrent callers of one missing
    key share one build (the others wait on that key's lock). A build that raises stores
    nothing, so the next caller tries again. Values are shared: callers must not change them.
    """

    def __init__(self, name: str, max_entries: int) -> None:
        self.name = name
        self.max_entries = max_entries
        # Values of many types (figures, tables, files): each key is built by one `build`.
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return cast(T, self._items[key])
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:  # built by the caller we waited for
                    self._items.move_to_end(key)
                    self.hits += 1
                    return cast(T, self._items[key])
            try:
                value = build()
                with self._lock:
                    self._items[key] = value
                    self.builds += 1
                    while len(self._items) > self.max_entries:
                        self._items.popitem(last=False)
                return value
            finally:
                with self._lock:
                    if self._building.get(key) is key_lock:
                        del self._building[key]

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# One cache per kind of view, sized for the distinct settings people use at once. A whole-region
# map is about 0.4 MB of JSON; a chart of the gaps page 20-200 kB; a profile a few kB.
CHART_CACHE = ViewCache("charts", int(os.environ.get("CTHB_CHART_CACHE", "96")))
VIEW_CACHE = ViewCache("tables", 512)
FACTS_CACHE = ViewCache("facts", 2)
FILE_CACHE = ViewCache("files", 16)  # files made on a click (visit briefs), up to ~1 MB each
CACHES = (CHART_CACHE, VIEW_CACHE, FACTS_CACHE, FILE_CACHE)


# --- facts ------------------------------------------------------------------------------------


def shared_facts(data_dir: Path | None = None, db_path: Path | None = None) -> Facts:
    """The facts of the current database, loaded once per database file and shared.

    When data/ changes, the database is rebuilt into a new file and swapped in atomically; the
    file's identity (inode, mtime) changes, so the next call loads the new facts. When data/ is
    invalid, the last good database is served (the app shell shows a banner saying so).
    """
    db = current.ensure_current(data_dir or paths.data_dir(), db_path or paths.db_path(),
                                serve_last_good=True)
    info = os.stat(db)
    return FACTS_CACHE.get((str(db), info.st_ino, info.st_mtime_ns), lambda: read_facts(db))


# --- charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedChart:
    """A chart as every session shares it: the figure as plotly JSON text, the numbers behind
    it and its labels. Immutable in practice: a page changing `data` would change it for all."""

    chart_id: str
    params: ChartParams
    spec_json: str  # the framed figure (title, subtitle and source inside), for the files
    screen_json: str  # the figure as the page shows it: title and source are page text
    source_notes: tuple[str, ...]  # the source line, printed under the chart on the page
    data: pd.DataFrame
    title: str
    subtitle: str
    source_ids: tuple[str, ...]
    alt_text: str
    height: int | None  # the figure's own layout height, if it sets one

    def figure(self) -> go.Figure:
        """A private go.Figure of the framed chart. Built from the JSON without plotly's
        validation: the JSON came from a valid figure."""
        return go.Figure(json.loads(self.spec_json), _validate=False)

    def result(self) -> ChartResult:
        """A private ChartResult (its own go.Figure and table) for exports and slides."""
        return ChartResult(figure=self.figure(), data=self.data.copy(), title=self.title,
                           subtitle=self.subtitle, source_ids=list(self.source_ids),
                           alt_text=self.alt_text)


def share(chart_id: str, params: ChartParams, result: ChartResult) -> SharedChart:
    """Freeze a built chart into its shared form (JSON text, as Streamlit would send it)."""
    return SharedChart(chart_id=chart_id, params=params,
                       spec_json=pio.to_json(result.figure, validate=False),
                       screen_json=pio.to_json(screen_figure(result.figure), validate=False),
                       source_notes=tuple(source_note_lines(result.figure)),
                       data=result.data, title=result.title, subtitle=result.subtitle,
                       source_ids=tuple(result.source_ids), alt_text=result.alt_text,
                       height=result.figure.layout.height)


def chart(facts: Facts, chart_id: str, params: ChartParams,
          adjust: Callable[[go.Figure], None] | None = None,
          variant: str = "") -> SharedChart:
    """The catalogue chart `chart_id` for `params`, built once per data version and shared.

    `adjust` changes the figure for the screen before it is frozen (the profile's small
    locator map drops its in-figure title); give each different adjustment its own `variant`
    name, since it is part of the key.
    """
    def build() -> SharedChart:
        result = load_all()[chart_id].build(facts, params)
        if adjust is not None:
            adjust(result.figure)
        return share(chart_id, params, result)

    return CHART_CACHE.get((facts.data_version, chart_id, params, variant), build)


def table(facts: Facts, kind: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """Any other view (a table, a profile model, a line of text) keyed by the data version,
    its kind and its parameters, built once and shared. Callers must not change the value."""
    return VIEW_CACHE.get((facts.data_version, kind, *key), build)


def stats() -> dict[str, dict[str, int]]:
    """Entries, hits and builds of each cache (for benchmarks and tests)."""
    return {c.name: {"entries": len(c), "hits": c.hits, "builds": c.builds} for c in CACHES}
