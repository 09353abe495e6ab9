"""The survey charts say what the status engine says (numbers read back from the figures)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import SupportsInt, cast

import pytest

from cthb import status as st
from cthb.charts.catalog import ChartParams, load_all
from cthb.charts.survey import crosstab_frame, other_respondents
from cthb.facts import Facts

CHARTS = load_all()
REPORT = date(2007, 11, 13)


def _bars(figure: object) -> dict[tuple[str, str], int]:
    return {(y, tr.name): int(x) for tr in figure.data  # type: ignore[attr-defined]
            for y, x in zip(tr.y, tr.x, strict=True)}


@pytest.mark.parametrize("on", [REPORT, date(2007, 9, 1), date(2007, 7, 1), date(2025, 1, 1)])
def test_survey_regions_match_the_engine(facts: Facts, on: date) -> None:
    result = CHARTS["survey_regions"].build(facts, ChartParams(as_of=on))
    bars = _bars(result.figure)
    # The chart describes the survey on the as-of date, capped at the list date.
    shown_on = min(on, REPORT)
    statuses = st.survey_statuses(facts, "sr-2007-07", shown_on)
    total: Counter[str] = Counter(s.status for s in statuses)
    label = "<b>All participating States</b>"
    for status, name in (("responded", "Responded"), ("not responded", "Not responded"),
                         ("unknown", "Unknown")):
        assert bars[(label, name)] == total[status], (on, status)
        by_region = Counter(facts.states[s.iso3]["region"] for s in statuses
                            if s.status == status)
        for region, n in by_region.items():
            assert bars[(region, name)] == n
    assert len(statuses) == 56


def test_32_of_56_answered(facts: Facts) -> None:
    result = CHARTS["survey_regions"].build(facts, ChartParams(as_of=REPORT))
    bars = _bars(result.figure)
    assert bars[("<b>All participating States</b>", "Responded")] == 32
    assert bars[("<b>All participating States</b>", "Not responded")] == 24
    rates = [a.text for a in result.figure.layout.annotations]
    assert "32 of 56 · 57%" in rates
    assert "0 of 5 · 0%" in rates  # Central Asia
    row = result.data.iloc[0]
    assert (row["responded"], row["states"]) == (32, 56)


def test_region_rates_add_up(facts: Facts) -> None:
    data = CHARTS["survey_regions"].build(facts, ChartParams(as_of=REPORT)).data
    regions = data.iloc[1:]
    assert regions["responded"].sum() == 32 and regions["states"].sum() == 56


def test_crosstab_matches_the_engine(facts: Facts) -> None:
    data = crosstab_frame(facts, REPORT)
    answered = {s.iso3 for s in st.survey_statuses(facts, "sr-2007-07", REPORT)
                if s.status == "responded"}
    for kind in ("NCM", "NAP", "NR", "NRM"):
        structures = st.structure_statuses(facts, kind, REPORT)
        for status in st.STRUCTURE_STATUSES:
            who = {s.iso3 for s in structures if s.status == status}
            row = data[(data["indicator"] == kind) & (data["structure_status"] == status)]
            assert int(row["states"].iloc[0]) == len(who)
            assert int(row["responded"].iloc[0]) == len(who & answered), (kind, status)
        assert data[data["indicator"] == kind]["states"].sum() == 56


def test_crosstab_figure_reads_back(facts: Facts) -> None:
    result = CHARTS["survey_crosstab"].build(facts, ChartParams(as_of=REPORT))
    bars = _bars(result.figure)
    data = result.data.set_index(["indicator", "structure_status"])
    # Counts; pandas types a cell as any scalar.
    responded = cast(SupportsInt, data.loc[("NR", "yes"), "responded"])
    not_responded = cast(SupportsInt, data.loc[("NR", "yes"), "not responded"])
    assert bars[("Rapporteur: Yes", "Responded")] == int(responded)
    assert bars[("Rapporteur: Yes", "Not responded")] == int(not_responded)


def test_partners_and_field_operations(facts: Facts) -> None:
    others = other_respondents(facts, REPORT)
    assert set(others[others["kind"] == "partner"]["iso3"]) == {"ISR", "JPN", "THA"}
    assert len(others[others["kind"] == "field_operation"]) == 13
    result = CHARTS["survey_others"].build(facts, ChartParams(as_of=REPORT))
    assert "3 Partners" in result.subtitle and "13 field operations" in result.subtitle
    assert len(result.figure.data[0].cells.values[0]) == 16
