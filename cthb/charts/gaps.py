"""Where the gaps are: status counts per indicator, the State x indicator matrix, ratification
over time, and the gap lists ("who has not ratified X"). Pure builders: facts in, figure out.

Every number comes from the status engine through `cthb.indicators`; `unknown` is drawn in its
own grey and counted apart, never folded into "no".
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cthb import status as st
from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, register
from cthb.charts.style import (
    STALE_MARK,
    STATUS_COLOURS,
    UNKNOWN_GREY,
    frame_figure,
    phone_default,
    text_colour,
)
from cthb.dates import FIRST_DATE, REPORT_DATE
from cthb.facts import Facts
from cthb.i18n import format_day, indicator_label, region_label, status_label, t
from cthb.indicators import GAP_INDICATORS, INDICATORS, matrix_frame
from cthb.safe_text import plotly_literal
from cthb.schema import TREATIES
from cthb.sources import cite

# The indicators of the gap charts, in reading order: treaties, structures, the survey.
GAP_CHART_INDICATORS = ("UNTOC", "PALERMO", "COE197", "NCM", "NAP", "NR", "NRM", "SURVEY")
# Okabe-Ito hues, one per treaty: they must not look like statuses (blue = party elsewhere).
TREATY_COLOURS = {"UNTOC": "#0072B2", "PALERMO": "#D55E00", "COE197": "#009E73"}
# Where the "in force" label sits beside its marker: UNTOC and the Protocol entered into force
# three months apart, so their labels go on opposite sides.
EIF_LABEL_POSITION = {"UNTOC": "top left", "PALERMO": "bottom right", "COE197": "top left"}


# --- shared helpers (also used by cthb.charts.survey) --------------------------------------


def selected_states(facts: Facts, on: date, region: str | None = None,
                    group: str | None = None) -> list[str]:
    """The participating States on `on` that pass the region and group filters."""
    return [i for i in facts.participating_states(on)
            if (not region or facts.states[i]["region"] == region)
            and facts.in_group(i, group, on)]


def filters_text(region: str | None, group: str | None, lang: str) -> str:
    parts = []
    if region:
        parts.append(region_label(region, lang))
    if group:
        parts.append(t(f"gaps.group_{group}", lang))
    return " · ".join(parts)


def subtitle(on: date, n_states: int, region: str | None, group: str | None, lang: str,
             extra: str = "") -> str:
    parts = [t("gaps.as_of", lang, date=format_day(on, lang)),
             t("gaps.n_states", lang, n=n_states)]
    filt = filters_text(region, group, lang)
    if filt:
        parts.append(filt)
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def sources_summary(facts: Facts, source_ids: list[str], lang: str) -> str:
    """One line naming how many sources there are and the main publishers: the full list does
    not fit on a slide, it goes with the data download and the Data & sources page."""
    ids = [s for s in dict.fromkeys(source_ids) if s and facts.source(s)]
    publishers = Counter(str(facts.sources[s]["publisher"]) for s in source_ids
                         if s and facts.source(s))
    main = "; ".join(plotly_literal(_shorten(p, 80)) for p, _ in publishers.most_common(2))
    # Two lines, so that the line fits a narrow browser column as well as a slide.
    return (t("gaps.source_line", lang, n=len(ids), publishers=main or "-") + "<br>"
            + t("gaps.source_more", lang, version=facts.data_version[:8]))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def short_indicator(indicator: str, lang: str) -> str:
    return t(f"indicator_short.{indicator}", lang)


# --- (a) status counts per indicator -------------------------------------------------------


def _family_statuses(family: str) -> tuple[str, ...]:
    return {"treaty": st.TREATY_STATUSES, "structure": st.STRUCTURE_STATUSES,
            "survey": st.SURVEY_STATUSES, "monitoring": st.MONITORING_STATUSES}[family]


def status_counts_frame(facts: Facts, on: date, lang: str = "en", region: str | None = None,
                        group: str | None = None) -> pd.DataFrame:
    """Per indicator and status: how many of the selected States, zeros included."""
    states = set(selected_states(facts, on, region, group))
    m = matrix_frame(facts, on, lang, GAP_CHART_INDICATORS)
    m = m[m["iso3"].isin(states)]
    rows = []
    for ind in GAP_CHART_INDICATORS:
        sub = m[m["indicator"] == ind]
        counts = sub["status"].value_counts()
        stale = sub[sub["stale"].astype(bool)]["status"].value_counts()
        for s in INDICATORS[ind].statuses:
            rows.append({"indicator": ind, "indicator_label": short_indicator(ind, lang),
                         "status": s, "status_label": status_label(s, lang),
                         "count": int(counts.get(s, 0)), "stale": int(stale.get(s, 0)),
                         "states": len(sub)})
    return pd.DataFrame(rows)


def build_status_bars(facts: Facts, params: ChartParams) -> ChartResult:
    lang, on = params.lang, params.as_of
    states = selected_states(facts, on, params.region, params.group)
    data = status_counts_frame(facts, on, lang, params.region, params.group)
    m = matrix_frame(facts, on, lang, GAP_CHART_INDICATORS)
    source_ids = [s for s in m[m["iso3"].isin(states)]["source_id"] if s]
    y_labels = [short_indicator(i, lang) for i in GAP_CHART_INDICATORS]

    fig = go.Figure()
    # One trace per status, grouped in the legend by family; "unknown" is shared by all
    # families, so it is one trace, drawn last (at the right end of every bar).
    order: list[tuple[str, str]] = []
    for family in ("treaty", "structure", "survey"):
        order += [(family, s) for s in _family_statuses(family) if s != "unknown"]
    order.append(("all", "unknown"))
    stale_legend = True
    for family, s in order:
        inds = [i for i in GAP_CHART_INDICATORS
                if (family == "all" or INDICATORS[i].family == family)]
        sub = data[(data["status"] == s) & data["indicator"].isin(inds)]
        if sub["count"].sum() == 0 and s != "unknown":
            continue
        colour = STATUS_COLOURS[s]
        # Statuses resting on evidence more than five years old are counted apart: the same
        # colour, hatched, right after the current part of the bar.
        for part, counts in (("current", sub["count"] - sub["stale"]), ("stale", sub["stale"])):
            if part == "stale" and not counts.sum():
                continue
            stale = part == "stale"
            fig.add_trace(go.Bar(
                orientation="h", y=sub["indicator_label"], x=counts,
                name=t("gaps.stale_legend", lang) if stale else status_label(s, lang),
                # The pale "non-member" fill needs an outline to stand out from the background.
                marker={"color": colour, "line": {"color": "#bbbbbb" if s == "non-member"
                                                  else "white", "width": 1},
                        "pattern": {"shape": "/" if stale else "", "fgcolor": text_colour(colour),
                                    "fillmode": "overlay",
                                    "size": 7, "solidity": 0.3}},
                text=[str(c) if c else "" for c in counts], textposition="inside",
                insidetextanchor="middle", textfont={"color": text_colour(colour), "size": 14},
                textangle=0, legendgroup="_stale" if stale else family,
                legendgrouptitle={"text": t(f"gaps.legend_{'stale' if stale else family}",
                                            lang)},
                showlegend=not stale or stale_legend,
                customdata=[[status_label(s, lang)
                             + (f" ({t('gaps.stale_short', lang)})" if stale else ""), n]
                            for n in sub["states"]],
                hovertemplate="%{y}<br>%{customdata[0]}: <b>%{x}</b> / %{customdata[1]}"
                              "<extra></extra>"))
            if stale:
                stale_legend = False
    fig.update_layout(
        barmode="stack", bargap=0.3, height=560,
        yaxis={"categoryorder": "array", "categoryarray": y_labels, "autorange": "reversed",
               "tickfont": {"size": 14}},
        xaxis={"title": t("gaps.count_axis", lang), "range": [0, max(len(states), 1)],
               "gridcolor": "#eeeeee"},
        legend={"orientation": "v", "x": 1.01, "y": 1, "yanchor": "top",
                "traceorder": "grouped", "groupclick": "toggleitem", "font": {"size": 12},
                "tracegroupgap": 12},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    title = t("gaps.status_bars_title", lang)
    sub_text = subtitle(on, len(states), params.region, params.group, lang)
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"b": 125, "l": 150, "r": 200})
    fig.layout.annotations[-1].update(yshift=-65)
    alt = t("gaps.status_bars_alt", lang, date=format_day(on, lang), n=len(states))
    return ChartResult(fig, data, title, sub_text, list(dict.fromkeys(source_ids)), alt)


# --- (b) the State x indicator matrix -------------------------------------------------------


def matrix_data(facts: Facts, on: date, lang: str = "en", region: str | None = None,
                group: str | None = None, sort: str = "gaps") -> pd.DataFrame:
    """Long table State x indicator with the gap count per State and the row order."""
    states = selected_states(facts, on, region, group)
    m = matrix_frame(facts, on, lang, GAP_CHART_INDICATORS)
    m = m[m["iso3"].isin(states)].copy()
    in_gap_count = m["indicator"].isin(GAP_INDICATORS)
    gaps = m[in_gap_count].groupby("iso3")["is_gap"].sum().astype(int)
    unknowns = m[in_gap_count].groupby("iso3")["is_unknown"].sum().astype(int)
    m["gaps"] = m["iso3"].map(gaps).fillna(0).astype(int)
    m["unknowns"] = m["iso3"].map(unknowns).fillna(0).astype(int)
    m["status_label"] = [status_label(s, lang) for s in m["status"]]
    per_state = m.drop_duplicates("iso3")[["iso3", "state", "gaps", "unknowns"]]
    if sort == "name":
        per_state = per_state.sort_values("state", key=lambda s: s.str.casefold())
    else:
        per_state = per_state.assign(_n=per_state["state"].str.casefold()).sort_values(
            ["gaps", "unknowns", "_n"], ascending=[False, False, True])
    rank = {iso3: r for r, iso3 in enumerate(per_state["iso3"])}
    m["row"] = m["iso3"].map(rank)
    ind_order = {ind: c for c, ind in enumerate(GAP_CHART_INDICATORS)}
    m["col"] = m["indicator"].map(ind_order)
    return m.sort_values(["row", "col"]).reset_index(drop=True)


def matrix_part(part: str | None) -> tuple[int, int]:
    """("2/3") -> (2, 3): which of n equal slices of the rows to draw; (1, 1) for all."""
    try:
        k, n = (int(x) for x in (part or "1/1").split("/"))
    except ValueError:
        return 1, 1
    return (k, n) if 1 <= k <= n else (1, 1)


def build_matrix(facts: Facts, params: ChartParams) -> ChartResult:
    """The State x indicator matrix. Option `part` ("2/3") draws one slice of the rows, in the
    same order: a slide cannot show 57 rows in type that can be read from the back."""
    lang, on = params.lang, params.as_of
    sort = params.option("sort", "gaps") or "gaps"
    raw = matrix_data(facts, on, lang, params.region, params.group, sort)
    part, n_parts = matrix_part(params.option("part"))
    if n_parts > 1:
        rows = int(raw["row"].max()) + 1 if len(raw) else 0
        size = -(-rows // n_parts)
        raw = raw[(raw["row"] >= (part - 1) * size) & (raw["row"] < part * size)].copy()
        raw["row"] -= (part - 1) * size
    # The figure shows data text as text (Plotly would draw <b> or <a href> inside a name or a
    # detail); the data download keeps it as it is.
    m = raw.assign(state=raw["state"].map(plotly_literal),
                   detail=raw["detail"].map(plotly_literal))
    states = list(dict.fromkeys(m["iso3"]))
    names = list(dict.fromkeys(m["state"]))
    cols = [short_indicator(i, lang) for i in GAP_CHART_INDICATORS]
    # Categorical colours on a heatmap: each distinct colour gets an integer, and the colour
    # scale is a staircase with one flat step per integer.
    palette = list(dict.fromkeys(STATUS_COLOURS[s] for s in m["status"])) or [UNKNOWN_GREY]
    n = len(palette)
    scale = []
    for k, colour in enumerate(palette):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    z: list[list[float | None]] = [[None] * len(cols) for _ in states]
    text: list[list[str]] = [[""] * len(cols) for _ in states]
    records: list[dict[Any, Any]] = m.to_dict("records")
    for r in records:
        z[int(r["row"])][int(r["col"])] = palette.index(STATUS_COLOURS[r["status"]])
        # A stale status keeps its word, with a mark that the legend explains.
        text[int(r["row"])][int(r["col"])] = (t(f"gaps_cell.{r['status']}", lang)
                                              + ("*" if r["stale"] else ""))

    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=z, x=cols, y=names, text=text, texttemplate="%{text}", colorscale=scale,
        zmin=-0.5, zmax=n - 0.5, showscale=False, xgap=2, ygap=2, hoverinfo="skip",
        textfont={"size": 11}))
    # An invisible marker on every cell carries the hover text and the click: heatmaps cannot
    # be selected in Streamlit, scatter points can (customdata[0] is the State's ISO3 code).
    hover = [f"<b>{r['state']}</b> · {indicator_label(r['indicator'], lang)}<br>"
             f"{r['status_label']}: {r['detail']}<br>"
             f"{t('gaps.hover_date', lang)}: {r['evidence_date'] or '-'}"
             f"{'' if r['exact'] else ' (' + t('gaps.hover_bound', lang) + ')'}<br>"
             f"{t('app.source', lang)}: {cite(facts, r['source_id'], lang) or '-'}<br>"
             f"<i>{t('gaps.hover_click', lang)}</i>"
             for r in records]
    fig.add_trace(go.Scatter(
        x=[cols[c] for c in m["col"]], y=list(m["state"]), mode="markers",
        marker={"symbol": "square", "size": 18, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        customdata=m[["iso3", "indicator"]].to_numpy(), hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name=""))
    # Stale evidence: a dark outline around the cell (and "*" after its word).
    stale = m[m["stale"].astype(bool)]
    if len(stale):
        fig.add_trace(go.Scatter(
            x=[cols[c] for c in stale["col"]], y=list(stale["state"]), mode="markers",
            marker={"symbol": "square-open", "size": 19,
                    "line": {"color": STALE_MARK, "width": 2.2}, "color": STALE_MARK},
            hoverinfo="skip", name=t("gaps.stale_matrix_legend", lang), showlegend=True))
    # The gap count per State, as a last column of numbers.
    per_state = m.drop_duplicates("iso3")
    gap_col = t("indicator_short.GAPS", lang)
    fig.add_trace(go.Scatter(
        x=[gap_col] * len(per_state), y=list(per_state["state"]), mode="text",
        text=[str(g) for g in per_state["gaps"]], textfont={"size": 12, "color": "#7f2704"},
        hovertext=[t("gaps.hover_gaps", lang, gaps=g, unknowns=u)
                   for g, u in zip(per_state["gaps"], per_state["unknowns"], strict=True)],
        hovertemplate="%{y}: %{hovertext}<extra></extra>", showlegend=False, name=""))
    # Legend: one entry per status that appears, as a coloured square.
    for s in dict.fromkeys(s for ind in GAP_CHART_INDICATORS for s in INDICATORS[ind].statuses):
        if s in set(m["status"]):
            fig.add_trace(go.Scatter(
                x=[None], y=[None], mode="markers", name=status_label(s, lang),
                marker={"symbol": "square", "size": 14, "color": STATUS_COLOURS[s],
                        "line": {"color": "#999999", "width": 1}}, hoverinfo="skip"))
    row_h = 22
    height = max(360, 210 + row_h * len(states))
    fig.update_layout(
        height=height,
        xaxis={"side": "top", "categoryorder": "array", "categoryarray": [*cols, gap_col],
               "range": [-0.5, len(cols) + 0.5], "tickfont": {"size": 12}, "showgrid": False,
               "fixedrange": True},
        # Explicit ranges: the invisible markers would otherwise pad the axes with empty space.
        yaxis={"range": [len(names) - 0.5, -0.5], "categoryorder": "array",
               "categoryarray": names, "tickfont": {"size": 11}, "showgrid": False,
               "fixedrange": True},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "font": {"size": 11}},
        hoverlabel={"align": "left"}, clickmode="event+select", dragmode=False,
    )
    title = t("gaps.matrix_title", lang) + (f" ({part}/{n_parts})" if n_parts > 1 else "")
    sub_text = subtitle(on, len(states), params.region, params.group, lang,
                        t(f"gaps.sort_{'name' if sort == 'name' else 'gaps'}", lang))
    source_ids = [s for s in m["source_id"] if s]
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"t": 125, "b": 125, "l": 170})
    fig.layout.annotations[-1].update(yshift=-75)
    data = raw[["iso3", "state", "region", "indicator", "status", "detail", "evidence_date",
                "exact", "stale", "source_id", "is_gap", "is_unknown", "gaps"]]
    alt = t("gaps.matrix_alt", lang, n=len(states), date=format_day(on, lang))
    return ChartResult(fig, data.reset_index(drop=True), title, sub_text,
                       list(dict.fromkeys(source_ids)), alt)


# --- (c) ratification over time ------------------------------------------------------------


def _month_ends(start: date, end: date) -> list[date]:
    out = []
    y, mo = start.year, start.month
    while True:
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        if last > end:
            break
        if last >= start:
            out.append(last)
        y, mo = nxt.year, nxt.month
    return out


def _breakpoints(facts: Facts, iso3: str, treaty: str) -> set[date]:
    """The days on which a State's status for a treaty can change: the engine compares dates
    with <= and >=, so a change happens on a dated fact or on the day after it."""
    days = {facts.treaties[treaty]["opened"]}
    for a in facts.actions.get((iso3, treaty), []):
        days.add(a["action_date"])
    for o in st.treaty_observations(facts, iso3, treaty):
        days |= {o["as_of"], o["as_of"] + timedelta(days=1)}
    for org in ("OSCE", "COE"):
        for m in facts.memberships.get((iso3, org), []):
            days.add(m["since"])
            if m["until"] is not None:
                days.add(m["until"] + timedelta(days=1))
    return {d for d in days if d is not None}


@dataclass(frozen=True)
class _Track:
    """A State's status for one treaty as a step function of the date."""

    days: list[date]
    participating: list[bool]
    statuses: list[str]

    def at(self, d: date) -> tuple[bool, str]:
        k = bisect.bisect_right(self.days, d) - 1
        if k < 0:
            return False, "not signed"
        return self.participating[k], self.statuses[k]


def _track(facts: Facts, iso3: str, treaty: str) -> _Track:
    days = sorted(_breakpoints(facts, iso3, treaty) | {FIRST_DATE})
    part = [facts.is_member(iso3, "OSCE", d) for d in days]
    stat: list[str] = [st.treaty_status_of(facts, iso3, treaty, d).status for d in days]
    return _Track(days, part, stat)


def timeline_frame(facts: Facts, until: date, region: str | None = None,
                   group: str | None = None, split_by_region: bool = False,
                   treaties: tuple[str, ...] = TREATIES) -> pd.DataFrame:
    """Per sample date and treaty (and region when split): participating States, parties and
    unknowns. Sample dates are every day a status can change plus every month end, so the step
    lines are exact. The group filter is applied on each sample date."""
    tracks = {(iso3, tr): _track(facts, iso3, tr) for tr in treaties for iso3 in facts.states
              if not region or facts.states[iso3]["region"] == region}
    days = {FIRST_DATE, until, *_month_ends(FIRST_DATE, until)}
    for tr_ in tracks.values():
        days.update(tr_.days)
    sample = sorted(d for d in days if FIRST_DATE <= d <= until)
    group_cache: dict[tuple[str, date], bool] = {}
    rows = []
    for d in sample:
        for tr in treaties:
            counts: dict[str, Counter[str]] = {}
            for (iso3, treaty), track in tracks.items():
                if treaty != tr:
                    continue
                participating, status = track.at(d)
                if not participating:
                    continue
                if group:
                    key = (iso3, d)
                    if key not in group_cache:
                        group_cache[key] = facts.in_group(iso3, group, d)
                    if not group_cache[key]:
                        continue
                bucket = facts.states[iso3]["region"] if split_by_region else ""
                counts.setdefault(bucket, Counter())[status] += 1
                counts[bucket]["_states"] += 1
            for bucket, c in counts.items():
                rows.append({"date": d, "treaty": tr, "region": bucket or None,
                             "states": c["_states"], "party": c["party"],
                             "unknown": c["unknown"],
                             "party_or_unknown": c["party"] + c["unknown"]})
    return pd.DataFrame(rows, columns=["date", "treaty", "region", "states", "party", "unknown",
                                       "party_or_unknown"])


def _add_treaty_lines(fig: go.Figure, df: pd.DataFrame, facts: Facts, lang: str,
                      row: int | None = None, col: int | None = None,
                      legend_seen: set[str] | None = None) -> None:
    """Step lines of one panel. In small multiples (`legend_seen` given) each legend entry is
    shown once, by the first panel that draws it, and the entry-into-force labels are left
    out (the markers stay): they would not fit the small panels."""
    pos = {"row": row, "col": col} if row else {}
    seen = legend_seen if legend_seen is not None else set()
    labels = legend_seen is None

    def first(name: str) -> bool:
        if name in seen:
            return False
        seen.add(name)
        return True

    for tr in df["treaty"].unique():
        sub = df[df["treaty"] == tr]
        colour = TREATY_COLOURS.get(tr, "#555555")
        name = short_indicator(tr, lang)
        fig.add_trace(go.Scatter(
            x=sub["date"], y=sub["party"], mode="lines", line_shape="hv",
            line={"color": colour, "width": 3}, name=t("gaps.parties", lang, treaty=name),
            legendgroup=tr, showlegend=first(f"{tr}-party"),
            hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: <b>%{{y}}</b> "
                          f"{t('gaps.hover_parties', lang)}<extra></extra>"), **pos)
        if sub["unknown"].sum() > 0:
            # The band up to "party or unknown" shows how far the true count could be higher.
            fig.add_trace(go.Scatter(
                x=sub["date"], y=sub["party_or_unknown"], mode="lines", line_shape="hv",
                line={"color": colour, "width": 1.5, "dash": "dot"}, fill="tonexty",
                fillcolor=_rgba(colour, 0.15), legendgroup=tr,
                showlegend=first(f"{tr}-unknown"),
                name=t("gaps.parties_or_unknown", lang, treaty=name),
                hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y}} "
                              f"{t('gaps.hover_parties_or_unknown', lang)}<extra></extra>"),
                **pos)
        eif = facts.treaties[tr]["entry_into_force"]
        if eif is not None and sub["date"].min() <= eif:
            at = sub[sub["date"] <= eif].iloc[-1]
            fig.add_trace(go.Scatter(
                x=[eif], y=[at["party"]], mode="markers+text" if labels else "markers",
                marker={"symbol": "diamond", "size": 11, "color": colour,
                        "line": {"color": "white", "width": 1.5}},
                text=[t("gaps.entry_into_force", lang, treaty=name)],
                textposition=EIF_LABEL_POSITION.get(tr, "top left"),
                textfont={"size": 11, "color": colour}, legendgroup=tr, showlegend=False,
                hovertemplate=f"{t('gaps.entry_into_force', lang, treaty=name)}: "
                              f"{eif}<extra></extra>"), **pos)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def build_timeline(facts: Facts, params: ChartParams) -> ChartResult:
    lang = params.lang
    until_text = params.option("until")
    until = date.fromisoformat(until_text) if until_text else max(date.today(), params.as_of)
    split = params.option("split") == "region"
    df = timeline_frame(facts, until, params.region, params.group, split)
    source_ids: list[str] = []
    for tr in TREATIES:
        for iso3 in facts.states:
            source_ids += [a["source_id"] for a in facts.actions.get((iso3, tr), [])]
            source_ids += [o["source_id"] for o in st.treaty_observations(facts, iso3, tr)]

    if split:
        regions = sorted(r for r in df["region"].dropna().unique())
        ncols = 4
        nrows = (len(regions) + ncols - 1) // ncols
        fig = make_subplots(rows=max(nrows, 1), cols=ncols, shared_xaxes=True,
                            subplot_titles=[region_label(r, lang) for r in regions],
                            vertical_spacing=0.12, horizontal_spacing=0.05)
        legend_seen: set[str] = set()
        for k, reg in enumerate(regions):
            r, c = k // ncols + 1, k % ncols + 1
            _add_treaty_lines(fig, df[df["region"] == reg], facts, lang, r, c, legend_seen)
            sub = df[(df["region"] == reg) & (df["treaty"] == TREATIES[0])]
            fig.add_trace(go.Scatter(x=sub["date"], y=sub["states"], mode="lines",
                                     line_shape="hv", line={"color": "#999999", "width": 1},
                                     name=t("gaps.participating", lang), showlegend=k == 0,
                                     legendgroup="states", hoverinfo="skip"), row=r, col=c)
            fig.add_vline(x=REPORT_DATE, line={"color": "#555555", "dash": "dash", "width": 1},
                          row=r, col=c)
        height = 330 * max(nrows, 1) + 200
    else:
        fig = go.Figure()
        _add_treaty_lines(fig, df, facts, lang)
        sub = df[df["treaty"] == TREATIES[0]]
        fig.add_trace(go.Scatter(x=sub["date"], y=sub["states"], mode="lines", line_shape="hv",
                                 line={"color": "#999999", "width": 1.5},
                                 name=t("gaps.participating", lang), hoverinfo="skip"))
        fig.add_vline(x=REPORT_DATE, line={"color": "#555555", "dash": "dash", "width": 1.5})
        fig.add_annotation(x=REPORT_DATE, y=1, yref="paper", yanchor="bottom",
                           text=t("gaps.report_line", lang), showarrow=False,
                           font={"size": 12, "color": "#555555"})
        if params.as_of != REPORT_DATE:
            fig.add_vline(x=params.as_of, line={"color": "#999999", "dash": "dot", "width": 1})
            fig.add_annotation(x=params.as_of, y=0.93, yref="paper", xanchor="right",
                               text=t("gaps.as_of_line", lang,
                                      date=format_day(params.as_of, lang)),
                               showarrow=False, font={"size": 11, "color": "#777777"})
        height = 620
    fig.update_layout(
        height=height, hovermode="closest",
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "font": {"size": 12}},
        # For the slide layout (timeline_on_slide), which shows the labels as a legend entry.
        meta={"eif_legend": t("meeting.eif_legend", lang)},
    )
    fig.update_yaxes(rangemode="tozero", gridcolor="#eeeeee")
    fig.update_xaxes(gridcolor="#f3f3f3", range=[FIRST_DATE, until])
    if not split:
        fig.update_yaxes(title=t("gaps.count_axis", lang))
    title = t("gaps.timeline_title", lang)
    period = t("gaps.period", lang, start=format_day(FIRST_DATE, lang),
               end=format_day(until, lang))
    filt = filters_text(params.region, params.group, lang)
    sub_text = " · ".join(p for p in (period, filt,
                                      t("gaps.split_region", lang) if split else "") if p)
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"t": 110, "b": 165, "l": 60})
    fig.layout.annotations[-1].update(yshift=-105)
    alt = t("gaps.timeline_alt", lang)
    data = df.assign(date=df["date"].map(date.isoformat))
    if not split:
        data = data.drop(columns=["region"])
    return ChartResult(fig, data, title, sub_text, list(dict.fromkeys(source_ids)), alt)


# --- gap lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GapQuestion:
    id: str
    indicator: str
    statuses: tuple[str, ...]


GAP_QUESTIONS: tuple[GapQuestion, ...] = (
    GapQuestion("not_party_UNTOC", "UNTOC", ("signed", "not signed")),
    GapQuestion("not_party_PALERMO", "PALERMO", ("signed", "not signed")),
    GapQuestion("not_party_COE197", "COE197", ("signed", "not signed")),
    GapQuestion("no_NR", "NR", ("no", "planned")),
    GapQuestion("no_NRM", "NRM", ("no", "planned")),
    GapQuestion("no_NCM", "NCM", ("no", "planned")),
    GapQuestion("no_NAP", "NAP", ("no", "planned")),
    GapQuestion("no_SURVEY", "SURVEY", ("not responded",)),
    *(GapQuestion(f"unknown_{ind}", ind, ("unknown",)) for ind in GAP_CHART_INDICATORS),
)
QUESTIONS_BY_ID = {q.id: q for q in GAP_QUESTIONS}


def gap_list(facts: Facts, question_id: str, on: date, lang: str = "en",
             region: str | None = None, group: str | None = None) -> pd.DataFrame:
    """The States that answer a gap question on `on`: State, status, detail, date, source."""
    q = QUESTIONS_BY_ID[question_id]
    states = set(selected_states(facts, on, region, group))
    m = matrix_frame(facts, on, lang, (q.indicator,))
    m = m[m["iso3"].isin(states) & m["status"].isin(q.statuses)]
    m = m.sort_values("state", key=lambda s: s.str.casefold())
    return pd.DataFrame({
        "iso3": m["iso3"], "state": m["state"], "region": [region_label(r, lang)
                                                          for r in m["region"]],
        "indicator": q.indicator, "status": [status_label(s, lang) for s in m["status"]],
        "detail": m["detail"], "evidence_date": m["evidence_date"], "source_id": m["source_id"],
    }).reset_index(drop=True)


# --- on a slide ----------------------------------------------------------------------------
# Type on a slide is about twice the screen's: the legends move beside the plots, the matrix
# drops its cell words (the colours and the legend say them) and the timeline's labels become
# one legend entry.


def _with_layout(spec: dict[str, Any], **changes: Any) -> dict[str, Any]:
    layout = dict(spec.get("layout") or {})
    layout.update(changes)
    return {**spec, "layout": layout}


def status_bars_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    # Beside the bars, without the group headings, which would make it taller than the plot
    # in slide type (the status words say which family they belong to).
    data = [{k: v for k, v in tr.items() if k != "legendgrouptitle"}
            for tr in spec.get("data", [])]
    legend = {**(spec.get("layout") or {}).get("legend", {}), "x": 1.02, "y": 1.0,
              "yanchor": "top", "tracegroupgap": 0}
    return _with_layout({**spec, "data": data}, legend=legend,
                        margin={"t": 10, "b": 70, "l": 210, "r": 330})


def matrix_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    data = []
    for trace in spec.get("data", []):
        if trace.get("type") == "heatmap":
            trace = {**trace, "texttemplate": "", "text": None}
        data.append(trace)
    layout = dict(spec.get("layout") or {})
    layout["xaxis"] = {**(layout.get("xaxis") or {}), "tickangle": -40}
    # Every State named: plotly would skip labels it finds too close.
    layout["yaxis"] = {**(layout.get("yaxis") or {}), "tickmode": "linear", "dtick": 1}
    layout["legend"] = {**(layout.get("legend") or {}), "orientation": "v", "x": 1.02,
                        "y": 1.0, "yanchor": "top"}
    layout["margin"] = {"t": 150, "b": 10, "l": 270, "r": 290}
    return {**spec, "data": data, "layout": layout}


def timeline_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    data = []
    for trace in spec.get("data", []):
        if trace.get("mode") == "markers+text":
            # Labels beside lines collide in large type: the diamonds keep their colour, and
            # one legend entry says what they mark.
            trace = {**trace, "mode": "markers"}
        data.append(trace)
    meta = (spec.get("layout") or {}).get("meta") or {}
    data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                 "name": meta.get("eif_legend", ""), "showlegend": True, "hoverinfo": "skip",
                 "marker": {"symbol": "diamond", "size": 11, "color": "#555555"}})
    return _with_layout({**spec, "data": data}, margin={"t": 40, "b": 110, "l": 90, "r": 20})


# --- on a phone (about 360 px wide) --------------------------------------------------------


def status_bars_on_phone(fig: go.Figure) -> None:
    phone_default(fig)
    fig.update_layout(height=620, legend={"tracegroupgap": 2, "font": {"size": 11}})
    fig.update_xaxes(title_font={"size": 11})


def matrix_on_phone(fig: go.Figure) -> None:
    """Nine narrow columns: headers upright, no words in the cells (the colours and the legend
    say them), the legend above."""
    phone_default(fig)
    fig.update_traces(texttemplate="", selector={"type": "heatmap"})
    fig.update_xaxes(tickangle=-90, tickfont={"size": 11})
    fig.update_yaxes(tickfont={"size": 11})
    fig.update_layout(margin={"t": 130})  # room for the upright headers


def timeline_on_phone(fig: go.Figure) -> None:
    phone_default(fig)
    fig.update_traces(mode="markers", selector={"mode": "markers+text"})
    fig.add_scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                    name=str((fig.layout.meta or {}).get("eif_legend", "")),
                    marker={"symbol": "diamond", "size": 9, "color": "#555555"})
    # The legend below: the report's date is marked along the top.
    fig.update_layout(height=600, margin={"b": 10},
                      legend={"y": -0.1, "yanchor": "top", "font": {"size": 11}})


register(ChartSpec("status_bars", "gaps.chart_status_bars", build_status_bars,
                   ("as_of", "region", "group"), slide=status_bars_on_slide,
                   phone=status_bars_on_phone))
register(ChartSpec("matrix", "gaps.chart_matrix", build_matrix,
                   ("as_of", "region", "group", "extra"), slide=matrix_on_slide,
                   phone=matrix_on_phone))
register(ChartSpec("timeline", "gaps.chart_timeline", build_timeline,
                   ("as_of", "region", "group", "extra"), slide=timeline_on_slide,
                   phone=timeline_on_phone))
