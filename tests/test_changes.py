"""Comparing two dates: "became known" is listed apart and never counted as a change."""

from __future__ import annotations

from datetime import date

from cthb.changes import change_counts, change_kind, status_changes
from cthb.charts.catalog import ChartParams
from cthb.charts.map import map_changes, map_frame
from cthb.facts import Facts


def test_change_kind() -> None:
    assert change_kind("unknown", "yes") == "became known"
    assert change_kind("yes", "unknown") == "no longer known"
    assert change_kind("signed", "party") == "changed"
    assert change_kind("party", "party") == ""
    assert change_kind(None, "party") == "not participating"


def test_status_changes_separate_became_known(mini_facts: Facts) -> None:
    changes = status_changes(mini_facts, ("NAP", "COE197"), date(2004, 6, 1), date(2023, 1, 1))
    by = {(r.iso3, r.indicator): r.change for r in changes.itertuples()}
    assert by[("ALB", "NAP")] == "became known"  # unknown in 2004, planned in 2023
    assert by[("RUS", "COE197")] == "changed"  # not signed -> non-member (left the CoE)
    assert by[("ALB", "COE197")] == "changed"  # not signed (2004, not open) -> party
    counts = change_counts(changes)
    assert counts["became known"] == 1
    assert counts["changed"] == sum(1 for v in by.values() if v == "changed")


def test_map_outlines_only_real_changes(mini_facts: Facts) -> None:
    params = ChartParams(as_of=date(2010, 1, 1), indicator="NAP", compare_to=date(2004, 6, 1))
    df = map_frame(mini_facts, params)
    alb = df[df["iso3"] == "ALB"].iloc[0]
    assert alb["change"] == "became known" and not alb["changed"]
    assert map_changes(df).empty
    assert list(map_changes(df, "became known")["iso3"]) == ["ALB"]
