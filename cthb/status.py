"""Status on any date, derived from the evidence: never stored, so it never goes stale.

Treaty status of a State on date D (see DESIGN.md and the Data & sources page):
- A dated action decides exactly: a binding deposit (ratification, accession, ...) on R means
  party from R on and not party before R; a signature on S means signed from S on.
- An observation decides by monotony (no OSCE State has withdrawn from these treaties):
  "party" seen on O means party on every D >= O; "not party" (or "signed", "not signed") seen
  on O means not party on every D <= O; "not signed" seen on O means not signed on every D <= O.
- COE197 only: a State that is not a member of the Council of Europe on D and has no recorded
  action is `non-member`, not `not signed`.
- Where the evidence does not decide, the status is `unknown`, and `detail` says what is known
  ("signed 2005-11-19; party by 2007-09-19, deposit date not recorded").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypedDict, cast

from cthb.facts import Facts, Record
from cthb.schema import BINDING_ACTIONS
from cthb.treaty_rules import COE197_GENERAL_ENTRY_INTO_FORCE, coe197_in_force_date

TreatyStatusWord = Literal["party", "signed", "not signed", "non-member", "unknown"]
StructureStatusWord = Literal["yes", "partial", "planned", "expired", "no", "unknown"]
SurveyStatusWord = Literal["responded", "not responded", "unknown"]

TREATY_STATUSES: tuple[TreatyStatusWord, ...] = (
    "party", "signed", "not signed", "non-member", "unknown")
STRUCTURE_STATUSES: tuple[StructureStatusWord, ...] = (
    "yes", "partial", "planned", "expired", "no", "unknown")
SURVEY_STATUSES: tuple[SurveyStatusWord, ...] = ("responded", "not responded", "unknown")
# How a status was decided: by a dated action, by an observation's date bound, by membership,
# because the treaty was not yet open, or not at all.
# "carried": no evidence decides the date, and the status of the latest evidence before it
# (a complete depositary table not listing the State) is carried forward with its date.
Basis = Literal["action", "observation", "membership", "not open", "carried", "none"]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence behind a status: what happened (or was seen) when, per which source."""

    what: str
    on: date
    source_id: str
    exact: bool  # a dated action (True) or an observation's date (False)


@dataclass(frozen=True)
class TreatyStatus:
    iso3: str
    treaty: str
    as_of: date
    status: TreatyStatusWord
    basis: Basis
    # The evidence that decided the status (None for unknown / membership-only).
    decided_by: Evidence | None
    detail: str
    in_force: bool | None = None  # COE197 only: in force for the State on as_of
    in_force_date: date | None = None
    in_force_exact: bool = True
    # Carried-forward statuses: the evidence is older than STALE_AFTER_YEARS.
    stale: bool = False

    @property
    def exact(self) -> bool:
        """Decided by a dated action or by membership, not by an observation's date bound."""
        if self.basis in ("membership", "not open"):
            return True
        return self.decided_by is not None and self.decided_by.exact

    @property
    def source_id(self) -> str | None:
        return self.decided_by.source_id if self.decided_by else None


@dataclass(frozen=True)
class _Tri:
    """A yes/no/undecided answer with the evidence for it."""

    value: bool | None
    evidence: Evidence | None = None


def _first_binding(actions: list[Record]) -> Record | None:
    binding = [a for a in actions if a["action"] in BINDING_ACTIONS]
    return min(binding, key=lambda a: a["action_date"]) if binding else None


def _signature(actions: list[Record]) -> Record | None:
    sigs = [a for a in actions if a["action"] == "signature"]
    return min(sigs, key=lambda a: a["action_date"]) if sigs else None


def _action_evidence(a: Record) -> Evidence:
    return Evidence(a["action"], a["action_date"], a["source_id"], exact=True)


def _obs_evidence(o: Record) -> Evidence:
    return Evidence(f"observed: {o['observed_status']}", o["as_of"], o["source_id"], exact=False)


def _party_on(actions: list[Record], observations: list[Record], on: date) -> _Tri:
    binding = _first_binding(actions)
    if binding is not None:
        return _Tri(binding["action_date"] <= on, _action_evidence(binding))
    party_seen = [o for o in observations if o["observed_status"] == "party" and o["as_of"] <= on]
    if party_seen:
        return _Tri(True, _obs_evidence(party_seen[0]))  # the earliest bound
    not_party_seen = [
        o for o in observations if o["observed_status"] != "party" and o["as_of"] >= on
    ]
    if not_party_seen:
        return _Tri(False, _obs_evidence(not_party_seen[0]))
    return _Tri(None)


def _signed_on(actions: list[Record], observations: list[Record], on: date) -> _Tri:
    sig = _signature(actions)
    if sig is not None:
        return _Tri(sig["action_date"] <= on, _action_evidence(sig))
    binding = _first_binding(actions)
    if binding is not None and binding["action"] in ("accession", "succession"):
        # These instruments are deposited without a prior signature.
        return _Tri(False, _action_evidence(binding))
    signed_seen = [o for o in observations if o["observed_status"] == "signed" and o["as_of"] <= on]
    if signed_seen:
        return _Tri(True, _obs_evidence(signed_seen[0]))
    unsigned_seen = [
        o for o in observations if o["observed_status"] == "not signed" and o["as_of"] >= on
    ]
    if unsigned_seen:
        return _Tri(False, _obs_evidence(unsigned_seen[0]))
    return _Tri(None)


def _describe(actions: list[Record], observations: list[Record]) -> str:
    """What is known, for an `unknown` status."""
    parts = [f"{a['action']} {a['action_date']}" for a in actions]
    parts += [f"{o['observed_status']} as of {o['as_of']}" for o in observations]
    return "; ".join(parts) if parts else "no data recorded"


def monitoring_observations(facts: Facts, iso3: str) -> list[Record]:
    """GRETA evaluates only Parties to CETS 197: a country visit or a published report of an
    evaluation round shows the State was a Party by then (the monitoring body's own record).
    Used as `party` observations, dated at the last possible day of the visit or publication."""
    out = []
    for r in facts.monitoring.get(iso3, []):
        if r["body"] != "GRETA":
            continue
        dates = [d.hi for d in (r["visit_pd"], r["published_pd"]) if d is not None]
        if dates:
            out.append({"iso3": iso3, "treaty": "COE197", "observed_status": "party",
                        "as_of": min(dates), "source_id": r["source_id"],
                        "note": f"GRETA evaluation round {r['round']}"})
    return out


def treaty_observations(facts: Facts, iso3: str, treaty: str) -> list[Record]:
    """Every observation of a State's status for a treaty, by date: the recorded ones and, for
    CETS 197, those that GRETA's evaluations imply."""
    observations = facts.observations.get((iso3, treaty), [])
    if treaty != "COE197":
        return observations
    return sorted([*observations, *monitoring_observations(facts, iso3)],
                  key=lambda o: o["as_of"])


def treaty_status_of(facts: Facts, iso3: str, treaty: str, on: date) -> TreatyStatus:
    actions = facts.actions.get((iso3, treaty), [])
    observations = treaty_observations(facts, iso3, treaty)
    treaty_rec = facts.treaties[treaty]
    coe_non_member = treaty == "COE197" and not facts.is_member(iso3, "COE", on)

    if on < treaty_rec["opened"]:
        status: TreatyStatusWord = "non-member" if coe_non_member else "not signed"
        return TreatyStatus(iso3, treaty, on, status, "not open", None,
                            f"not yet open for signature (opened {treaty_rec['opened']})",
                            **_in_force_fields(treaty, None, on))

    party = _party_on(actions, observations, on)
    if party.value is True:
        ev = party.evidence
        assert ev is not None
        detail = (f"{ev.what} deposited {ev.on}" if ev.exact
                  else f"party by {ev.on} (deposit date not recorded)")
        return TreatyStatus(iso3, treaty, on, "party", "action" if ev.exact else "observation",
                            ev, detail, **_in_force_fields(treaty, ev, on))

    signed = _signed_on(actions, observations, on)
    if party.value is False and signed.value is True:
        ev = signed.evidence
        assert ev is not None
        detail = (f"signed {ev.on}, not yet a party" if ev.exact
                  else f"signed by {ev.on}, not a party")
        return TreatyStatus(iso3, treaty, on, "signed", "action" if ev.exact else "observation",
                            ev, detail, **_in_force_fields(treaty, None, on))
    if party.value is False and signed.value is False:
        ev = signed.evidence
        assert ev is not None
        if coe_non_member:
            return TreatyStatus(iso3, treaty, on, "non-member", "membership", None,
                                "not a member of the Council of Europe; no action recorded",
                                **_in_force_fields(treaty, None, on))
        return TreatyStatus(iso3, treaty, on, "not signed",
                            "action" if ev.exact else "observation", ev,
                            "neither signed nor a party",
                            **_in_force_fields(treaty, None, on))
    if coe_non_member and signed.value is not True and not actions:
        return TreatyStatus(iso3, treaty, on, "non-member", "membership", None,
                            "not a member of the Council of Europe; no action recorded",
                            **_in_force_fields(treaty, None, on))
    carried = _carried_forward(facts, iso3, treaty, on, observations)
    if carried is not None:
        return carried
    return TreatyStatus(iso3, treaty, on, "unknown", "none", None,
                        "the evidence does not decide this date: "
                        + _describe(actions, observations),
                        **_in_force_fields(treaty, None, on))


def _carried_forward(facts: Facts, iso3: str, treaty: str, on: date,
                     observations: list[Record]) -> TreatyStatus | None:
    """After the latest record read (a complete status table that does not list the State as a
    party), nothing decides: the status it showed is carried forward, dated, and marked stale
    once that record is more than STALE_AFTER_YEARS old. Deposits are public acts that the
    next reading of the depositary's table would show."""
    if any(o["as_of"] > on for o in observations) or any(
            a["action_date"] > on for a in facts.actions.get((iso3, treaty), [])):
        return None  # later evidence exists: between the two, the honest answer is unknown
    earlier = [o for o in observations if o["as_of"] < on and o["observed_status"] != "party"]
    if not earlier:
        return None
    last = earlier[-1]
    then = treaty_status_of(facts, iso3, treaty, last["as_of"])
    if then.status not in ("signed", "not signed"):
        return None
    ev = _obs_evidence(last)
    return TreatyStatus(iso3, treaty, on, then.status, "carried", ev,
                        f"{then.status} as of {last['as_of']}, the latest record read; "
                        "no later action recorded",
                        **_in_force_fields(treaty, None, on),
                        stale=last["as_of"] < stale_cutoff(on))


class _InForceFields(TypedDict, total=False):
    # Typed so that `**_in_force_fields(...)` type-checks against TreatyStatus's fields.
    in_force: bool | None
    in_force_date: date | None
    in_force_exact: bool


def _in_force_fields(treaty: str, party_evidence: Evidence | None, on: date) -> _InForceFields:
    """COE197: whether the Convention is in force for the State on `on` (Art. 42, 43)."""
    if treaty != "COE197":
        return {}
    if party_evidence is None:
        return {"in_force": False, "in_force_date": None, "in_force_exact": True}
    # For a party known only by an observation, the deposit was on or before that date, so the
    # rule applied to the observation date is an upper bound for the entry-into-force date.
    in_force_date = coe197_in_force_date(party_evidence.on)
    if on >= in_force_date:
        in_force: bool | None = True
    elif on < COE197_GENERAL_ENTRY_INTO_FORCE or party_evidence.exact:
        in_force = False
    else:
        in_force = None
    return {"in_force": in_force, "in_force_date": in_force_date,
            "in_force_exact": party_evidence.exact}


def treaty_statuses(facts: Facts, treaty: str, on: date) -> list[TreatyStatus]:
    """The status of every participating State (on that date) for one treaty."""
    return [treaty_status_of(facts, iso3, treaty, on) for iso3 in facts.participating_states(on)]


# --- national structures -------------------------------------------------------------------
# A structure fact is what a source said on its own date; it is not true forever.
# - The newest evidence dated (for certain) on or before D decides. Evidence is a source's own
#   date (`as_of`) or, for a yes/partial row, the date the structure was established.
# - A plan has a period (valid_from..valid_until). After its end, with no later plan recorded,
#   the action plan status is `expired`: a gap, never `yes`.
# - Evidence more than STALE_AFTER_YEARS older than D is *stale*: still shown, marked with the
#   date it was last confirmed, and counted apart.

STALE_AFTER_YEARS = 5
# Kinds whose `yes` depends on a period: an action plan runs out.
PERIOD_KINDS = ("NAP",)


def stale_cutoff(on: date, years: int = STALE_AFTER_YEARS) -> date:
    """The oldest evidence date that is still current on `on`."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


@dataclass(frozen=True)
class StructureStatus:
    iso3: str
    kind: str
    as_of: date
    status: StructureStatusWord
    # The row that decided, with what it says.
    evidence_date: str | None  # the source's own date (partial date text)
    established: str | None
    detail: str
    source_id: str | None
    approximate: bool = False
    # True when the establishment date decided (the source itself may be dated later).
    by_establishment: bool = False
    valid_from: str | None = None
    valid_until: str | None = None
    # The last day the deciding evidence may speak of: the date the status was last confirmed.
    confirmed: date | None = None
    stale: bool = False

    @property
    def decided_on(self) -> str | None:
        """The date that decided, as the source states it (establishment or source date)."""
        return self.established if self.by_establishment else self.evidence_date


@dataclass(frozen=True)
class _Candidate:
    on: date  # the evidence date (last possible day)
    observed: bool  # the source's own date (True) or the establishment date (False)
    start: date  # the plan's start (for ordering plans reported by one source)
    row: Record

    @property
    def order(self) -> tuple[date, bool, date]:
        return (self.on, self.observed, self.start)


def _start(row: Record) -> date:
    for col in ("valid_from_pd", "established_pd", "as_of_pd"):
        if row.get(col) is not None:
            return cast(date, row[col].lo)
    return date.min


def _covers(row: Record, on: date) -> bool:
    until = row.get("valid_until_pd")
    return until is not None and _start(row) <= on <= until.hi


def _candidates(rows: list[Record], on: date) -> list[_Candidate]:
    out: list[_Candidate] = []
    for row in rows:
        as_of = row["as_of_pd"]
        if as_of is not None and as_of.hi <= on:
            out.append(_Candidate(as_of.hi, True, _start(row), row))
        est = row["established_pd"]
        if est is not None and row["status"] in ("yes", "partial") and est.hi <= on:
            out.append(_Candidate(est.hi, False, _start(row), row))
    return out


def structure_status_of(facts: Facts, iso3: str, kind: str, on: date,
                        stale_years: int = STALE_AFTER_YEARS) -> StructureStatus:
    """The status of one structure on `on`; see the rules at the top of this section.

    A partial date counts from its last possible day ("2008" from 31 Dec 2008), so nothing is
    claimed for a day the source may not cover.
    """
    candidates = _candidates(facts.structures.get((iso3, kind), []), on)
    if not candidates:
        return StructureStatus(iso3, kind, on, "unknown", None, None,
                               "no source recorded for this date", None)
    best = max(candidates, key=lambda c: c.order)
    status: StructureStatusWord = cast(StructureStatusWord, best.row["status"])
    if kind in PERIOD_KINDS and status in ("yes", "partial"):
        until = best.row.get("valid_until_pd")
        if until is not None and on > until.hi:
            # The newest evidence names a plan that has run out; another plan known by now
            # may still cover this date (a source describing an earlier plan after the fact).
            covering = [c for c in candidates
                        if c.row["status"] in ("yes", "partial") and _covers(c.row, on)]
            if covering:
                best = max(covering, key=lambda c: c.order)
                status = cast(StructureStatusWord, best.row["status"])
            else:
                status = "expired"
    row = best.row
    return StructureStatus(
        iso3, kind, on, status, row["as_of"], row["established"], row["detail"] or "",
        row["source_id"], bool(row["as_of_approx"]), by_establishment=not best.observed,
        valid_from=row.get("valid_from"), valid_until=row.get("valid_until"),
        confirmed=best.on, stale=best.on < stale_cutoff(on, stale_years))


def structure_statuses(facts: Facts, kind: str, on: date) -> list[StructureStatus]:
    return [structure_status_of(facts, iso3, kind, on) for iso3 in facts.participating_states(on)]


# --- monitoring (GRETA) ---------------------------------------------------------------------
# GRETA evaluates the Parties to CETS 197 in rounds. Where a State stands on D: the latest round
# whose report was published by D; a State that is not a Party on D is not monitored.

MonitoringStatusWord = Literal["round 5", "round 4", "round 3", "round 2", "round 1",
                               "no report yet", "not monitored", "unknown"]
MONITORING_STATUSES: tuple[MonitoringStatusWord, ...] = (
    "round 5", "round 4", "round 3", "round 2", "round 1", "no report yet", "not monitored",
    "unknown")


@dataclass(frozen=True)
class MonitoringStatus:
    iso3: str
    as_of: date
    status: MonitoringStatusWord
    latest: Record | None  # the round whose report was published last by `as_of`
    under_way: Record | None  # a later round visited by `as_of`, its report not yet out
    source_id: str | None
    detail: str

    @property
    def evidence_date(self) -> str | None:
        if self.latest is not None:
            return cast(str, self.latest["report_published"])
        return None


def monitoring_status_of(facts: Facts, iso3: str, on: date, body: str = "GRETA"
                         ) -> MonitoringStatus:
    rounds = [r for r in facts.monitoring.get(iso3, []) if r["body"] == body]
    party = treaty_status_of(facts, iso3, "COE197", on)
    if party.status != "party":
        return MonitoringStatus(iso3, on, "not monitored", None, None, party.source_id,
                                f"not a Party to CETS No. 197 on {on} ({party.status})")
    published = [r for r in rounds if r["published_pd"] is not None
                 and r["published_pd"].hi <= on]
    latest = max(published, key=lambda r: r["round"]) if published else None
    later = [r for r in rounds if (latest is None or r["round"] > latest["round"])
             and r["visit_pd"] is not None and r["visit_pd"].hi <= on]
    under_way = min(later, key=lambda r: r["round"]) if later else None
    tail = (f"; round {under_way['round']} under way (visit {under_way['visit_date']})"
            if under_way else "")
    if latest is not None:
        word = cast(MonitoringStatusWord, f"round {min(latest['round'], 5)}")
        return MonitoringStatus(iso3, on, word, latest, under_way, latest["source_id"],
                                f"{body} round {latest['round']} report published "
                                f"{latest['report_published']}{tail}")
    if rounds:
        first = rounds[0]
        return MonitoringStatus(iso3, on, "no report yet", None, under_way, first["source_id"],
                                f"no {body} report published by {on}{tail}")
    return MonitoringStatus(iso3, on, "unknown", None, None, None,
                            f"no {body} evaluation recorded")


# --- survey coverage -----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyStatus:
    iso3: str
    survey_id: str
    as_of: date
    status: SurveyStatusWord
    received_by: date | None
    respondent: str | None
    source_id: str | None
    detail: str


def survey_list_date(facts: Facts, survey_id: str) -> date | None:
    """The date of the (complete) list of respondents the sources give."""
    dates = [r["received_by"] for r in facts.survey_responses if r["survey_id"] == survey_id]
    return max(dates) if dates else None


def survey_status_of(facts: Facts, iso3: str, survey_id: str, on: date) -> SurveyStatus:
    """Responded if an answer was received by `on`. The sources list all answers received by
    their date, so a State missing from them had not answered by then; later is unknown."""
    responses = [
        r for r in facts.survey_responses
        if r["survey_id"] == survey_id and r["iso3"] == iso3 and r["kind"] == "participating_state"
    ]
    received = [r for r in responses if r["received_by"] <= on]
    if received:
        r = received[0]
        return SurveyStatus(iso3, survey_id, on, "responded", r["received_by"], r["respondent"],
                            r["source_id"], f"answer received by {r['received_by']}")
    if responses:
        r = responses[0]
        return SurveyStatus(iso3, survey_id, on, "unknown", r["received_by"], r["respondent"],
                            r["source_id"], f"answer received by {r['received_by']}; "
                            "the day it arrived is not recorded")
    list_date = survey_list_date(facts, survey_id)
    sent = facts.surveys[survey_id]["sent"]
    if sent is not None and on < sent:
        return SurveyStatus(iso3, survey_id, on, "not responded", None, None,
                            facts.surveys[survey_id]["source_id"], f"survey sent only on {sent}")
    if list_date is not None and on <= list_date:
        list_source = next(r["source_id"] for r in facts.survey_responses
                           if r["survey_id"] == survey_id and r["kind"] == "participating_state")
        return SurveyStatus(iso3, survey_id, on, "not responded", None, None, list_source,
                            f"not among the respondents listed as of {list_date}")
    return SurveyStatus(iso3, survey_id, on, "unknown", None, None, None,
                        f"no answer recorded; the list of respondents ends on {list_date}")


def survey_statuses(facts: Facts, survey_id: str, on: date) -> list[SurveyStatus]:
    return [survey_status_of(facts, iso3, survey_id, on) for iso3 in facts.participating_states(on)]
