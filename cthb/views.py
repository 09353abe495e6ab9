"""What the map, gaps and profile pages show, as pure functions of (facts, date, filters,
language), each built once per process and data version and shared by every session through
cthb.viewcache. The pages only lay these out; cthb.warmup builds the default ones at start.

Every value returned here is shared: a page must not change it (copy a DataFrame first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from cthb import viewcache
from cthb.changes import status_changes
from cthb.charts import map as mapchart
from cthb.charts.catalog import ChartParams
from cthb.charts.gaps import GAP_QUESTIONS, gap_list, selected_states
from cthb.facts import Facts
from cthb.indicators import GAP_INDICATORS
from cthb.profile import Profile, state_profile
from cthb.profile import tables as profile_tables

SharedChart = viewcache.SharedChart
DEFAULT_QUESTION = GAP_QUESTIONS[0].id

# --- map page ---------------------------------------------------------------------------------


def map_params(as_of: date, lang: str, indicator: str = mapchart.DEFAULT_INDICATOR,
               view: str = mapchart.DEFAULT_VIEW, display: str = "map",
               compare_to: date | None = None, group: str | None = None) -> ChartParams:
    return ChartParams(as_of=as_of, lang=lang, indicator=indicator,
                       view=view if display == "map" else None, compare_to=compare_to,
                       group=group)


@dataclass(frozen=True)
class MapTables:
    legend: pd.DataFrame
    changes: pd.DataFrame
    became_known: pd.DataFrame
    treaty_counts: str  # markdown


def map_tables(facts: Facts, chart: SharedChart) -> MapTables:
    """The tables under the map (legend, what changed) and the treaty counts line."""
    def build() -> MapTables:
        params = chart.params
        return MapTables(legend=mapchart.legend_table(chart.data, params.lang),
                         changes=mapchart.map_changes(chart.data),
                         became_known=mapchart.map_changes(chart.data, "became known"),
                         treaty_counts=treaty_counts(facts, params.as_of, params.lang))

    return viewcache.table(facts, "map_tables", (chart.chart_id, chart.params), build)


def treaty_counts(facts: Facts, on: date, lang: str) -> str:
    return viewcache.table(facts, "treaty_counts", (on, lang),
                           lambda: mapchart.treaty_counts_line(facts, on, lang))


# --- gaps page --------------------------------------------------------------------------------


def gaps_chart_params(as_of: date, lang: str, region: str | None, group: str | None,
                      today: date, sort: str = "gaps",
                      split: bool = False) -> dict[str, ChartParams]:
    """The parameters of the gaps page's three charts, by chart id."""
    base = ChartParams(as_of=as_of, lang=lang, region=region, group=group)
    return {
        "status_bars": base,
        "matrix": ChartParams(as_of=as_of, lang=lang, region=region, group=group,
                              extra=(("sort", sort),)),
        "timeline": ChartParams(as_of=as_of, lang=lang, region=region, group=group,
                                extra=(("until", max(today, as_of).isoformat()),
                                       ("split", "region" if split else "no"))),
    }


def gap_table(facts: Facts, question: str, on: date, lang: str, region: str | None,
              group: str | None) -> pd.DataFrame:
    return viewcache.table(facts, "gap_list", (question, on, lang, region, group),
                           lambda: gap_list(facts, question, on, lang, region, group))


def changes_table(facts: Facts, since: date, on: date, lang: str, region: str | None,
                  group: str | None) -> pd.DataFrame:
    """What changed between two dates, for the States the filters select."""
    def build() -> pd.DataFrame:
        changes = status_changes(facts, GAP_INDICATORS, since, on, lang)
        keep = changes["iso3"].isin(selected_states(facts, on, region, group))
        return changes[keep].reset_index(drop=True)

    return viewcache.table(facts, "changes", (since, on, lang, region, group), build)


# --- profile page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileView:
    """One State's profile on one date (cthb.profile's model, the same the brief prints) and
    the tables the page shows of it (cthb.profile.tables)."""

    profile: Profile
    frames: dict[str, pd.DataFrame]


def profile_view(facts: Facts, iso3: str, as_of: date, lang: str) -> ProfileView:
    def build() -> ProfileView:
        profile = state_profile(facts, iso3, as_of, lang)
        return ProfileView(profile, profile_tables(profile, facts))

    return viewcache.table(facts, "profile", (iso3, as_of, lang), build)


def profile_chart_params(iso3: str, as_of: date, lang: str) -> ChartParams:
    return ChartParams(as_of=as_of, lang=lang, extra=(("iso3", iso3),))


def profile_locator(facts: Facts, iso3: str, as_of: date, lang: str) -> SharedChart:
    """The small locator map of the profile page: without its in-figure title (the page's
    heading names the State), 330 px high."""
    def on_page(fig: go.Figure) -> None:
        fig.update_layout(height=330, title=None, margin={"t": 10})

    return viewcache.chart(facts, "state_locator", profile_chart_params(iso3, as_of, lang),
                           adjust=on_page, variant="page")


def profile_timeline(facts: Facts, iso3: str, as_of: date, lang: str) -> SharedChart:
    return viewcache.chart(facts, "state_timeline", profile_chart_params(iso3, as_of, lang))
