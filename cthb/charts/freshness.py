"""How old the evidence behind the national-structure statuses is, on one date: a bar per age
band and structure kind. Pure builder: facts in, figure out (see cthb.freshness)."""

from __future__ import annotations

import plotly.graph_objects as go

from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, register
from cthb.charts.style import DARK_BLUE, MID_BLUE, UNKNOWN_GREY, frame_figure
from cthb.facts import Facts
from cthb.freshness import AGE_BANDS, UNKNOWN_BAND, age_histogram
from cthb.i18n import t
from cthb.schema import STRUCTURE_KINDS
from cthb.status import STALE_AFTER_YEARS

# One colour per structure kind, ordered by lightness so the groups read in print too.
KIND_COLOURS = {"NCM": DARK_BLUE, "NAP": "#2f6fae", "NR": MID_BLUE, "NRM": "#8fbfe6"}


def build_evidence_age(facts: Facts, params: ChartParams) -> ChartResult:
    lang, on = params.lang, params.as_of
    data = age_histogram(facts, on)
    bands = [label for label, _, _ in AGE_BANDS] + [UNKNOWN_BAND]
    band_labels = [t(f"data.age_{b.replace(' ', '').replace('<', 'lt').replace('+', 'plus')}",
                     lang) for b in bands]
    fig = go.Figure()
    for kind in STRUCTURE_KINDS:
        sub = data[data["indicator"] == kind].set_index("band").reindex(bands)
        fig.add_trace(go.Bar(
            x=band_labels, y=sub["states"], name=t(f"indicator_short.{kind}", lang),
            marker={"color": [UNKNOWN_GREY if b == UNKNOWN_BAND else KIND_COLOURS[kind]
                              for b in bands], "line": {"color": "white", "width": 1}},
            text=[str(int(v)) if v else "" for v in sub["states"]], textposition="outside",
            hovertemplate="%{x}: %{y}<extra>" + t(f"indicator_short.{kind}", lang)
                          + "</extra>"))
    stale_from = len([b for b in AGE_BANDS if b[2] <= STALE_AFTER_YEARS]) - 0.5
    fig.add_vline(x=stale_from, line={"color": "#555555", "dash": "dash", "width": 1.5})
    fig.add_annotation(x=stale_from, y=1, yref="paper", xanchor="left", yanchor="bottom",
                       text=t("data.age_stale_line", lang, years=STALE_AFTER_YEARS),
                       showarrow=False, font={"size": 12, "color": "#555555"})
    fig.update_layout(barmode="group", height=460,
                      xaxis={"title": t("data.age_axis", lang)},
                      yaxis={"title": t("data.age_count_axis", lang), "gridcolor": "#eeeeee"},
                      legend={"orientation": "h", "y": -0.25, "x": 0})
    title = t("data.age_title", lang)
    subtitle = t("data.age_subtitle", lang, date=on.isoformat())
    frame_figure(fig, title, subtitle, t("data.age_source", lang, version=facts.data_version))
    fig.update_layout(margin={"b": 130})
    fig.layout.annotations[-1].update(yshift=-100)
    stale_n = int(data[data["band"].isin(["5-10", "10+"])]["states"].sum())
    return ChartResult(fig, data, title, subtitle, [],
                       t("data.age_alt", lang, date=on.isoformat(), n=stale_n))


register(ChartSpec("evidence_age", "data.age_title", build_evidence_age))
