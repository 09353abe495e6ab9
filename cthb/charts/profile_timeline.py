"""Charts of one State: the timeline of its treaty actions and structures, and a locator map.

Both read the State from `ChartParams.extra` (`("iso3", "KAZ")`) and are built from the same
Profile the page and the brief show (cthb.profile), so every marker is a line of the profile.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import shape

from cthb import geo
from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, register
from cthb.charts.style import (
    AMBER,
    DARK_BLUE,
    MID_BLUE,
    PALE,
    STATUS_COLOURS,
    UNKNOWN_GREY,
    frame_figure,
)
from cthb.facts import Facts
from cthb.i18n import t
from cthb.profile import Profile, action_label, data_text, state_profile
from cthb.safe_text import plotly_literal
from cthb.schema import BINDING_ACTIONS, STRUCTURE_KINDS, TREATIES

# What an observation says, drawn in the colour of the status it implies.
_OBSERVED_COLOUR = {"party": DARK_BLUE, "signed": MID_BLUE, "not signed": AMBER,
                    "not party": AMBER}
_SYMBOLS = {"signature": "circle-open", "binding": "circle", "observation": "diamond-open",
            "in_force": "star", "structure": "square", "established": "triangle-up"}


def _iso3(params: ChartParams) -> str:
    iso3 = params.option("iso3")
    if not iso3:
        raise ValueError("this chart needs ChartParams.extra (('iso3', CODE),)")
    return iso3


def _lane(item: str, lang: str) -> str:
    return t(f"indicator_short.{item}", lang)


def events_frame(profile: Profile, lang: str) -> pd.DataFrame:
    """One row per dated event of the State: lane, date, event, status, source_id."""
    rows: list[dict[str, object]] = []
    for line in profile.treaties:
        lane = _lane(line.treaty, lang)
        for a in line.actions:
            kind = "signature" if a.action == "signature" else "binding"
            status = "signed" if kind == "signature" else "party"
            # The hover names the status the action brings ("Ratification: Party").
            rows.append({"lane": lane, "date": a.on,
                         "event": f"{action_label(a.action, lang)}: "
                                  f"{t('status.' + status, lang)}",
                         "status": status, "kind": kind, "source_id": a.source_id})
        for o in line.observations:
            rows.append({"lane": lane, "date": o.on,
                         "event": t("profile.observed", lang,
                                    status=t(f"status.{o.observed_status}", lang), date=o.on),
                         "status": o.observed_status, "kind": "observation",
                         "source_id": o.source_id})
        s = line.status
        if line.treaty == "COE197" and s.in_force_date and s.in_force_exact:
            rows.append({"lane": lane, "date": s.in_force_date,
                         "event": t("profile.in_force_from", lang, date=s.in_force_date),
                         "status": "in force", "kind": "in_force", "source_id": s.source_id})
    for sline in profile.structures:
        lane = _lane(sline.kind, lang)
        for r in sline.history:
            as_of = _start(r.as_of)
            # The source's words, cut at a word with an ellipsis and marked as such.
            rows.append({"lane": lane, "date": as_of,
                         "event": f"{t('status.' + r.status, lang)}: "
                                  + data_text(r.detail, lang, chars=110),
                         "status": r.status, "kind": "structure", "source_id": r.source_id})
            if r.established and r.status in ("yes", "partial"):
                rows.append({"lane": lane, "date": _start(r.established),
                             "event": f"{t('profile.established', lang)} {r.established}",
                             "status": r.status, "kind": "established",
                             "source_id": r.source_id})
    return pd.DataFrame(rows, columns=["lane", "date", "event", "status", "kind", "source_id"])


def _start(partial: str) -> date:
    # A year or month is drawn at its first day; the label keeps the source's precision.
    parts = [int(p) for p in partial.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def _colour(row: pd.Series) -> str:
    if row["kind"] == "observation":
        return _OBSERVED_COLOUR.get(str(row["status"]), UNKNOWN_GREY)
    return STATUS_COLOURS.get(str(row["status"]), UNKNOWN_GREY)


def build_state_timeline(facts: Facts, params: ChartParams) -> ChartResult:
    lang = params.lang
    profile = state_profile(facts, _iso3(params), params.as_of, lang)
    df = events_frame(profile, lang)
    lanes = [_lane(x, lang) for x in (*TREATIES, *STRUCTURE_KINDS)]
    fig = go.Figure()
    legend = {"signature": action_label("signature", lang),
              "binding": " / ".join(action_label(a, lang) for a in BINDING_ACTIONS[:2]),
              "observation": t("profile.observations", lang),
              "in_force": t("status.in force", lang),
              "structure": t("profile.structure_record", lang),
              "established": t("profile.established", lang)}
    for kind, label in legend.items():
        part = df[df["kind"] == kind]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["date"], y=part["lane"], mode="markers", name=label,
            marker={"symbol": _SYMBOLS[kind], "size": 14,
                    "color": [_colour(r) for _, r in part.iterrows()],
                    "line": {"width": 2, "color": [_colour(r) for _, r in part.iterrows()]}},
            # Events quote data (a structure's detail): shown as text, not as Plotly markup.
            customdata=part[["event", "source_id"]].astype(str).map(plotly_literal).values,
            hovertemplate="%{x|%Y-%m-%d} · %{y}<br>%{customdata[0]}<br>"
                          + t("profile.source_id", lang) + ": %{customdata[1]}<extra></extra>"))
    start = min([date(2000, 1, 1), *df["date"].tolist()]) - timedelta(days=300)
    end = max([params.as_of, *df["date"].tolist()]) + timedelta(days=400)
    fig.add_shape(type="line", x0=params.as_of, x1=params.as_of, y0=0, y1=1, yref="paper",
                  line={"color": "#444", "dash": "dash", "width": 1.5})
    fig.add_annotation(x=params.as_of, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=params.as_of.isoformat(), font={"size": 11, "color": "#444"})
    osce = profile.header.osce.since
    if osce and osce > date(2000, 1, 1):
        # A State that joined within the range (Mongolia, 2012): show when.
        fig.add_shape(type="line", x0=osce, x1=osce, y0=0, y1=1, yref="paper",
                      line={"color": AMBER, "dash": "dot", "width": 1.5})
        fig.add_annotation(x=osce, y=0, yref="paper", yanchor="top", showarrow=False,
                           text=f"OSCE {osce.isoformat()}", font={"size": 11, "color": "#8a5a00"})
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(lanes)),
                     type="category", range=[-0.5, len(lanes) - 0.5], gridcolor="#eee")
    fig.update_xaxes(range=[start, end], type="date", gridcolor="#eee", showline=True,
                     linecolor="#999")
    fig.update_layout(legend={"orientation": "h", "y": -0.09, "yanchor": "top", "x": 0},
                      showlegend=True)
    title = f"{t('profile.timeline', lang)}: {profile.name}"
    subtitle = t("brief.as_of", lang, date=params.as_of.isoformat())
    ids = list(dict.fromkeys(df["source_id"].dropna().astype(str)))
    source_text = f"{t('app.sources', lang)}: " + ", ".join(ids[:8])
    if len(ids) > 8:
        source_text += " …"
    frame_figure(fig, title, subtitle, source_text, height=500)
    # The legend sits under the axis: move the source line below it.
    fig.layout.annotations[-1].yshift = -100
    fig.update_layout(margin={"t": 90, "b": 130, "l": 140, "r": 30})
    alt = t("brief.timeline_alt", lang, name=profile.name, count=len(df),
            date=params.as_of.isoformat())
    return ChartResult(fig, df, title, subtitle, ids, alt)


# --- locator map ---------------------------------------------------------------------------


def _bounds(features: list[dict[str, object]]) -> tuple[float, float, float, float]:
    """lon/lat box of the features' parts, ignoring parts across the 180° meridian (Chukotka,
    the western Aleutians) that would otherwise stretch the box around the globe."""
    boxes = []
    for f in features:
        geom = shape(f["geometry"])
        for part in getattr(geom, "geoms", [geom]):
            if -170 < part.centroid.x < 170:
                boxes.append(part.bounds)
    if not boxes:
        return -10.0, 30.0, 180.0, 80.0
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def build_state_locator(facts: Facts, params: ChartParams) -> ChartResult:
    """The State in dark blue among its subregion (pale) and the rest of the OSCE (lighter)."""
    lang = params.lang
    iso3 = _iso3(params)
    region = facts.states[iso3]["region"]
    neighbours = [i for i, r in facts.states.items() if r["region"] == region]
    all_states = geo.states_geojson()
    region_features = [f for f in all_states["features"] if f["id"] in neighbours]
    lon0, lat0, lon1, lat1 = _bounds(region_features)
    pad_lon, pad_lat = max(3.0, (lon1 - lon0) * 0.15), max(2.0, (lat1 - lat0) * 0.15)
    fig = go.Figure()
    fig.add_trace(go.Choropleth(
        geojson=geo.context_geojson(), locations=[geo.CONTEXT_ID], z=[0],
        colorscale=[[0, "#eeeeee"], [1, "#eeeeee"]], showscale=False,
        marker={"line": {"width": 0}}, hoverinfo="skip"))
    ids = [f["id"] for f in all_states["features"]]
    colours = {i: (DARK_BLUE if i == iso3 else PALE if i in neighbours else "#e2e6ea")
               for i in ids}
    palette = sorted(set(colours.values()))
    fig.add_trace(go.Choropleth(
        geojson=all_states, locations=ids, z=[palette.index(colours[i]) for i in ids],
        colorscale=[[k / max(1, len(palette) - 1), c] for k, c in enumerate(palette)],
        zmin=0, zmax=max(1, len(palette) - 1), showscale=False,
        marker={"line": {"width": 0.6, "color": "white"}},
        text=[plotly_literal(facts.state_name(i, lang)) for i in ids],
        hovertemplate="%{text}<extra></extra>"))
    # A marker makes microstates (Holy See, Monaco) visible at any zoom.
    points = geo.label_points()
    here = points[points["iso3"] == iso3]
    if not here.empty:
        fig.add_trace(go.Scattergeo(
            lon=here["lon"], lat=here["lat"], mode="markers+text",
            marker={"size": 12, "color": AMBER, "line": {"width": 2, "color": DARK_BLUE}},
            text=[plotly_literal(facts.state_name(iso3, lang))], textposition="top center",
            # A white halo: the name often sits on the State's own dark blue.
            textfont={"size": 13, "color": "#111",
                      "shadow": "-1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, "
                                "1px 1px 0 #fff, 0 0 3px #fff"},
            hoverinfo="skip"))
    fig.update_geos(visible=False, projection_type="mercator",
                    lonaxis_range=[lon0 - pad_lon, lon1 + pad_lon],
                    lataxis_range=[max(-80, lat0 - pad_lat), min(84, lat1 + pad_lat)],
                    bgcolor="#f7fbff")
    title = f"{t('profile.locator', lang)}: {facts.state_name(iso3, lang)}"
    subtitle = t("region." + region, lang)
    # The disclaimer is long: break it so it is not clipped on a narrow figure.
    words = t("app.disclaimer", lang).split()
    half = len(words) // 2
    disclaimer = " ".join(words[:half]) + "<br>" + " ".join(words[half:])
    frame_figure(fig, title, subtitle, disclaimer, height=480)
    fig.layout.annotations[-1].yshift = -6
    fig.update_layout(showlegend=False, margin={"t": 70, "b": 50, "l": 10, "r": 10})
    data = pd.DataFrame({"iso3": [iso3], "region": [region]})
    alt = t("brief.locator_alt", lang, name=facts.state_name(iso3, lang),
            region=t("region." + region, lang))
    return ChartResult(fig, data, title, subtitle, ["natural-earth-50m"], alt)


register(ChartSpec("state_timeline", "profile.timeline", build_state_timeline,
                   ("as_of", "lang", "extra")))
register(ChartSpec("state_locator", "profile.locator", build_state_locator,
                   ("lang", "extra")))


def timeline_key(lang: str) -> str:
    """What the timeline's shapes and colours mean, in words (under the chart and the slide)."""
    return t("meeting.timeline_key", lang)
