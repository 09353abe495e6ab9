"""Coverage of the July 2007 survey (sr-2007-07): who answered, by region, and how answering
relates to the national structures. Pure builders: facts in, figure out.

The sources list the answers received by 13 November 2007 (the list date). The charts show
the survey on the as-of date, but never after the list date: after it, a State missing from
the list is `unknown` (it may have answered later), which says nothing about the survey.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cthb import schema
from cthb import status as st
from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, register
from cthb.charts.gaps import (
    selected_states,
    short_indicator,
    sources_summary,
    subtitle,
)
from cthb.charts.style import STATUS_COLOURS, frame_figure, phone_default, text_colour
from cthb.facts import Facts
from cthb.i18n import format_day, region_label, status_label, t
from cthb.indicators import DEFAULT_SURVEY, matrix_frame
from cthb.safe_text import plotly_literal

FIELD_OPS_SURVEY = "sr-2007-fo"


def survey_date(facts: Facts, as_of: date, survey_id: str = DEFAULT_SURVEY) -> date:
    """The date the survey charts describe: the as-of date, capped at the list date."""
    list_date = st.survey_list_date(facts, survey_id)
    return min(as_of, list_date) if list_date else as_of


def survey_frame(facts: Facts, on: date, lang: str = "en", region: str | None = None,
                 group: str | None = None) -> pd.DataFrame:
    """One row per selected participating State on `on`: its survey status and source."""
    states = set(selected_states(facts, on, region, group))
    m = matrix_frame(facts, on, lang, ("SURVEY",))
    return m[m["iso3"].isin(states)].reset_index(drop=True)


def region_counts(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per region: responded / not responded / unknown, total and response rate."""
    rows = []
    for reg, sub in sorted(df.groupby("region"), key=lambda kv: str(kv[0])):
        counts = sub["status"].value_counts()
        row: dict[str, object] = {"region": reg, "region_label": region_label(str(reg), lang)}
        row.update({s: int(counts.get(s, 0)) for s in st.SURVEY_STATUSES})
        row["states"] = len(sub)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["region", "region_label", *st.SURVEY_STATUSES, "states"])
    out["response_rate"] = (out["responded"] / out["states"]).round(3)
    return out


def build_survey_regions(facts: Facts, params: ChartParams) -> ChartResult:
    lang = params.lang
    on = survey_date(facts, params.as_of)
    df = survey_frame(facts, on, lang, params.region, params.group)
    data = region_counts(df, lang)
    # Largest response rate first, then the total as the first bar of all.
    data = data.sort_values(["response_rate", "region_label"], ascending=[False, True])
    n_responded = int((df["status"] == "responded").sum())
    total: dict[str, object] = {"region": "", "region_label": t("survey.all_regions", lang)}
    total.update({s: int((df["status"] == s).sum()) for s in st.SURVEY_STATUSES})
    total["states"] = len(df)
    total["response_rate"] = round(n_responded / len(df), 3) if len(df) else 0.0
    rows = pd.concat([pd.DataFrame([total]), data], ignore_index=True)
    y = [f"<b>{rows['region_label'].iloc[0]}</b>", *rows["region_label"].iloc[1:]]

    fig = go.Figure()
    for s in st.SURVEY_STATUSES:
        colour = STATUS_COLOURS[s]
        fig.add_trace(go.Bar(
            orientation="h", y=y, x=rows[s], name=status_label(s, lang),
            marker={"color": colour, "line": {"color": "white", "width": 1}},
            text=[str(v) if v else "" for v in rows[s]], textposition="inside",
            insidetextanchor="middle", textfont={"color": text_colour(colour), "size": 14},
            textangle=0,
            hovertemplate="%{y}<br>" + status_label(s, lang) + ": <b>%{x}</b><extra></extra>"))
    # The response rate, written at the end of each bar (the total bar is simply the widest).
    for label, r in zip(y, rows.to_dict("records"), strict=True):
        fig.add_annotation(x=r["states"], y=label, xanchor="left", xshift=8, showarrow=False,
                           text=t("survey.rate", lang, responded=r["responded"],
                                  states=r["states"], pct=round(100 * float(r["response_rate"]))),
                           font={"size": 13, "color": "#333333"})
    fig.update_layout(
        barmode="stack", bargap=0.28, height=520,
        yaxis={"categoryorder": "array", "categoryarray": y, "autorange": "reversed",
               "tickfont": {"size": 14}},
        xaxis={"title": t("gaps.count_axis", lang), "range": [0, max(len(df), 1) * 1.22],
               "gridcolor": "#eeeeee"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0,
                "traceorder": "normal", "font": {"size": 13}},
    )
    title = t("survey.regions_title", lang)
    sub_text = subtitle(on, len(df), params.region, params.group, lang,
                        t("survey.list_note", lang))
    source_ids = [s for s in df["source_id"] if s]
    source_ids += [facts.surveys[DEFAULT_SURVEY]["source_id"]]
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"t": 130, "b": 125, "l": 190, "r": 30})
    fig.layout.annotations[-1].update(yshift=-65)
    alt = t("survey.regions_alt", lang, responded=n_responded, states=len(df),
            date=format_day(on, lang))
    return ChartResult(fig, rows.drop(columns=["region"]).rename(
        columns={"region_label": "region"}), title, sub_text,
        list(dict.fromkeys(source_ids)), alt)


def crosstab_frame(facts: Facts, on: date, lang: str = "en", region: str | None = None,
                   group: str | None = None) -> pd.DataFrame:
    """Per structure and structure status: how many States answered the survey, did not, or
    are unknown. Both statuses are taken on the same date `on`."""
    states = set(selected_states(facts, on, region, group))
    m = matrix_frame(facts, on, lang, (*schema.STRUCTURE_KINDS, "SURVEY"))
    m = m[m["iso3"].isin(states)]
    survey = m[m["indicator"] == "SURVEY"].set_index("iso3")["status"]
    rows = []
    for ind in schema.STRUCTURE_KINDS:
        sub = m[m["indicator"] == ind]
        for s in st.STRUCTURE_STATUSES:
            who = sub[sub["status"] == s]["iso3"]
            answers = survey.reindex(who).value_counts()
            row: dict[str, object] = {"indicator": ind, "structure_status": s,
                                      "states": len(who)}
            row.update({a: int(answers.get(a, 0)) for a in st.SURVEY_STATUSES})
            rows.append(row)
    return pd.DataFrame(rows)


def build_survey_crosstab(facts: Facts, params: ChartParams) -> ChartResult:
    lang = params.lang
    on = survey_date(facts, params.as_of)
    data = crosstab_frame(facts, on, lang, params.region, params.group)
    shown = data[data["states"] > 0]
    # "Rapporteur: Yes" labels, not a two-level axis: plotly orders the second level globally,
    # which would break each structure's own status order.
    y = [f"{short_indicator(i, lang)}: {status_label(s, lang)}"
         for i, s in zip(shown["indicator"], shown["structure_status"], strict=True)]
    fig = go.Figure()
    for s in st.SURVEY_STATUSES:
        colour = STATUS_COLOURS[s]
        fig.add_trace(go.Bar(
            orientation="h", y=y, x=shown[s], name=status_label(s, lang),
            marker={"color": colour, "line": {"color": "white", "width": 1}},
            text=[str(v) if v else "" for v in shown[s]], textposition="inside",
            insidetextanchor="middle", textfont={"color": text_colour(colour), "size": 13},
            textangle=0, customdata=shown["states"],
            hovertemplate="%{y}<br>" + status_label(s, lang)
                          + ": <b>%{x}</b> / %{customdata}<extra></extra>"))
    fig.update_layout(
        barmode="stack", bargap=0.25, height=max(460, 260 + 34 * len(shown)),
        yaxis={"autorange": "reversed", "tickfont": {"size": 13}, "categoryorder": "array",
               "categoryarray": y},
        xaxis={"title": t("gaps.count_axis", lang), "gridcolor": "#eeeeee"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0,
                "traceorder": "normal",
                "title": {"text": t("survey.legend_title", lang)}, "font": {"size": 13}},
    )
    n_states = len(selected_states(facts, on, params.region, params.group))
    title = t("survey.crosstab_title", lang)
    sub_text = subtitle(on, n_states, params.region, params.group, lang,
                        t("survey.crosstab_note", lang))
    m = matrix_frame(facts, on, lang, (*schema.STRUCTURE_KINDS, "SURVEY"))
    source_ids = [s for s in m["source_id"] if s]
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"t": 140, "b": 125, "l": 230, "r": 30})
    fig.layout.annotations[-1].update(yshift=-65)
    alt = t("survey.crosstab_alt", lang, date=format_day(on, lang))
    return ChartResult(fig, data, title, sub_text, list(dict.fromkeys(source_ids)), alt)


def other_respondents(facts: Facts, on: date, lang: str = "en") -> pd.DataFrame:
    """The Partners for Co-operation (July 2007 survey) and the OSCE field operations (their own
    2007 survey) whose answers were received by `on`."""
    rows = []
    for r in facts.survey_responses:
        if r["received_by"] > on:
            continue
        if r["survey_id"] == DEFAULT_SURVEY and r["kind"] == "partner":
            kind = "partner"
            name = facts.state_name(r["iso3"], lang)
        elif r["survey_id"] == FIELD_OPS_SURVEY and r["kind"] == "field_operation":
            kind = "field_operation"
            name = r["respondent"]
        else:
            continue
        rows.append({"kind": kind, "kind_label": t(f"survey.kind_{kind}", lang),
                     "respondent": name, "host": _host_name(facts, r["iso3"], lang),
                     "iso3": r["iso3"], "received_by": r["received_by"].isoformat(),
                     "source_id": r["source_id"]})
    df = pd.DataFrame(rows, columns=["kind", "kind_label", "respondent", "host", "iso3",
                                     "received_by", "source_id"])
    return df.sort_values(["kind", "respondent"], ascending=[False, True]).reset_index(drop=True)


def _host_name(facts: Facts, iso3: str, lang: str) -> str:
    """A field operation's host in `lang`: Kosovo is no State, so its name is not in the
    States' table but in the interface text."""
    if iso3 in schema.NON_STATE_AREAS:
        return t(f"survey.area_{iso3}", lang)
    return facts.state_name(iso3, lang)


def build_survey_others(facts: Facts, params: ChartParams) -> ChartResult:
    """A table figure, so that the list can go on a slide like the charts."""
    lang = params.lang
    on = survey_date(facts, params.as_of)
    data = other_respondents(facts, on, lang)
    fig = go.Figure(go.Table(
        columnwidth=[1.2, 3, 1.6, 1],
        header={"values": [f"<b>{t('survey.col_kind', lang)}</b>",
                           f"<b>{t('survey.col_respondent', lang)}</b>",
                           f"<b>{t('survey.col_host', lang)}</b>",
                           f"<b>{t('app.source', lang)}</b>"],
                "fill_color": "#0b3c6b", "font": {"color": "white", "size": 14},
                "align": "left", "height": 30},
        cells={"values": [data[c].map(plotly_literal) for c in ("kind_label", "respondent",
                                                                 "host", "source_id")],
               "fill_color": [["#f3f6fa" if k == "partner" else "white"
                               for k in data["kind"]]],
               "align": "left", "font": {"size": 13}, "height": 26}))
    n_partners = int((data["kind"] == "partner").sum())
    n_ops = int((data["kind"] == "field_operation").sum())
    fig.update_layout(height=200 + 27 * (len(data) + 1))
    title = t("survey.others_title", lang)
    sub_text = " · ".join([t("gaps.as_of", lang, date=format_day(on, lang)),
                           t("survey.others_counts", lang, partners=n_partners, ops=n_ops)])
    source_ids = list(dict.fromkeys(s for s in data["source_id"] if s))
    frame_figure(fig, title, sub_text, sources_summary(facts, source_ids, lang))
    fig.update_layout(margin={"t": 100, "b": 85, "l": 20, "r": 20})
    alt = t("survey.others_alt", lang, partners=n_partners, ops=n_ops)
    return ChartResult(fig, data, title, sub_text, source_ids, alt)


# --- on a slide (see cthb.charts.gaps: type twice the screen's) ----------------------------


def crosstab_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    """Every row keeps its label (plotly would skip some in large type)."""
    layout = dict(spec.get("layout") or {})
    layout["yaxis"] = {**(layout.get("yaxis") or {}), "tickmode": "linear", "dtick": 1}
    layout["bargap"] = 0.15
    layout["margin"] = {"t": 60, "b": 70, "l": 330, "r": 20}
    return {**spec, "layout": layout}


def others_on_slide(spec: dict[str, Any]) -> dict[str, Any]:
    """The table as two side by side, Partners and field operations, without the columns of
    kind and source id (the notes give the sources): seventeen rows do not fit one column in
    slide type."""
    table = next((tr for tr in spec.get("data", []) if tr.get("type") == "table"), None)
    if table is None:
        return spec
    kinds, names, hosts = (table["cells"]["values"][k] for k in range(3))
    header = table["header"]["values"]
    traces = []
    groups = list(dict.fromkeys(kinds))
    for n, kind in enumerate(groups):
        rows = [j for j, k in enumerate(kinds) if k == kind]
        traces.append({
            "type": "table", "domain": {"x": [n / len(groups) + (0.02 if n else 0),
                                              (n + 1) / len(groups) - 0.01], "y": [0, 1]},
            "columnwidth": [3, 2],
            "header": {**table["header"], "values": [f"<b>{kind}</b>", header[2]]},
            "cells": {**table["cells"], "values": [[names[j] for j in rows],
                                                   [hosts[j] for j in rows]],
                      "fill_color": "white", "height": 30}})
    layout = dict(spec.get("layout") or {})
    layout["margin"] = {"t": 10, "b": 10, "l": 10, "r": 10}
    return {**spec, "data": traces, "layout": layout}


# --- on a phone ----------------------------------------------------------------------------


def regions_on_phone(fig: go.Figure) -> None:
    phone_default(fig)
    # Room on the right for the "32 of 56 · 57%" beside each bar.
    fig.update_layout(margin={"r": 100})
    fig.update_xaxes(title_font={"size": 11})


def crosstab_on_phone(fig: go.Figure) -> None:
    phone_default(fig)
    fig.update_xaxes(title_font={"size": 11})


def others_on_phone(fig: go.Figure) -> None:
    """Partners above, field operations below, each as name and host (the kind is the
    heading; the sources are in the source note under the chart)."""
    table = next((tr for tr in fig.data if tr.type == "table"), None)
    if table is None:
        return
    kinds, names, hosts = (list(table.cells.values[k]) for k in range(3))
    header = list(table.header.values)
    groups = list(dict.fromkeys(kinds))
    counts = [kinds.count(k) + 1 for k in groups]
    total = sum(counts)
    top = 1.0
    tables = []
    for kind, n in zip(groups, counts, strict=True):
        bottom = top - n / total
        rows = [j for j, k in enumerate(kinds) if k == kind]
        tables.append(go.Table(
            domain={"x": [0, 1], "y": [max(0.0, bottom + 0.01), top]}, columnwidth=[3, 2],
            header={"values": [f"<b>{kind}</b>", header[2]], "fill_color": "#0b3c6b",
                    "font": {"color": "white", "size": 13}, "align": "left"},
            cells={"values": [[names[j] for j in rows], [hosts[j] for j in rows]],
                   "align": "left", "font": {"size": 12}, "height": 24}))
        top = bottom
    fig.data = ()
    for tr in tables:
        fig.add_trace(tr)
    fig.update_layout(height=60 + 34 * total, margin={"l": 4, "r": 4, "t": 8, "b": 8})


register(ChartSpec("survey_regions", "survey.chart_regions", build_survey_regions,
                   ("as_of", "region", "group"), phone=regions_on_phone))
register(ChartSpec("survey_crosstab", "survey.chart_crosstab", build_survey_crosstab,
                   ("as_of", "region", "group"), slide=crosstab_on_slide,
                   phone=crosstab_on_phone))
register(ChartSpec("survey_others", "survey.chart_others", build_survey_others, ("as_of",),
                   slide=others_on_slide, phone=others_on_phone))
