"""The catalogue of exportable charts: one entry per chart the app can draw, export and put on
a slide. Pages, the export buttons, the slide-deck builder and `python -m cthb export` all go
through it, so a chart is defined once.

A chart module registers its builders at import time:

    register(ChartSpec("status_bars", "gaps.chart_status_bars", build_status_bars,
                       ("as_of", "region", "group")))

and a builder is a pure function `(facts, params) -> ChartResult`. `load_all()` imports every
module of cthb.charts and returns the catalogue (map, tiles, status bars, matrix, timeline,
the survey charts, a State's timeline and locator, the evidence-age histogram, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cthb.facts import Facts


@dataclass(frozen=True)
class ChartParams:
    as_of: date
    lang: str = "en"
    indicator: str | None = None
    region: str | None = None  # a REGIONS value, or None for all
    view: str | None = None  # map view id (cthb.geo.VIEWS)
    compare_to: date | None = None  # map compare mode: the earlier date
    group: str | None = None  # filter: "EU", "COE", "FIELD_OPS"
    extra: tuple[tuple[str, str], ...] = ()  # chart-specific options, hashable

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.extra).get(name, default)


@dataclass
class ChartResult:
    figure: go.Figure
    data: pd.DataFrame  # the numbers behind the chart, as exported to CSV/XLSX
    title: str
    subtitle: str  # as-of date and filters
    source_ids: list[str] = field(default_factory=list)
    alt_text: str = ""  # one-sentence description for screen readers and slides


Builder = Callable[[Facts, ChartParams], ChartResult]
# A figure as plotly JSON in, the same figure laid out for a slide out (see cthb.export.deck).
SlideLayout = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ChartSpec:
    id: str  # e.g. "map", "tiles", "status_bars", "matrix", "timeline", "evidence_age"
    title_key: str  # i18n key of the chart's name in menus
    build: Builder
    # Which ChartParams fields the chart uses (for the CLI and the deck builder).
    uses: tuple[str, ...] = ("as_of",)
    # How the chart rearranges itself on a slide, where its type is far larger than on screen
    # (legends beside rather than over the plot, labels as legend entries); None: as it is.
    slide: SlideLayout | None = None
    # How the chart rearranges itself on a phone's narrow screen (a copy of the figure is
    # changed in place); None: cthb.charts.style.phone_default.
    phone: Callable[[go.Figure], None] | None = None


CHARTS: dict[str, ChartSpec] = {}


def register(spec: ChartSpec) -> ChartSpec:
    CHARTS[spec.id] = spec
    return spec


def load_all() -> dict[str, ChartSpec]:
    """Import every chart module so that all charts are registered."""
    import importlib
    import pkgutil

    import cthb.charts as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ("catalog", "style"):
            importlib.import_module(f"cthb.charts.{module.name}")
    return CHARTS
