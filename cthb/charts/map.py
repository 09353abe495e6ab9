"""The map explorer's figures: a choropleth of the participating States and an equal-size tile
grid, for any indicator on any date, optionally compared with a second date.

Both figures are plain plotly geo subplots fed with the project's own GeoJSON (never plotly's
ISO-3 location mode, which fetches plotly's world from a CDN and shows a blank map offline).
There is one trace per status category, so the legend is real and carries the counts, and
`unknown` keeps its own grey. Every State is clickable: choropleth points come back from a
Streamlit selection with `location` = iso3, the microstate markers with `customdata` = iso3.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cthb import geo
from cthb.changes import change_kind
from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, register
from cthb.charts.style import (
    CHANGED_OUTLINE,
    GAP_SCALE,
    STALE_MARK,
    STATUS_COLOURS,
    UNKNOWN_GREY,
    frame_figure,
    luminance,
    text_colour,
)
from cthb.facts import Facts
from cthb.i18n import indicator_label, status_label, t
from cthb.indicators import (
    GAP_INDICATORS,
    INDICATORS,
    gap_frame,
    indicator_frame,
    matrix_frame,
)
from cthb.sources import cite

# Static exports need plotly's base-map topojson too: cthb.export.images passes the local copy
# with every render (never a process-wide plotly default). The browser gets the same through
# webapp.PLOTLY_CONFIG.

MAP_INDICATORS: tuple[str, ...] = (*INDICATORS, "GAPS")
DEFAULT_VIEW = "osce"
DEFAULT_INDICATOR = "UNTOC"

CONTEXT_FILL = "#f4f4f4"  # other countries: quiet, far lighter than UNKNOWN_GREY (L* 96 vs 83)
KOSOVO_FILL = "#dedede"  # not a participating State: neutral, lighter than UNKNOWN_GREY
BORDER = "#ffffff"
FADED_OPACITY = 0.28  # States outside the chosen filter
MICROSTATE_SIZE = 11
TILE_SIDE = 0.9  # tile size in grid units (1 = one grid cell), leaving a gutter
MAP_HEIGHT = 660
TILE_HEIGHT = 640


# ---------------------------------------------------------------------------------------------
# Categories and colours


def categories(indicator: str) -> tuple[str, ...]:
    """Status categories of an indicator in legend order (GAPS: "0".."7", then unknown)."""
    if indicator == "GAPS":
        return (*(str(n) for n in range(len(GAP_INDICATORS) + 1)), "unknown")
    return INDICATORS[indicator].statuses


def category_colour(indicator: str, category: str) -> str:
    if category == "unknown":
        return UNKNOWN_GREY
    if indicator == "GAPS":
        # Sequential: more gaps, darker. GAP_SCALE has one step per possible count.
        return GAP_SCALE[min(int(category), len(GAP_SCALE) - 1)]
    return STATUS_COLOURS[category]


def category_label(indicator: str, category: str, lang: str) -> str:
    if indicator == "GAPS" and category != "unknown":
        return t("map.gaps_1" if category == "1" else "map.gaps_n", lang, n=category)
    return status_label(category, lang)


# ---------------------------------------------------------------------------------------------
# The data behind a map


def _clean(value: object) -> str:
    # indicator frames hold None/NaN where no source or date is recorded
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def status_frame(facts: Facts, indicator: str, on: date, lang: str = "en") -> pd.DataFrame:
    """One row per participating State on `on`: iso3, state, region, status (a category of
    `categories(indicator)`), detail, evidence_date, source_id, gaps, unknowns."""
    if indicator == "GAPS":
        g = gap_frame(facts, on, lang)
        every_unknown = g["unknowns"] == len(GAP_INDICATORS)
        # The sources behind a State's gaps (gap_frame keeps counts only).
        m = matrix_frame(facts, on, lang, GAP_INDICATORS)
        gap_sources = (m[m["is_gap"]].groupby("iso3")["source_id"]
                       .agg(lambda s: "; ".join(sorted({_clean(x) for x in s} - {""}))))
        df = pd.DataFrame({
            "iso3": g["iso3"], "state": g["state"], "region": g["region"],
            # A State with no evidence on any indicator has no known count: unknown, not 0.
            "status": [("unknown" if u else str(n)) for n, u in zip(g["gaps"], every_unknown,
                                                                      strict=True)],
            "detail": [_gap_detail(row, lang) for row in g.itertuples()],
            "evidence_date": "",
            "source_id": [gap_sources.get(a3, "") for a3 in g["iso3"]],
            "gaps": g["gaps"], "unknowns": g["unknowns"], "stale": False,
        })
    else:
        f = indicator_frame(facts, indicator, on, lang)
        df = pd.DataFrame({
            "iso3": f["iso3"], "state": f["state"], "region": f["region"],
            "status": f["status"], "detail": f["detail"].map(_clean),
            "evidence_date": f["evidence_date"].map(_clean),
            "source_id": f["source_id"].map(_clean),
            # The source with its kind, for the hover: "untc-xviii-12 · Depositary".
            "source": [cite(facts, _clean(x) or None, lang) for x in f["source_id"]],
            "gaps": f["is_gap"].astype(int), "unknowns": f["is_unknown"].astype(int),
            "stale": f["stale"].astype(bool),
        })
    return df.sort_values("iso3").reset_index(drop=True)


def _gap_detail(row: Any, lang: str) -> str:
    text = t("map.gaps_detail", lang, gaps=row.gaps, unknowns=row.unknowns)
    if row.gap_indicators:
        text += f" ({row.gap_indicators})"
    return text


def map_frame(facts: Facts, params: ChartParams) -> pd.DataFrame:
    """The numbers behind a map or tile grid: status on `as_of`, the filter, and with
    `compare_to` the status on that date and whether it changed."""
    indicator = params.indicator or DEFAULT_INDICATOR
    df = status_frame(facts, indicator, params.as_of, params.lang)
    df.insert(4, "status_label", [category_label(indicator, s, params.lang)
                                  for s in df["status"]])
    df["in_group"] = [facts.in_group(a3, params.group, params.as_of) for a3 in df["iso3"]]
    if params.compare_to is not None:
        before = status_frame(facts, indicator, params.compare_to, params.lang)
        by_iso = dict(zip(before["iso3"], before["status"], strict=True))
        # A State that was not yet participating (Mongolia before 21 Nov 2012) has no status.
        df["before_status"] = [by_iso.get(a3, "") for a3 in df["iso3"]]
        df["before_label"] = [category_label(indicator, s, params.lang) if s
                              else t("map.not_participating_short", params.lang)
                              for s in df["before_status"]]
        df["change"] = [change_kind(by_iso.get(a3), str(s))
                        for a3, s in zip(df["iso3"], df["status"], strict=True)]
        # Only a real change of status is outlined: "became known" is listed apart.
        df["changed"] = df["change"] == "changed"
    else:
        df["change"] = ""
        df["changed"] = False
    return df


def map_changes(data: pd.DataFrame, kind: str = "changed") -> pd.DataFrame:
    """The States whose status moved between the two dates in the way `kind` names
    ("changed", "became known", ...), from a map's or tile grid's `ChartResult.data` (empty
    without a comparison date)."""
    cols = ["iso3", "state", "before_label", "status_label", "detail", "evidence_date",
            "source_id"]
    if "change" not in data:
        return pd.DataFrame(columns=cols)
    return data[data["change"] == kind][cols].reset_index(drop=True)


def legend_counts(df: pd.DataFrame, indicator: str, lang: str) -> list[tuple[str, str, int]]:
    """(category, label, count) for every category that occurs, in legend order."""
    counts = df["status"].value_counts()
    return [(c, category_label(indicator, c, lang), int(counts[c]))
            for c in categories(indicator) if counts.get(c, 0)]


def legend_line(df: pd.DataFrame, indicator: str, lang: str) -> str:
    """e.g. "Party 46 · Signed 9 · Not signed 1"."""
    return " · ".join(f"{label} {n}" for _, label, n in legend_counts(df, indicator, lang))


def legend_table(data: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The legend as a table, from a map's `ChartResult.data`: each category with its colour
    name, count and States (the accessible text version of the map's colours)."""
    indicator = str(data["indicator"].iloc[0]) if len(data) else DEFAULT_INDICATOR
    shown = data[data["in_group"].astype(bool)]
    rows = []
    for cat, label, n in legend_counts(shown, indicator, lang):
        members = shown[shown["status"] == cat]
        rows.append({t("map.category", lang): label, t("map.count", lang): n,
                     t("map.states", lang): ", ".join(members["state"])})
    return pd.DataFrame(rows)


def treaty_counts_line(facts: Facts, on: date, lang: str) -> str:
    """The three treaties' counts on one line, e.g. "UNTOC: Party 46 · Signed 9 · ..."."""
    parts = []
    for treaty in ("UNTOC", "PALERMO", "COE197"):
        df = status_frame(facts, treaty, on, lang)
        parts.append(f"**{t(f'indicator_short.{treaty}', lang)}**: "
                     f"{legend_line(df, treaty, lang)}")
    return " | ".join(parts)


def selected_state(event: Any) -> str | None:
    """The iso3 of the State clicked on a map or tile grid, from a Streamlit selection event.

    Choropleth points come back with `location`; the microstate markers carry the iso3 in
    `customdata` (scattergeo points have no location)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    known = set(geo.state_ids())
    for point in points or []:
        for value in (point.get("location"), point.get("customdata")):
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            if isinstance(value, str) and value in known:
                return value
    return None


# ---------------------------------------------------------------------------------------------
# Hover text


def _wrap(text: str, width: int = 60) -> str:
    return "<br>".join(textwrap.wrap(html.escape(text), width)) if text else ""


def hover_text(row: Any, indicator: str, params: ChartParams) -> str:
    lang = params.lang
    lines = [f"<b>{html.escape(row.state)}</b>",
             f"{t(f'indicator_short.{indicator}', lang)}: <b>{html.escape(row.status_label)}</b>"]
    if row.detail:
        lines.append(_wrap(row.detail))
    if row.evidence_date and row.stale:
        lines.append(f"<b>{t('map.stale_hover', lang, date=row.evidence_date)}</b>")
    elif row.evidence_date:
        lines.append(f"{t('map.date', lang)}: {row.evidence_date}")
    if row.source_id:
        shown = getattr(row, "source", "") or row.source_id
        lines.append(f"{t('app.source', lang)}: {html.escape(shown)}")
    if params.compare_to is not None and getattr(row, "changed", False):
        lines.append(f"<b>{params.compare_to.isoformat()}: {html.escape(row.before_label)} → "
                     f"{params.as_of.isoformat()}: {html.escape(row.status_label)}</b>")
    elif params.compare_to is not None and getattr(row, "change", "") == "became known":
        lines.append(t("map.became_known_hover", lang, date=params.compare_to.isoformat()))
    if not row.in_group:
        lines.append(f"<i>{t('map.outside_filter', lang)}</i>")
    return "<br>".join(lines)


# ---------------------------------------------------------------------------------------------
# Figure pieces shared by map and tiles


@dataclass(frozen=True)
class _Group:
    """One trace's worth of States: same category, subplot, filter and change state."""

    category: str
    subplot: str
    faded: bool
    changed: bool


def _subtitle(df: pd.DataFrame, indicator: str, params: ChartParams) -> str:
    lang = params.lang
    shown = df[df["in_group"]]
    parts = [f"{t('app.as_of', lang)} {params.as_of.isoformat()}",
             legend_line(shown, indicator, lang)]
    if params.group:
        parts.append(t("map.filter_note", lang, group=t(f"map.group_{params.group}", lang),
                       n=len(shown)))
    if params.compare_to is not None:
        parts.append(t("map.compare_note", lang, date=params.compare_to.isoformat(),
                       n=int(df["changed"].sum())))
        known = int((df["change"] == "became known").sum())
        if known:
            parts.append(t("map.became_known_note", lang, n=known))
    return " · ".join(p for p in parts if p)


def _source_ids(df: pd.DataFrame) -> list[str]:
    return sorted({sid.strip() for cell in df["source_id"] for sid in cell.split(";")
                   if sid.strip()})


def _source_line(facts: Facts, df: pd.DataFrame, params: ChartParams, kosovo: bool) -> str:
    lang = params.lang
    ids = _source_ids(df)
    shown = ", ".join(ids[:6]) + (f" (+{len(ids) - 6})" if len(ids) > 6 else "")
    line = t("map.source_line", lang, version=facts.data_version, n=len(ids), ids=shown)
    lines = [line, t("app.disclaimer", lang)]
    if kosovo:
        lines.append(t("map.kosovo_note", lang))
    return "<br>".join(html.escape(x) for x in lines)


def _border(fill: str) -> str:
    # White borders vanish between near-white fills (0 gaps, CoE non-member): use grey there.
    return "#a8a8a8" if luminance(fill) > 0.8 else BORDER


def _category_traces(df: pd.DataFrame, indicator: str, params: ChartParams,
                     subplot_of: dict[str, str],
                     geojson_for: Any, lang: str) -> list[go.Choropleth]:
    """One choropleth trace per (category, subplot, faded, changed), legend once per category.

    Changed States go in traces after all the others, so their thick outline is drawn on top
    of every neighbour's fill instead of half-hidden under it.
    """
    df = df.assign(hover=[hover_text(r, indicator, params) for r in df.itertuples()])
    groups: dict[_Group, pd.DataFrame] = {}
    for key, part in df.groupby(
            [df["status"], df["iso3"].map(subplot_of), ~df["in_group"], df["changed"]],
            sort=False):
        cat, subplot, faded, changed = key
        groups[_Group(str(cat), str(subplot), bool(faded), bool(changed))] = part
    counts = {c: n for c, _, n in legend_counts(df[df["in_group"]], indicator, lang)}
    order = list(categories(indicator))
    traces = []
    legend_done: set[str] = set()
    for g in sorted(groups, key=lambda g: (g.changed, g.faded, order.index(g.category),
                                           g.subplot)):
        part = groups[g]
        colour = category_colour(indicator, g.category)
        show_legend = g.category not in legend_done and not g.faded
        legend_done.update([g.category] if show_legend else [])
        locations = list(part["iso3"])
        traces.append(go.Choropleth(
            geojson=geojson_for(locations),
            featureidkey="id",
            locations=locations,
            z=[1] * len(locations),
            colorscale=[[0, colour], [1, colour]],
            zmin=0, zmax=1,
            showscale=False,
            marker={"line": {"color": CHANGED_OUTLINE if g.changed else _border(colour),
                             "width": 3.2 if g.changed else 0.6},
                    "opacity": FADED_OPACITY if g.faded else 1.0},
            name=_legend_name(category_label(indicator, g.category, lang)
                              + (f" {UNKNOWN_MARK}" if g.category == "unknown" else ""),
                              counts.get(g.category, 0)),
            legendgroup=g.category,
            legendrank=order.index(g.category),
            showlegend=show_legend,
            text=list(part["hover"]),
            customdata=locations,
            hovertemplate="%{text}<extra></extra>",
            hoverlabel={"align": "left"},
            geo=g.subplot,
        ))
    # A category only present among faded States still needs its legend entry.
    for tr in traces:
        if tr.legendgroup not in legend_done:
            tr.showlegend = True
            legend_done.add(tr.legendgroup)
    return traces


def _stale_traces(df: pd.DataFrame, subplot: str, states: list[str], lang: str,
                  hatch: Any, show_legend: bool) -> list[go.Scattergeo]:
    """Diagonal hatching over the States whose status rests on evidence more than five years
    old: the colour still says what the source said, the hatching says it is old news. Each
    line is dark with a white halo, so it shows on dark and light fills alike."""
    lons, lats = hatch(states)
    if not lons:
        # States too small for the lines (microstates): their markers carry the mark, and
        # the legend still explains it.
        lons, lats = [None], [None]
    n = int(df.loc[df["in_group"], "stale"].sum())
    common = {"lon": lons, "lat": lats, "mode": "lines", "hoverinfo": "skip",
              "legendgroup": "_stale", "geo": subplot}
    return [go.Scattergeo(**common, line={"color": "rgba(255,255,255,0.85)", "width": 2.6},
                          showlegend=False, name=""),
            go.Scattergeo(**common, line={"color": STALE_MARK, "width": 1.1},
                          name=_legend_name(t("map.stale_legend", lang), n), legendrank=900,
                          showlegend=show_legend)]


def _legend_name(label: str, count: int) -> str:
    # A category present only among faded (filtered-out) States gets no "(0)".
    return f"{label} ({count})" if count else label


def _absent_states(facts: Facts, on: date) -> list[str]:
    """States drawn in the geometry but not participating on `on` (Mongolia before 2012)."""
    participating = set(facts.participating_states(on))
    return [a3 for a3 in geo.state_ids() if a3 not in participating]


def _absent_trace(facts: Facts, absent: list[str], params: ChartParams, geojson: dict[str, Any],
                  subplot: str) -> go.Choropleth:
    names = [facts.state_name(a3, params.lang) for a3 in absent]
    return go.Choropleth(
        geojson=geojson, featureidkey="id", locations=absent, z=[0] * len(absent),
        colorscale=[[0, CONTEXT_FILL], [1, CONTEXT_FILL]], showscale=False,
        marker={"line": {"color": "#bbbbbb", "width": 0.6}},
        text=[f"<b>{html.escape(n)}</b><br>"
              f"{t('map.not_participating', params.lang, date=params.as_of.isoformat())}"
              for n in names],
        hovertemplate="%{text}<extra></extra>", showlegend=False, name="", geo=subplot)


# ---------------------------------------------------------------------------------------------
# The geographic map


def _context_trace(subplot: str) -> go.Choropleth:
    # Other land as a quiet base: plotly's own base map stays off (de-facto borders).
    return go.Choropleth(
        geojson=geo.context_geojson(), featureidkey="id", locations=[geo.CONTEXT_ID], z=[0],
        colorscale=[[0, CONTEXT_FILL], [1, CONTEXT_FILL]], showscale=False,
        marker={"line": {"width": 0}}, hoverinfo="skip", showlegend=False, name="",
        geo=subplot)


def _kosovo_trace(lang: str) -> go.Choropleth:
    label = t("map.kosovo_label", lang)
    return go.Choropleth(
        geojson=geo.kosovo_geojson(), featureidkey="id", locations=[geo.KOSOVO_ID], z=[0],
        colorscale=[[0, KOSOVO_FILL], [1, KOSOVO_FILL]], showscale=False,
        marker={"line": {"color": "#9a9a9a", "width": 0.6}},
        text=[f"<b>{html.escape(label)}</b><br>{t('map.kosovo_hover', lang)}<br>"
              f"{_wrap(t('map.kosovo_note', lang))}"],
        hovertemplate="%{text}<extra></extra>",
        name=t("map.kosovo_legend", lang), showlegend=True, legendrank=1000, geo="geo")


def _microstate_trace(df: pd.DataFrame, indicator: str, params: ChartParams) -> go.Scattergeo:
    pts = geo.microstate_points()
    rows = df.set_index("iso3")
    pts = pts[pts["iso3"].isin(rows.index)]
    hover = {r.iso3: hover_text(r, indicator, params) for r in df.itertuples()}
    fills = [category_colour(indicator, str(rows.at[a3, "status"])) for a3 in pts["iso3"]]
    changed = [bool(rows.at[a3, "changed"]) for a3 in pts["iso3"]]
    stale = [bool(rows.at[a3, "stale"]) for a3 in pts["iso3"]]
    faded = [not bool(rows.at[a3, "in_group"]) for a3 in pts["iso3"]]
    return go.Scattergeo(
        lon=list(pts["lon"]), lat=list(pts["lat"]), mode="markers",
        marker={"size": MICROSTATE_SIZE, "color": fills,
                # Stale evidence: the marker's own hatching (microstates are too small to
                # carry the map's diagonal lines).
                "symbol": ["circle-x" if s else "circle" for s in stale],
                "opacity": [FADED_OPACITY if f else 1.0 for f in faded],
                # A dark ring: a microstate shares its colour with the country around it.
                "line": {"color": [CHANGED_OUTLINE if c else "#333333" for c in changed],
                         "width": [3 if c else 1.2 for c in changed]}},
        customdata=list(pts["iso3"]), text=[hover[a3] for a3 in pts["iso3"]],
        hovertemplate="%{text}<extra></extra>", hoverlabel={"align": "left"},
        name=t("map.microstates", params.lang), showlegend=False, geo="geo")


UNKNOWN_MARK = "?"
# Where the microstates' panel goes on the screen and export maps (paper coordinates): on open
# sea and land that is not the OSCE's, clear of the legend and the North America inset.
MICROSTATE_PANEL: dict[str, dict[str, Any]] = {
    "osce": {"x": 0.0, "y": 0.0, "xanchor": "left", "yanchor": "bottom"},  # Atlantic, Africa
    "europe": {"x": 0.815, "y": 0.0, "xanchor": "left", "yanchor": "bottom"},  # under legend
}
MICROSTATE_PANEL_NAME = "microstates"


def _unknown_marks(df: pd.DataFrame, subplot_of: dict[str, str]) -> list[go.Scattergeo]:
    """A "?" on every State whose status is unknown: its grey must never pass for the grey of
    land that is not in the OSCE, nor for "no"."""
    pts = geo.label_points()
    where = {str(a3): (float(lon), float(lat))
             for a3, lon, lat in zip(pts["iso3"], pts["lon"], pts["lat"], strict=True)}
    unknown = [a3 for a3 in df.loc[df["status"] == "unknown", "iso3"] if a3 in where]
    out = []
    for key in dict.fromkeys(subplot_of.get(a3, "geo") for a3 in unknown):
        here = [a3 for a3 in unknown if subplot_of.get(a3, "geo") == key]
        out.append(go.Scattergeo(
            lon=[where[a3][0] for a3 in here], lat=[where[a3][1] for a3 in here], mode="text",
            text=[UNKNOWN_MARK] * len(here),
            textfont={"size": 15, "color": "#3a3a3a", "family": "DejaVu Sans, Arial"},
            hoverinfo="skip", showlegend=False, name="", geo=key))
    return out


def _microstate_panel(df: pd.DataFrame, indicator: str, lang: str) -> dict[str, Any]:
    """The seven microstates named, each with its status colour: on a map of the region they
    are a few pixels wide, and a reader must find Luxembourg or the Holy See without zooming."""
    rows = df.set_index("iso3")
    lines = [f"<b>{html.escape(t('map.microstates', lang))}</b>"]
    for a3 in geo.microstate_points()["iso3"]:
        if a3 not in rows.index:
            continue
        status = str(rows.at[a3, "status"])
        fill = category_colour(indicator, status)
        mark = "■" if luminance(fill) < 0.8 else "□"
        colour = fill if luminance(fill) < 0.8 else "#777777"
        # The colour says the status, as in the legend; "?" marks unknown, as on the map.
        lines.append(f"<span style='color:{colour}'>{mark}</span> "
                     f"{html.escape(str(rows.at[a3, 'state']))}"
                     + (f" {UNKNOWN_MARK}" if status == "unknown" else ""))
    return {"text": "<br>".join(lines), "xref": "paper", "yref": "paper", "showarrow": False,
            "align": "left", "bgcolor": "rgba(255,255,255,0.9)", "bordercolor": "#cccccc",
            "borderwidth": 1, "borderpad": 4, "font": {"size": 11, "color": "#222222"},
            "name": MICROSTATE_PANEL_NAME}


def map_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    """On a slide the type is large: the map takes the left two thirds, the legend and the
    microstates' panel the right third, so neither covers a State."""
    layout = dict(spec.get("layout") or {})
    geo_main = dict(layout.get("geo") or {})
    geo_main["domain"] = {"x": [0.0, 0.62], "y": [0.0, 1.0]}
    layout["geo"] = geo_main
    layout["legend"] = {**(layout.get("legend") or {}), "x": 0.64, "y": 1.0,
                        "xanchor": "left", "yanchor": "top", "orientation": "v"}
    layout["annotations"] = [
        {**a, "x": 0.64, "y": 0.0, "xanchor": "left", "yanchor": "bottom",
         "text": _two_per_line(a.get("text", ""))}
        if a.get("name") == MICROSTATE_PANEL_NAME else a
        for a in layout.get("annotations", [])]
    margin = dict(layout.get("margin") or {})
    margin["b"] = 10  # the source line is slide text there
    layout["margin"] = margin
    return {**spec, "layout": layout}


def map_on_phone(fig: go.Figure) -> None:
    """On a phone the map takes the full width: the legend in rows above it, the microstates'
    panel below it."""
    fig.update_layout(
        height=440, margin={"l": 4, "r": 4, "t": 8, "b": 8},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                "font": {"size": 11}, "entrywidth": 0.5, "entrywidthmode": "fraction",
                "title": {"side": "top"}})
    for trace in fig.data:
        # Two entries to a row: a long one ("Kosovo* (not a participating State)") on two lines.
        if trace.name and len(trace.name) > 24 and "<br>" not in trace.name:
            trace.name = "<br>".join(textwrap.wrap(trace.name, 24))
    fig.layout.geo.domain = {"x": [0.0, 1.0], "y": [0.3, 1.0]}  # the main map
    for a in fig.layout.annotations or ():
        if a.name == MICROSTATE_PANEL_NAME:
            a.update(x=0.0, y=0.0, xanchor="left", yanchor="bottom",
                     text=_two_per_line(str(a.text)))


def _two_per_line(panel: str) -> str:
    """The panel's names two to a line (its heading alone), to fit beside the legend."""
    head, *items = panel.split("<br>")
    pairs = ["\u2003".join(items[i:i + 2]) for i in range(0, len(items), 2)]
    return "<br>".join([head, *pairs])


def _view(params: ChartParams) -> str:
    return params.view if params.view in geo.VIEWS else DEFAULT_VIEW


def build_map(facts: Facts, params: ChartParams) -> ChartResult:
    indicator = params.indicator or DEFAULT_INDICATOR
    lang = params.lang
    view = _view(params)
    df = map_frame(facts, params)
    subplots = geo.view_subplots(view)
    subplot_of = {a3: key for key in subplots for a3 in geo.subplot_states(view, key)}

    traces: list[Any] = [_context_trace(key) for key in subplots]
    traces.append(_kosovo_trace(lang))
    absent = _absent_states(facts, params.as_of)
    for key in subplots:
        here = [a3 for a3 in absent if subplot_of.get(a3) == key]
        if here:
            traces.append(_absent_trace(facts, here, params, geo.states_geojson(here), key))
    traces += _category_traces(df, indicator, params, subplot_of,
                               lambda locs: geo.states_geojson(locs), lang)
    stale = df[df["stale"]]
    for n, key in enumerate(subplots):
        here = [a3 for a3 in stale["iso3"] if subplot_of.get(a3) == key]
        if here:
            traces += _stale_traces(df, key, here, lang, geo.hatch_lines,
                                    show_legend=n == 0 or not any(
                                        subplot_of.get(a3) == subplots[0]
                                        for a3 in stale["iso3"]))
    traces += _unknown_marks(df, subplot_of)
    traces.append(_microstate_trace(df, indicator, params))

    fig = go.Figure(traces)
    fig.update_layout(**geo.view_layout(view))
    title = indicator_label(indicator, lang)
    subtitle = _subtitle(df, indicator, params)
    frame_figure(fig, title, subtitle, _source_line(facts, df, params, kosovo=True),
                 height=MAP_HEIGHT)
    _place_legend(fig, indicator, lang, view)
    fig.update_layout(margin={"t": 78, "b": 62, "l": 8, "r": 8}, dragmode=False,
                      clickmode="event+select", hoverlabel={"font": {"size": 12}})
    fig.layout.annotations[-1].update(yshift=-6, font={"size": 10})
    if view in MICROSTATE_PANEL:
        # Added after the source line, which stays the last annotation until here.
        fig.add_annotation(**_microstate_panel(df, indicator, lang), **MICROSTATE_PANEL[view])
    return ChartResult(
        figure=fig, data=_export_frame(df, params), title=title, subtitle=subtitle,
        source_ids=_source_ids(df),
        alt_text=t("map.alt", lang, indicator=title, date=params.as_of.isoformat(),
                   counts=legend_line(df[df["in_group"]], indicator, lang),
                   view=t(f"map.view_{view}", lang)))


def _place_legend(fig: go.Figure, indicator: str, lang: str, view: str) -> None:
    if view == "osce":
        # The whole-region map fills the width: the legend sits on open land (Arabia/China).
        corner = geo.FREE_CORNER["osce"]
    else:
        # Regional maps and tiles are narrower than the figure: keep the legend beside them, in
        # a right-hand strip of their own, so it never covers a State.
        fig.update_geos(domain={"x": [0.0, 0.8], "y": [0.0, 1.0]})
        corner = {"x": 0.815, "y": 1.0, "xanchor": "left", "yanchor": "top"}
    fig.update_layout(
        showlegend=True,
        legend={**corner, "bgcolor": "rgba(255,255,255,0.88)", "bordercolor": "#cccccc",
                "borderwidth": 1, "font": {"size": 12},
                "title": {"text": f"<b>{t(f'indicator_short.{indicator}', lang)}</b>"},
                "itemclick": False, "itemdoubleclick": False, "traceorder": "normal"})


def _export_frame(df: pd.DataFrame, params: ChartParams) -> pd.DataFrame:
    cols = ["iso3", "state", "region", "status", "status_label", "detail", "evidence_date",
            "stale", "source_id", "gaps", "unknowns", "in_group"]
    if params.compare_to is not None:
        cols += ["before_status", "before_label", "change", "changed"]
    out = df[cols].copy()
    out.insert(0, "as_of", params.as_of.isoformat())
    out.insert(1, "indicator", params.indicator or DEFAULT_INDICATOR)
    return out


# ---------------------------------------------------------------------------------------------
# The tile grid


def tiles_geojson(iso3: Iterable[str] | None = None) -> dict[str, Any]:
    """Square polygons, one per State, on an equirectangular grid: tile (col, row) is centred
    at lon = col, lat = -row. Drawn with the same choropleth machinery as the map, tiles hover
    and click exactly like States on the map."""
    grid = geo.tiles()
    if iso3 is not None:
        grid = grid[grid["iso3"].isin(set(iso3))]
    h = TILE_SIDE / 2
    feats = []
    for r in grid.itertuples():
        x, y = float(r.col), -float(r.row)  # type: ignore[arg-type]
        ring = [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]
        # Reversed to a clockwise exterior ring, d3-geo's convention (the opposite of RFC
        # 7946): plotly would otherwise fill the whole globe minus this square.
        feats.append({"type": "Feature", "id": r.iso3, "properties": {"iso3": r.iso3},
                      "geometry": {"type": "Polygon", "coordinates": [ring[::-1]]}})
    return {"type": "FeatureCollection", "features": feats}


def _tile_hatch(iso3: list[str]) -> tuple[list[float | None], list[float | None]]:
    """Diagonal lines across each tile (the tile grid's version of geo.hatch_lines)."""
    grid = geo.tiles().set_index("iso3")
    cells = {str(a3): (float(c), -float(r)) for a3, c, r in
             zip(grid.index, grid["col"], grid["row"], strict=True)}
    h = TILE_SIDE / 2
    lons: list[float | None] = []
    lats: list[float | None] = []
    for a3 in iso3:
        x, y = cells[a3]
        for k in (-0.5, 0.0, 0.5):  # three parallel lines, clipped to the square
            lo, hi = max(-h, -h - k * 2 * h), min(h, h - k * 2 * h)
            lons += [x + lo, x + hi, None]
            lats += [y + lo + k * 2 * h, y + hi + k * 2 * h, None]
    return lons, lats


def _tile_layout() -> dict[str, Any]:
    grid = geo.tiles()
    return {"geo": {
        **geo.BASE_GEO,
        "projection": {"type": "equirectangular"},
        "lonaxis": {"range": [float(grid["col"].min()) - 0.6, float(grid["col"].max()) + 0.6]},
        "lataxis": {"range": [-float(grid["row"].max()) - 0.6, -float(grid["row"].min()) + 0.6]},
    }}


def build_tiles(facts: Facts, params: ChartParams) -> ChartResult:
    indicator = params.indicator or DEFAULT_INDICATOR
    lang = params.lang
    df = map_frame(facts, params)
    grid = geo.tiles().set_index("iso3")
    traces: list[Any] = []
    absent = [a3 for a3 in _absent_states(facts, params.as_of) if a3 in grid.index]
    if absent:
        traces.append(_absent_trace(facts, absent, params, tiles_geojson(absent), "geo"))
    traces += _category_traces(df, indicator, params, {a3: "geo" for a3 in df["iso3"]},
                               tiles_geojson, lang)
    stale = [a3 for a3 in df.loc[df["stale"], "iso3"] if a3 in grid.index]
    if stale:
        traces += _stale_traces(df, "geo", stale, lang, _tile_hatch, show_legend=True)
    # Labels: the ISO code on each tile, black or white by the tile's fill.
    fills = {str(r.iso3): category_colour(indicator, str(r.status)) for r in df.itertuples()}
    fills.update({a3: CONTEXT_FILL for a3 in absent})
    codes = [a3 for a3 in grid.index if a3 in fills]
    faded = set(df.loc[~df["in_group"], "iso3"])
    traces.append(go.Scattergeo(
        lon=[float(c) for c in grid.loc[codes, "col"]],
        lat=[-float(r) for r in grid.loc[codes, "row"]],
        mode="text", text=codes,
        textfont={"size": 12, "family": "DejaVu Sans, Arial, sans-serif",
                  "color": [("#9a9a9a" if a3 in faded or a3 in absent
                             else text_colour(fills[a3])) for a3 in codes]},
        hoverinfo="skip", showlegend=False, name="", geo="geo"))

    fig = go.Figure(traces)
    fig.update_layout(**_tile_layout())
    title = indicator_label(indicator, lang)
    subtitle = _subtitle(df, indicator, params)
    frame_figure(fig, title, subtitle, _source_line(facts, df, params, kosovo=False),
                 height=TILE_HEIGHT)
    _place_legend(fig, indicator, lang, "tiles")
    fig.update_layout(margin={"t": 78, "b": 50, "l": 8, "r": 8}, dragmode=False,
                      clickmode="event+select", hoverlabel={"font": {"size": 12}})
    fig.layout.annotations[-1].update(yshift=-6, font={"size": 10})
    return ChartResult(
        figure=fig, data=_export_frame(df, params), title=title, subtitle=subtitle,
        source_ids=_source_ids(df),
        alt_text=t("map.alt_tiles", lang, indicator=title, date=params.as_of.isoformat(),
                   counts=legend_line(df[df["in_group"]], indicator, lang)))


register(ChartSpec("map", "map.chart_map", build_map,
                   ("as_of", "indicator", "view", "compare_to", "group"), slide=map_on_slide,
                   phone=map_on_phone))
register(ChartSpec("tiles", "map.chart_tiles", build_tiles,
                   ("as_of", "indicator", "compare_to", "group"), slide=map_on_slide,
                   phone=map_on_phone))
