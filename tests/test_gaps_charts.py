"""The gap charts say what the status engine says: numbers read back from the figures' trace
data are compared with cthb.status on several dates, including the report date."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import SupportsInt, cast

import pytest

from cthb import status as st
from cthb.charts.catalog import ChartParams, load_all
from cthb.charts.gaps import GAP_CHART_INDICATORS, gap_list, short_indicator, timeline_frame
from cthb.facts import Facts
from cthb.i18n import status_label

CHARTS = load_all()
REPORT = date(2007, 11, 13)
DATES = [REPORT, date(2003, 10, 1), date(2008, 2, 1), date(2012, 11, 21), date(2024, 6, 30)]


def engine_counts(facts: Facts, indicator: str, on: date,
                  states: set[str] | None = None) -> Counter[str]:
    """Counts per status straight from cthb.status (not through cthb.indicators)."""
    rows: list[tuple[str, str]]  # (iso3, status word): treaty, survey or structure words
    if indicator in ("UNTOC", "PALERMO", "COE197"):
        rows = [(s.iso3, s.status) for s in st.treaty_statuses(facts, indicator, on)]
    elif indicator == "SURVEY":
        rows = [(s.iso3, s.status) for s in st.survey_statuses(facts, "sr-2007-07", on)]
    else:
        rows = [(s.iso3, s.status) for s in st.structure_statuses(facts, indicator, on)]
    return Counter(status for iso3, status in rows if states is None or iso3 in states)


def bar_counts(figure: object, stale_only: bool = False
               ) -> dict[tuple[str, str], int]:
    """(indicator label, status label) -> count, read back from the stacked bars. A status's
    bar has a current part and a hatched stale part (their hover names the status); both are
    summed, or with `stale_only` only the hatched parts."""
    out: dict[tuple[str, str], int] = {}
    for trace in figure.data:  # type: ignore[attr-defined]
        stale = trace.legendgroup == "_stale"
        if stale_only and not stale:
            continue
        for y, x, custom in zip(trace.y, trace.x, trace.customdata, strict=True):
            status = str(custom[0]).split(" (")[0]
            out[(y, status)] = out.get((y, status), 0) + int(x)
    return out


@pytest.mark.parametrize("on", DATES)
def test_status_bars_match_the_engine(facts: Facts, on: date) -> None:
    result = CHARTS["status_bars"].build(facts, ChartParams(as_of=on))
    drawn = bar_counts(result.figure)
    for ind in GAP_CHART_INDICATORS:
        expected = engine_counts(facts, ind, on)
        for status, n in expected.items():
            assert drawn.get((short_indicator(ind, "en"), status_label(status)), 0) == n, (
                ind, status, on)
        # Nothing drawn that the engine does not say.
        total = sum(v for (y, _), v in drawn.items() if y == short_indicator(ind, "en"))
        assert total == sum(expected.values()) == len(facts.participating_states(on))
    # The hatched parts are exactly the statuses resting on evidence over five years old.
    stale = bar_counts(result.figure, stale_only=True)
    for ind in ("NCM", "NAP", "NR", "NRM"):
        old = [s for s in st.structure_statuses(facts, ind, on) if s.stale]
        drawn_old = sum(v for (y, _), v in stale.items() if y == short_indicator(ind, "en"))
        assert drawn_old == len(old), (ind, on)


def test_status_bars_report_date_numbers(facts: Facts) -> None:
    drawn = bar_counts(CHARTS["status_bars"].build(facts, ChartParams(as_of=REPORT)).figure)
    assert drawn[("UNTOC", "Party")] == 46
    assert drawn[("UNTOC", "Signed")] == 9
    assert drawn[("UNTOC", "Not signed")] == 1
    assert drawn[("2007 survey", "Responded")] == 32
    assert drawn[("2007 survey", "Not responded")] == 24


@pytest.mark.parametrize("group", ["EU", "COE", "FIELD_OPS"])
def test_status_bars_group_filter(facts: Facts, group: str) -> None:
    members = {i for i in facts.participating_states(REPORT)
               if (facts.field_operations_on(i, REPORT) if group == "FIELD_OPS"
                   else facts.is_member(i, group, REPORT))}
    result = CHARTS["status_bars"].build(facts, ChartParams(as_of=REPORT, group=group))
    drawn = bar_counts(result.figure)
    expected = engine_counts(facts, "UNTOC", REPORT, members)
    assert {status_label(s): n for s, n in expected.items()} == {
        s: n for (y, s), n in drawn.items() if y == "UNTOC" and n}
    assert f"{len(members)} participating States" in result.subtitle


def _matrix_cells(result: object) -> dict[tuple[str, str], str]:
    """(iso3, indicator) -> cell text, read back from the heatmap and the click layer."""
    fig = result.figure  # type: ignore[attr-defined]
    heat = next(t for t in fig.data if t.type == "heatmap")
    click = next(t for t in fig.data if t.type == "scatter" and t.customdata is not None)
    cols = list(heat.x)
    rows = list(heat.y)
    out = {}
    for (iso3, ind), x, y in zip(click.customdata, click.x, click.y, strict=True):
        out[(iso3, ind)] = heat.text[rows.index(y)][cols.index(x)]
    return out


@pytest.mark.parametrize("on", [REPORT, date(2024, 6, 30)])
def test_matrix_cells_match_the_engine(facts: Facts, on: date) -> None:
    from cthb.i18n import t

    result = CHARTS["matrix"].build(facts, ChartParams(as_of=on))
    cells = _matrix_cells(result)
    states = facts.participating_states(on)
    assert len(cells) == len(states) * len(GAP_CHART_INDICATORS)
    for iso3 in states:
        for ind in ("UNTOC", "COE197", "NR"):
            s = (st.structure_status_of(facts, iso3, ind, on) if ind == "NR"
                 else st.treaty_status_of(facts, iso3, ind, on))
            # A stale status keeps its word, marked with "*" (explained in the legend).
            mark = "*" if s.stale and s.status != "unknown" else ""
            assert cells[(iso3, ind)] == t(f"gaps_cell.{s.status}") + mark, (iso3, ind)


def test_matrix_sorting_and_gap_count(facts: Facts) -> None:
    by_gaps = CHARTS["matrix"].build(facts, ChartParams(as_of=REPORT))
    heat = next(t for t in by_gaps.figure.data if t.type == "heatmap")
    data = by_gaps.data.drop_duplicates("iso3")
    assert list(data["gaps"]) == sorted(data["gaps"], reverse=True)
    # Czech Republic on the report date: not party to UNTOC, Palermo, CETS 197 = 3 gaps.
    # A count; pandas types a cell as any scalar.
    assert int(cast(SupportsInt, data.set_index("iso3").loc["CZE", "gaps"])) == 3
    by_name = CHARTS["matrix"].build(facts, ChartParams(as_of=REPORT, extra=(("sort", "name"),)))
    names = list(next(t for t in by_name.figure.data if t.type == "heatmap").y)
    assert names == sorted(names, key=str.casefold)
    assert len(heat.y) == 56


def test_matrix_region_filter(facts: Facts) -> None:
    result = CHARTS["matrix"].build(facts, ChartParams(as_of=REPORT, region="Central Asia"))
    assert set(result.data["iso3"]) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}


def test_matrix_click_layer_carries_iso3(facts: Facts) -> None:
    result = CHARTS["matrix"].build(facts, ChartParams(as_of=REPORT))
    click = next(t for t in result.figure.data if t.type == "scatter" and t.customdata is not None)
    assert {row[0] for row in click.customdata} == set(facts.participating_states(REPORT))
    assert all("Source" in h for h in click.hovertext)


def _value_at(x: list[date], y: list[int], on: date) -> int:
    """The value of a step line (shape hv) on a date."""
    k = max(i for i, d in enumerate(x) if d <= on)
    return int(y[k])


@pytest.mark.parametrize("on", DATES)
def test_timeline_matches_the_engine(facts: Facts, on: date) -> None:
    result = CHARTS["timeline"].build(
        facts, ChartParams(as_of=REPORT, extra=(("until", "2025-12-31"),)))
    by_name = {t.name: t for t in result.figure.data if t.name}
    for tr in ("UNTOC", "PALERMO", "COE197"):
        counts = engine_counts(facts, tr, on)
        label = short_indicator(tr, "en")
        party = by_name[f"{label}: parties"]
        assert _value_at(list(party.x), list(party.y), on) == counts["party"], (tr, on)
        upper = by_name.get(f"{label}: parties or status unknown")
        if upper is not None:
            assert (_value_at(list(upper.x), list(upper.y), on)
                    == counts["party"] + counts["unknown"]), (tr, on)
        else:
            assert counts["unknown"] == 0


def test_timeline_every_sample_matches_the_engine_somewhere(facts: Facts) -> None:
    """Spot-check sample dates of the table behind the chart, including month ends."""
    df = timeline_frame(facts, date(2025, 12, 31))
    sample = df[df["treaty"] == "COE197"].iloc[::37]
    for row in sample.itertuples(index=False):
        counts = engine_counts(facts, "COE197", cast(date, row.date))  # a row field: any scalar
        assert (row.party, row.unknown, row.states) == (
            counts["party"], counts["unknown"], sum(counts.values())), row.date


def test_timeline_split_by_region_adds_up(facts: Facts) -> None:
    whole = timeline_frame(facts, date(2025, 12, 31))
    split = timeline_frame(facts, date(2025, 12, 31), split_by_region=True)
    summed = split.groupby(["date", "treaty"])[["party", "unknown", "states"]].sum()
    joined = whole.set_index(["date", "treaty"])[["party", "unknown", "states"]]
    assert (summed.loc[joined.index] == joined).all().all()


def test_timeline_marks_report_and_entry_into_force(facts: Facts) -> None:
    result = CHARTS["timeline"].build(
        facts, ChartParams(as_of=REPORT, extra=(("until", "2025-12-31"),)))
    texts = [a.text for a in result.figure.layout.annotations]
    assert any("13 Nov 2007" in (x or "") for x in texts)
    eif = [t for t in result.figure.data if t.mode == "markers+text"]
    assert {str(t.x[0]) for t in eif} == {"2003-09-29", "2003-12-25", "2008-02-01"}


def test_gap_list_untoc_on_report_date(facts: Facts) -> None:
    table = gap_list(facts, "not_party_UNTOC", REPORT)
    assert set(table["iso3"]) == {"AND", "CZE", "GRC", "ISL", "IRL", "KAZ", "LIE", "LUX", "SMR",
                                  "VAT"}
    assert table["source_id"].notna().all()
    survey = gap_list(facts, "no_SURVEY", REPORT)
    assert len(survey) == 24


def test_every_figure_has_title_subtitle_and_source_inside(facts: Facts) -> None:
    for chart_id in ("status_bars", "matrix", "timeline"):
        result = CHARTS[chart_id].build(facts, ChartParams(as_of=REPORT, lang="ru"))
        title = result.figure.layout.title.text
        assert result.title in title and result.subtitle in title
        assert "2007" in result.subtitle or chart_id == "timeline"
        assert any("Источники" in (a.text or "") for a in result.figure.layout.annotations)
