"""The status engine's rules, on a miniature dataset where each State exercises one rule."""

from __future__ import annotations

from datetime import date

from cthb.facts import Facts
from cthb.status import structure_status_of, survey_status_of, treaty_status_of


def test_dated_actions_decide_exactly(mini_facts: Facts) -> None:
    before_signature = treaty_status_of(mini_facts, "ALB", "COE197", date(2005, 5, 21))
    signed = treaty_status_of(mini_facts, "ALB", "COE197", date(2007, 2, 5))
    party = treaty_status_of(mini_facts, "ALB", "COE197", date(2007, 2, 6))
    assert (before_signature.status, signed.status, party.status) == (
        "not signed", "signed", "party")
    assert party.exact and party.decided_by is not None
    assert party.decided_by.on == date(2007, 2, 6)


def test_party_in_2007_without_deposit_date(mini_facts: Facts) -> None:
    # Georgia: party by 2007-09-19 per a report, not party on 2006-11-01 per another.
    after = treaty_status_of(mini_facts, "GEO", "COE197", date(2010, 1, 1))
    assert after.status == "party" and not after.exact
    assert "deposit date not recorded" in after.detail
    assert after.source_id == "obs"
    between = treaty_status_of(mini_facts, "GEO", "COE197", date(2007, 1, 1))
    assert between.status == "unknown"  # signed, but party or not is not decided
    assert "signature 2005-11-19" in between.detail
    early = treaty_status_of(mini_facts, "GEO", "COE197", date(2006, 6, 1))
    assert early.status == "signed"


def test_ratified_later_with_a_date(mini_facts: Facts) -> None:
    assert treaty_status_of(mini_facts, "ISL", "UNTOC", date(2007, 11, 13)).status == "signed"
    assert treaty_status_of(mini_facts, "ISL", "UNTOC", date(2010, 5, 12)).status == "signed"
    later = treaty_status_of(mini_facts, "ISL", "UNTOC", date(2010, 5, 13))
    assert later.status == "party" and later.exact


def test_nothing_after_2007_stays_unknown(mini_facts: Facts) -> None:
    # Russia: "not signed" on 2007-11-13; nothing later. Before: decided; after: unknown.
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2007, 11, 13)).status == (
        "not signed")
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2006, 1, 1)).status == "not signed"
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2010, 1, 1)).status == "unknown"
    # Once it left the Council of Europe with no action recorded, it is a non-member.
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2023, 1, 1)).status == "non-member"
    # No evidence at all is unknown, never "not signed".
    assert treaty_status_of(mini_facts, "RUS", "UNTOC", date(2007, 1, 1)).status == "unknown"


def test_non_member_of_council_of_europe(mini_facts: Facts) -> None:
    s = treaty_status_of(mini_facts, "CAN", "COE197", date(2007, 11, 13))
    assert s.status == "non-member"


def test_participating_states_follow_osce_membership(mini_facts: Facts) -> None:
    assert "MNG" not in mini_facts.participating_states(date(2012, 11, 20))
    assert "MNG" in mini_facts.participating_states(date(2012, 11, 21))
    # Mongolia acceded to UNTOC before it joined the OSCE: an accession needs no signature.
    s = treaty_status_of(mini_facts, "MNG", "UNTOC", date(2008, 1, 1))
    assert s.status == "not signed"


def test_coe197_in_force_rule(mini_facts: Facts) -> None:
    alb = treaty_status_of(mini_facts, "ALB", "COE197", date(2008, 1, 31))
    assert alb.in_force is False and alb.in_force_date == date(2008, 2, 1)
    assert treaty_status_of(mini_facts, "ALB", "COE197", date(2008, 2, 1)).in_force is True
    # Party by observation on 2007-09-19: in force from 2008-02-01 at the latest.
    geo = treaty_status_of(mini_facts, "GEO", "COE197", date(2008, 2, 1))
    assert geo.in_force is True and not geo.in_force_exact


def test_structures_unknown_without_data_and_latest_evidence_wins(mini_facts: Facts) -> None:
    assert structure_status_of(mini_facts, "ISL", "NR", date(2020, 1, 1)).status == "unknown"
    assert structure_status_of(mini_facts, "ALB", "NR", date(2007, 5, 20)).status == "unknown"
    assert structure_status_of(mini_facts, "ALB", "NR", date(2007, 11, 13)).status == "yes"
    assert structure_status_of(mini_facts, "ALB", "NR", date(2020, 9, 30)).status == "no"
    # A year-only establishment counts from the year's last day.
    assert structure_status_of(mini_facts, "GEO", "NCM", date(2006, 6, 1)).status == "unknown"
    geo = structure_status_of(mini_facts, "GEO", "NCM", date(2007, 1, 1))
    assert geo.status == "yes" and geo.established == "2006"


def test_survey_status(mini_facts: Facts) -> None:
    on = date(2007, 11, 13)
    assert survey_status_of(mini_facts, "GEO", "sr-2007-07", on).status == "responded"
    assert survey_status_of(mini_facts, "ALB", "sr-2007-07", on).status == "not responded"
    # Before the list date, a respondent's answer may not have arrived yet.
    assert survey_status_of(mini_facts, "GEO", "sr-2007-07", date(2007, 9, 1)).status == "unknown"
    # After the list date, a late answer is possible but not recorded.
    assert survey_status_of(mini_facts, "ALB", "sr-2007-07", date(2008, 6, 1)).status == "unknown"
