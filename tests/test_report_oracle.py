"""The 2007 annual report's own lists are the first test oracle (seed report, footnotes 8, 9
and 15): on 13 November 2007 the derived statuses must equal them exactly."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from cthb.facts import Facts
from cthb.status import structure_statuses, treaty_statuses

REPORT = date(2007, 11, 13)

UNTOC_NOT_RATIFIED = {"AND", "CZE", "GRC", "ISL", "IRL", "KAZ", "LIE", "LUX", "SMR", "VAT"}
PALERMO_NOT_RATIFIED = {"AND", "CZE", "GRC", "ISL", "IRL", "KAZ", "LIE", "LUX", "SMR", "UZB",
                        "VAT"}
COE197_RATIFIED = {"ALB", "AUT", "BGR", "HRV", "CYP", "DNK", "GEO", "MDA", "ROU", "SVK"}
COE197_SIGNED_ONLY = {"AND", "ARM", "BEL", "BIH", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL", "ITA",
                      "IRL", "LVA", "LUX", "MLT", "MNE", "NLD", "NOR", "POL", "PRT", "SMR", "SRB",
                      "SVN", "SWE", "MKD", "UKR", "GBR"}
COE_NON_MEMBERS_2007 = {"BLR", "CAN", "KAZ", "KGZ", "TJK", "TKM", "USA", "UZB", "VAT"}
SURVEY_STATES = {"DEU", "AND", "AUT", "AZE", "BLR", "HRV", "BEL", "CAN", "CYP", "EST", "FIN",
                 "FRA", "GBR", "LVA", "MKD", "LIE", "LTU", "LUX", "NOR", "NLD", "POL", "PRT",
                 "RUS", "VAT", "SRB", "SVK", "SVN", "SWE", "CHE", "CZE", "TUR", "UKR"}


def _by_status(facts: Facts, treaty: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in treaty_statuses(facts, treaty, REPORT):
        out.setdefault(s.status, set()).add(s.iso3)
    return out


def test_56_participating_states_in_2007_and_57_after_mongolia(facts: Facts) -> None:
    assert len(facts.participating_states(REPORT)) == 56
    assert "MNG" not in facts.participating_states(date(2012, 11, 20))
    assert len(facts.participating_states(date(2012, 11, 21))) == 57


def test_footnote_15_untoc(facts: Facts) -> None:
    by = _by_status(facts, "UNTOC")
    assert by["signed"] | by["not signed"] == UNTOC_NOT_RATIFIED
    assert by["not signed"] == {"VAT"}  # "Holy See (no signature)"
    assert len(by["party"]) == 46 and "unknown" not in by


def test_footnote_15_palermo(facts: Facts) -> None:
    by = _by_status(facts, "PALERMO")
    assert by["signed"] | by["not signed"] == PALERMO_NOT_RATIFIED
    # Andorra and the Holy See "(no signature)". Kazakhstan is not marked so in the footnote,
    # but it joined by accession on 2008-07-31 (UN depositary table): it had not signed either.
    assert by["not signed"] == {"AND", "VAT", "KAZ"}
    assert len(by["party"]) == 45 and "unknown" not in by


def test_footnote_15_council_of_europe_convention(facts: Facts) -> None:
    by = _by_status(facts, "COE197")
    assert by["party"] == COE197_RATIFIED
    assert by["signed"] == COE197_SIGNED_ONLY
    assert by["non-member"] == COE_NON_MEMBERS_2007
    assert by["not signed"] == {"AZE", "CZE", "EST", "LIE", "LTU", "MCO", "RUS", "ESP", "CHE",
                                "TUR"}
    assert "unknown" not in by
    # "The Convention will enter into force on 1 February 2008."
    assert {s.in_force for s in treaty_statuses(facts, "COE197", REPORT)} == {False}
    in_force = {s.iso3 for s in treaty_statuses(facts, "COE197", date(2008, 2, 1)) if s.in_force}
    assert in_force >= COE197_RATIFIED


def test_footnote_8_and_9_survey(facts: Facts) -> None:
    responses = [r for r in facts.survey_responses if r["received_by"] <= REPORT]
    states = {r["iso3"] for r in responses if r["kind"] == "participating_state"}
    partners = {r["iso3"] for r in responses if r["kind"] == "partner"}
    field_ops = [r for r in responses if r["kind"] == "field_operation"]
    assert states == SURVEY_STATES and len(states) == 32
    assert partners == {"JPN", "THA", "ISR"}
    assert len(field_ops) == 13
    assert {r["iso3"] for r in field_ops} == {"ALB", "BIH", "HRV", "SRB", "XKX", "AZE", "MNE",
                                              "MKD", "MDA", "BLR", "GEO", "TKM", "TJK"}


def test_structure_without_data_is_unknown_never_no(facts: Facts) -> None:
    # The Holy See has no structure row at all in the sources found.
    for kind in ("NCM", "NAP", "NR", "NRM"):
        vat = [s for s in structure_statuses(facts, kind, date(2026, 1, 1)) if s.iso3 == "VAT"]
        assert vat[0].status == "unknown"


@pytest.mark.parametrize(("treaty", "expected"), [
    ("UNTOC", {"party": 46, "signed": 9, "not signed": 1}),
    ("PALERMO", {"party": 45, "signed": 8, "not signed": 3}),
    ("COE197", {"party": 10, "signed": 27, "not signed": 10, "non-member": 9}),
])
def test_cli_status_reproduces_footnote_15(real_db: object, treaty: str,
                                           expected: dict[str, int]) -> None:
    import os

    env = {**os.environ, "CTHB_DB": str(real_db)}
    out = subprocess.run(
        [sys.executable, "-m", "cthb", "status", "--treaty", treaty, "--as-of", "2007-11-13"],
        capture_output=True, text=True, check=True, env=env).stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith("iso3,state,status,")
    counts: dict[str, int] = {}
    for line in lines[1:]:
        status = line.split(",")[2]
        counts[status] = counts.get(status, 0) + 1
    assert counts == expected
    assert len(lines) - 1 == 56
