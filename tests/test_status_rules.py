"""The status engine's rules, on a miniature dataset where each State exercises one rule."""

from __future__ import annotations

from datetime import date

from cthb.facts import Facts
from cthb.status import (
    monitoring_status_of,
    structure_status_of,
    survey_status_of,
    treaty_status_of,
)


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


def test_latest_record_is_carried_forward_with_its_age(mini_facts: Facts) -> None:
    # Russia: "not signed" on 2007-11-13; nothing later. Before: decided by monotony; after:
    # the latest record read is carried forward with its date, stale once 5 years old.
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2007, 11, 13)).status == (
        "not signed")
    assert treaty_status_of(mini_facts, "RUS", "COE197", date(2006, 1, 1)).status == "not signed"
    carried = treaty_status_of(mini_facts, "RUS", "COE197", date(2010, 1, 1))
    assert (carried.status, carried.basis, carried.stale) == ("not signed", "carried", False)
    assert carried.decided_by is not None and carried.decided_by.on == date(2007, 11, 13)
    assert not carried.exact and "latest record read" in carried.detail
    old = treaty_status_of(mini_facts, "RUS", "COE197", date(2012, 11, 14))
    assert (old.status, old.stale) == ("not signed", True)
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


# --- structures over time: plan periods, expiry, newer evidence, staleness ----------------


def test_action_plan_expires_after_its_period(mini_facts: Facts) -> None:
    def nap(on: date) -> str:
        return structure_status_of(mini_facts, "ALB", "NAP", on).status

    assert nap(date(2004, 6, 1)) == "unknown"
    assert nap(date(2007, 6, 1)) == "yes"  # first plan (2005-2007), reported 2006
    assert nap(date(2008, 1, 15)) == "expired"  # it ran out; the next one not yet adopted
    assert nap(date(2008, 4, 1)) == "yes"  # the second plan's adoption (2008-03) decides
    assert nap(date(2011, 6, 1)) == "expired"  # 2008-2010 ran out, nothing newer known
    assert nap(date(2015, 6, 1)) == "yes"  # third plan 2014-2017
    assert nap(date(2019, 7, 1)) == "planned"  # newer evidence wins


def test_expired_is_never_yes_and_names_the_period(mini_facts: Facts) -> None:
    s = structure_status_of(mini_facts, "ALB", "NAP", date(2011, 6, 1))
    assert s.status == "expired" and s.valid_until == "2010"
    assert s.by_establishment and s.decided_on == "2008-03"


def test_a_later_source_about_an_old_plan_does_not_end_the_current_one(
        mini_facts: Facts) -> None:
    # 2016: the newest source describes only the expired 2008-2010 plan; the 2014-2017 plan
    # (reported in 2015) still covers the date.
    s = structure_status_of(mini_facts, "ALB", "NAP", date(2016, 12, 31))
    assert s.status == "yes" and s.valid_until == "2017"
    # After 2017, with only the 2019 "planned" to come, the 2014-2017 plan has expired.
    assert structure_status_of(mini_facts, "ALB", "NAP", date(2018, 6, 1)).status == "expired"


def test_newer_evidence_wins_over_older(mini_facts: Facts) -> None:
    assert structure_status_of(mini_facts, "ALB", "NR", date(2020, 8, 31)).status == "yes"
    newer = structure_status_of(mini_facts, "ALB", "NR", date(2020, 9, 30))
    assert newer.status == "no" and newer.evidence_date == "2020-09"


def test_old_evidence_is_stale_after_five_years(mini_facts: Facts) -> None:
    # The rapporteur was reported on 2007-05-21: current for five years, then stale.
    fresh = structure_status_of(mini_facts, "ALB", "NR", date(2012, 5, 21))
    stale = structure_status_of(mini_facts, "ALB", "NR", date(2012, 5, 22))
    assert (fresh.status, fresh.stale) == ("yes", False)
    assert (stale.status, stale.stale) == ("yes", True)
    assert stale.confirmed == date(2007, 5, 21)
    # A year-only date counts from its last day: "2009" is current until the end of 2014.
    assert not structure_status_of(mini_facts, "GEO", "NCM", date(2014, 12, 31)).stale
    assert structure_status_of(mini_facts, "GEO", "NCM", date(2015, 1, 1)).stale
    # Unknown has no evidence, so it is never "stale".
    assert not structure_status_of(mini_facts, "ISL", "NR", date(2020, 1, 1)).stale


# --- GRETA monitoring ------------------------------------------------------------------------


def test_monitoring_position(mini_facts: Facts) -> None:
    before = monitoring_status_of(mini_facts, "ALB", date(2011, 6, 1))
    assert before.status == "no report yet" and before.under_way is not None
    first = monitoring_status_of(mini_facts, "ALB", date(2012, 1, 1))
    assert first.status == "round 1" and first.evidence_date == "2011-11-21"
    now = monitoring_status_of(mini_facts, "ALB", date(2021, 1, 1))
    assert now.status == "round 2"
    assert now.under_way is not None and now.under_way["round"] == 3
    # Not a Party (Albania before its deposit on 2007-02-06; Canada never): not monitored.
    assert monitoring_status_of(mini_facts, "ALB", date(2006, 1, 1)).status == "not monitored"
    assert monitoring_status_of(mini_facts, "CAN", date(2021, 1, 1)).status == "not monitored"
    # A Party with no evaluation recorded is unknown, not "no report".
    assert monitoring_status_of(mini_facts, "GEO", date(2021, 1, 1)).status == "unknown"


def test_greta_evaluations_show_a_party(mini_facts: Facts) -> None:
    from cthb.status import monitoring_observations

    obs = monitoring_observations(mini_facts, "ALB")
    # A visit or a published report of a round: the State was a Party by then (last day of
    # a month-only date), per the monitoring body's own record.
    assert [(o["observed_status"], o["as_of"]) for o in obs] == [
        ("party", date(2011, 2, 28)), ("party", date(2015, 5, 31)), ("party", date(2019, 10, 31))]
    assert all(o["source_id"] == "greta" for o in obs)
