"""Everything the data says about one State on one date, as a tree of plain dataclasses.

The profile page, the PDF/PowerPoint brief and the tests all read this one structure, so a line
shown on the page, printed in the brief and checked by a test is the same line. Every line
keeps the id of the source it rests on; nothing here is worded from anything but the data.
Statuses come from cthb.status (never recomputed here), so the profile cannot disagree with the
map or the gap chart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from cthb import status as st
from cthb.facts import Facts, Record
from cthb.i18n import indicator_label, region_label, status_label, t
from cthb.indicators import DEFAULT_SURVEY, indicator_rows
from cthb.schema import LANGUAGES, STRUCTURE_KINDS, TREATIES
from cthb.sources import ref_of, source_text

# --- finding a State by any of its names ---------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Österreich" and "osterreich" fold alike, and so do
    "Ёлка" and "елка" (NFKD splits the diacritic off, which we then drop)."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def find_states(facts: Facts, query: str, lang: str = "en") -> list[str]:
    """Participating States whose ISO code or a name in any OSCE language matches `query`.

    Order: exact code, exact name, name prefix, substring; ties sorted by the name in `lang`.
    Only `states` are searched: Partners for Co-operation have no profile.
    """
    q = fold(query)
    if not q:
        return []
    ranked: list[tuple[int, str, str]] = []
    for iso3, rec in facts.states.items():
        names = [fold(rec.get(f"name_{lg}") or "") for lg in LANGUAGES]
        names.append(fold(rec.get("short_en") or ""))
        rank = None
        if q == iso3.casefold():
            rank = 0
        elif q in names:
            rank = 1
        elif any(n.startswith(q) for n in names):
            rank = 2
        elif any(q in n for n in names):
            rank = 3
        if rank is not None:
            ranked.append((rank, fold(facts.state_name(iso3, lang)), iso3))
    return [iso3 for _, _, iso3 in sorted(ranked)]


def resolve_state(facts: Facts, raw: str | None) -> str | None:
    """The iso3 code a URL value names, or None. Only a known code is accepted: a link must
    name exactly one State, so names and fragments are not guessed from."""
    if not raw:
        return None
    code = raw.strip().upper()
    return code if code in facts.states else None


# --- the profile tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipLine:
    organisation: str  # OSCE | COE | EU
    member: bool  # on the profile date
    since: date | None
    until: date | None
    source_id: str | None


@dataclass(frozen=True)
class FieldOperationLine:
    name: str
    opened: str | None
    closed: str | None
    source_id: str


@dataclass(frozen=True)
class Header:
    iso3: str
    name: str  # in the profile's language
    names: dict[str, str]  # all six languages
    region: str
    participating: bool  # an OSCE participating State on the profile date
    osce: MembershipLine
    coe: MembershipLine
    eu: MembershipLine
    field_operations: list[FieldOperationLine]
    source_id: str  # of the states row (names, region)


@dataclass(frozen=True)
class ActionLine:
    treaty: str
    action: str
    on: date
    source_id: str
    note: str | None
    after_as_of: bool  # recorded, but later than the profile date


@dataclass(frozen=True)
class ObservationLine:
    treaty: str
    observed_status: str
    on: date
    source_id: str
    note: str | None


@dataclass(frozen=True)
class TreatyLine:
    treaty: str
    status: st.TreatyStatus
    actions: list[ActionLine]
    observations: list[ObservationLine]

    @property
    def source_ids(self) -> list[str]:
        ids = [self.status.source_id] + [a.source_id for a in self.actions]
        ids += [o.source_id for o in self.observations]
        return [i for i in dict.fromkeys(ids) if i]


@dataclass(frozen=True)
class StructureRow:
    """One row of structures.csv, as stored (the key fields let a correction name it)."""

    kind: str
    status: str
    established: str | None
    as_of: str
    as_of_approx: bool
    detail: str
    source_id: str
    note: str | None
    after_as_of: bool
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True)
class StructureLine:
    kind: str
    status: st.StructureStatus
    history: list[StructureRow]


@dataclass(frozen=True)
class MonitoringRound:
    body: str
    round: int
    visit_date: str | None
    report_published: str | None
    report_ref: str | None
    url: str | None
    source_id: str
    after_as_of: bool  # nothing of this round had happened by the profile date


@dataclass(frozen=True)
class MonitoringLine:
    """Where the State stands in GRETA's evaluation cycle on the profile date."""

    status: st.MonitoringStatus
    rounds: list[MonitoringRound]


@dataclass(frozen=True)
class SurveyLine:
    survey_id: str
    title: str
    sent: date
    status: st.SurveyStatus
    responses: list[Record]  # the survey_responses rows of this State


@dataclass(frozen=True)
class EngagementLine:
    engagement_id: str
    kind: str
    title: str
    start: str
    end: str | None
    place: str | None
    source_id: str


@dataclass(frozen=True)
class ComparisonLine:
    indicator: str
    region: str
    status: str  # the status counted (party / yes / responded)
    count: int
    total: int
    own_status: str | None  # this State's status; None when it is not a participating State
    text: str
    unknown: int = 0  # how many of `total` are unknown


@dataclass(frozen=True)
class Point:
    """A gap or question to raise, with the facts it rests on."""

    indicator: str
    kind: str  # gap | unknown | info
    text: str
    source_ids: list[str]


@dataclass(frozen=True)
class Profile:
    iso3: str
    as_of: date
    lang: str
    data_version: str
    header: Header
    treaties: list[TreatyLine]
    structures: list[StructureLine]
    monitoring: MonitoringLine
    survey: SurveyLine
    engagements: list[EngagementLine]
    comparisons: list[ComparisonLine]
    points: list[Point]
    source_ids: list[str] = field(default_factory=list)  # every source used, in order

    @property
    def name(self) -> str:
        return self.header.name


# --- building it ---------------------------------------------------------------------------


def _membership(facts: Facts, iso3: str, organisation: str, on: date) -> MembershipLine:
    rows = facts.memberships.get((iso3, organisation), [])
    member = facts.is_member(iso3, organisation, on)
    # The period that holds on the date, else the first one (to say when it began or ended).
    current = next((m for m in rows if m["since"] <= on and
                    (m["until"] is None or on <= m["until"])), rows[0] if rows else None)
    if current is None:
        return MembershipLine(organisation, False, None, None, None)
    return MembershipLine(organisation, member, current["since"], current["until"],
                          current["source_id"])


def _header(facts: Facts, iso3: str, on: date, lang: str) -> Header:
    rec = facts.states[iso3]
    ops = [FieldOperationLine(op["name"], op["opened"], op["closed"], op["source_id"])
           for op in facts.field_operations_on(iso3, on)]
    osce = _membership(facts, iso3, "OSCE", on)
    return Header(
        iso3=iso3,
        name=facts.state_name(iso3, lang),
        names={lg: rec.get(f"name_{lg}") or rec["name_en"] for lg in LANGUAGES},
        region=rec["region"],
        participating=osce.member,
        osce=osce,
        coe=_membership(facts, iso3, "COE", on),
        eu=_membership(facts, iso3, "EU", on),
        field_operations=ops,
        source_id=rec["source_id"],
    )


def _treaty_line(facts: Facts, iso3: str, treaty: str, on: date) -> TreatyLine:
    actions = [ActionLine(treaty, a["action"], a["action_date"], a["source_id"], a["note"],
                          a["action_date"] > on)
               for a in facts.actions.get((iso3, treaty), [])]
    observations = [ObservationLine(treaty, o["observed_status"], o["as_of"], o["source_id"],
                                    o["note"])
                    for o in facts.observations.get((iso3, treaty), [])]
    return TreatyLine(treaty, st.treaty_status_of(facts, iso3, treaty, on), actions, observations)


def _structure_line(facts: Facts, iso3: str, kind: str, on: date) -> StructureLine:
    rows = sorted(facts.structures.get((iso3, kind), []), key=lambda r: r["as_of_pd"])
    history = [StructureRow(kind, r["status"], r["established"], r["as_of"],
                            bool(r["as_of_approx"]), r["detail"] or "", r["source_id"], r["note"],
                            r["as_of_pd"].lo > on, r["valid_from"], r["valid_until"])
               for r in rows]
    return StructureLine(kind, st.structure_status_of(facts, iso3, kind, on), history)


def _monitoring_line(facts: Facts, iso3: str, on: date) -> MonitoringLine:
    rounds = []
    for r in facts.monitoring.get(iso3, []):
        first = r["visit_pd"] or r["published_pd"]
        rounds.append(MonitoringRound(r["body"], r["round"], r["visit_date"],
                                      r["report_published"], r["report_ref"], r["url"],
                                      r["source_id"], first is not None and first.lo > on))
    return MonitoringLine(st.monitoring_status_of(facts, iso3, on), rounds)


def _survey_line(facts: Facts, iso3: str, on: date) -> SurveyLine:
    survey = facts.surveys[DEFAULT_SURVEY]
    responses = [r for r in facts.survey_responses
                 if r["survey_id"] == DEFAULT_SURVEY and r["iso3"] == iso3]
    return SurveyLine(DEFAULT_SURVEY, survey["title"], survey["sent"],
                      st.survey_status_of(facts, iso3, DEFAULT_SURVEY, on), responses)


def _engagements(facts: Facts, iso3: str) -> list[EngagementLine]:
    rows = sorted((e for e in facts.engagements if e["iso3"] == iso3),
                  key=lambda e: (e["start_pd"].lo, e["engagement_id"]))
    return [EngagementLine(e["engagement_id"], e["kind"], e["title"], e["start_date"],
                           e["end_date"], e["place"], e["source_id"]) for e in rows]


# Which status a comparison counts: the one that means "done" for the indicator.
COMPARED: dict[str, str] = {"UNTOC": "party", "PALERMO": "party", "COE197": "party",
                            "NCM": "yes", "NAP": "yes", "NR": "yes", "NRM": "yes",
                            "SURVEY": "responded"}


def _comparisons(facts: Facts, iso3: str, region: str, on: date,
                 lang: str) -> list[ComparisonLine]:
    neighbours = {i for i in facts.participating_states(on) if facts.states[i]["region"] == region}
    out = []
    for ind, counted in COMPARED.items():
        if ind == "SURVEY" and on < facts.surveys[DEFAULT_SURVEY]["sent"]:
            continue  # no one could have answered yet
        rows = [r for r in indicator_rows(facts, ind, on) if r["iso3"] in neighbours]
        if ind == "COE197":
            # Only CoE members (and signatories) can be parties: count among those in scope.
            rows = [r for r in rows if r["status"] != "non-member"]
        if not rows:
            continue
        count = sum(1 for r in rows if r["status"] == counted)
        own = next((str(r["status"]) for r in rows if r["iso3"] == iso3), None)
        text = t("profile.compare", lang, indicator=indicator_label(ind, lang),
                 status=status_label(counted, lang), count=count, total=len(rows),
                 region=region_label(region, lang))
        unknown = sum(1 for r in rows if r["status"] == "unknown")
        if unknown:
            # Without this, "0 of 6 responded" would read as six refusals.
            text += t("profile.compare_unknown", lang, count=unknown)
        out.append(ComparisonLine(ind, region, counted, count, len(rows), own, text, unknown))
    return out


def _as_of_text(row_as_of: str | None, approx: bool, lang: str) -> str:
    if not row_as_of:
        return ""
    return t("profile.circa", lang, date=row_as_of) if approx else row_as_of


def _points(facts: Facts, header: Header, treaties: list[TreatyLine],
            structures: list[StructureLine], survey: SurveyLine, on: date,
            lang: str) -> list[Point]:
    """Gaps and open questions, each worded from one status and citing what decided it.

    `unknown` and `no` are worded differently on purpose: "no rapporteur recorded" asks the
    State to tell us; "no rapporteur (source, as of)" says a source found none.
    """
    points: list[Point] = []
    if not header.participating:
        since = header.osce.since
        key = "profile.point_not_participating_since" if since else \
            "profile.point_not_participating"
        points.append(Point("OSCE", "info", t(key, lang, date=on, since=since),
                            [header.osce.source_id] if header.osce.source_id else []))
    for line in treaties:
        s = line.status
        # Short treaty names ("CETS 197") read better inside a sentence.
        label = t(f"indicator_short.{line.treaty}", lang)
        ev = s.decided_by
        src = [s.source_id] if s.source_id else []
        if s.status == "signed" and ev is not None:
            key = "profile.point_signed" if ev.exact else "profile.point_signed_by"
            points.append(Point(line.treaty, "gap", t(key, lang, treaty=label, date=ev.on), src))
        elif s.status == "not signed" and ev is not None and ev.exact and ev.on > on:
            # Decided by a later deposit (accession without signature): say that, not "action
            # of <later date>", which reads as if something happened before the date.
            points.append(Point(line.treaty, "gap",
                                t("profile.point_not_yet", lang, treaty=label, date=on,
                                  action=action_label(ev.what, lang).lower(), later=ev.on),
                                src))
        elif s.status == "not signed" and s.basis != "not open" and ev is not None:
            key = "profile.point_not_signed" if ev.exact else "profile.point_not_signed_obs"
            points.append(Point(line.treaty, "gap",
                                t(key, lang, treaty=label, date=ev.on, source=ev.source_id),
                                src))
        elif s.status == "unknown":
            points.append(Point(line.treaty, "unknown",
                                t("profile.point_treaty_unknown", lang, treaty=label, date=on),
                                line.source_ids))
        elif s.status == "non-member" and line.treaty == "COE197" and header.participating:
            points.append(Point(line.treaty, "info",
                                t("profile.point_coe_non_member", lang, treaty=label),
                                [facts.treaties["COE197"]["source_id"]]))
        elif (s.status == "party" and line.treaty == "COE197" and s.in_force is False
              and s.in_force_date):
            points.append(Point(line.treaty, "info",
                                t("profile.point_not_in_force", lang, treaty=label,
                                  date=s.in_force_date), src))
    for sline in structures:
        s2 = sline.status
        label = indicator_label(sline.kind, lang)
        src = [s2.source_id] if s2.source_id else []
        when = _as_of_text(s2.evidence_date, s2.approximate, lang)
        if s2.status == "unknown":
            points.append(Point(sline.kind, "unknown",
                                t("profile.point_structure_unknown", lang, structure=label), []))
        elif s2.status == "expired":
            points.append(Point(sline.kind, "gap",
                                t("profile.point_structure_expired", lang, structure=label,
                                  until=s2.valid_until, source=s2.source_id), src))
        elif s2.status == "no":
            points.append(Point(sline.kind, "gap",
                                t("profile.point_structure_no", lang, structure=label,
                                  source=s2.source_id, date=when), src))
        elif s2.status == "planned":
            points.append(Point(sline.kind, "gap",
                                t("profile.point_structure_planned", lang, structure=label,
                                  source=s2.source_id, date=when), src))
        elif s2.status == "partial":
            points.append(Point(sline.kind, "gap",
                                t("profile.point_structure_partial", lang, structure=label,
                                  detail=s2.detail, source=s2.source_id, date=when), src))
        if s2.stale and s2.status in ("yes", "partial", "no", "planned", "expired"):
            gap = points[-1] if points and points[-1].indicator == sline.kind else None
            if gap is not None and s2.status != "yes":
                # The gap stands, but on old evidence: say so in the same sentence.
                points[-1] = Point(gap.indicator, gap.kind, gap.text + " " + t(
                    "profile.point_stale_suffix", lang, date=s2.decided_on), gap.source_ids)
            else:
                # Old evidence of a structure is a question for the delegation, not a finding.
                points.append(Point(sline.kind, "unknown",
                                    t("profile.point_structure_stale", lang, structure=label,
                                      status=status_label(s2.status, lang).lower(),
                                      date=s2.decided_on), src))
    sv = survey.status
    if header.participating and on >= survey.sent:
        # Worded here from the fields (not from the engine's English `detail`), so it translates.
        list_date = st.survey_list_date(facts, survey.survey_id)
        src = [sv.source_id] if sv.source_id else []
        if sv.status == "not responded":
            points.append(Point("SURVEY", "gap", t("profile.point_survey_no", lang,
                                                   date=list_date, source=sv.source_id), src))
        elif sv.status == "unknown" and sv.received_by is None:
            points.append(Point("SURVEY", "unknown", t("profile.point_survey_unknown", lang,
                                                       date=list_date), src))
    return points


def state_profile(facts: Facts, iso3: str, as_of: date, lang: str = "en") -> Profile:
    """The profile of one State (a `states` iso3) on `as_of`; raises KeyError for other codes."""
    if iso3 not in facts.states:
        raise KeyError(iso3)
    header = _header(facts, iso3, as_of, lang)
    treaties = [_treaty_line(facts, iso3, tr, as_of) for tr in TREATIES]
    structures = [_structure_line(facts, iso3, k, as_of) for k in STRUCTURE_KINDS]
    monitoring = _monitoring_line(facts, iso3, as_of)
    survey = _survey_line(facts, iso3, as_of)
    engagements = _engagements(facts, iso3)
    comparisons = _comparisons(facts, iso3, header.region, as_of, lang)
    points = _points(facts, header, treaties, structures, survey, as_of, lang)

    ids: list[str | None] = [header.source_id, header.osce.source_id, header.coe.source_id,
                             header.eu.source_id]
    ids += [op.source_id for op in header.field_operations]
    for tl in treaties:
        ids += tl.source_ids
    for sl in structures:
        ids += [sl.status.source_id] + [r.source_id for r in sl.history]
    ids += [monitoring.status.source_id] + [r.source_id for r in monitoring.rounds]
    ids += [survey.status.source_id] + [r["source_id"] for r in survey.responses]
    ids += [e.source_id for e in engagements]
    for p in points:
        ids += p.source_ids
    source_ids = [i for i in dict.fromkeys(ids) if i and i in facts.sources]
    return Profile(iso3, as_of, lang, facts.data_version, header, treaties, structures,
                   monitoring, survey, engagements, comparisons, points, source_ids)


# --- words for the page and the brief ------------------------------------------------------


def action_label(action: str, lang: str) -> str:
    return t(f"profile.action_{action}", lang)


def membership_text(line: MembershipLine, lang: str) -> str:
    """"Member since 1995-07-13" / "Not a member" / "Member 1996-02-28 – 2022-03-16"."""
    if line.since is None:
        return t("profile.not_member", lang)
    if line.until is not None:
        return t("profile.member_period", lang, since=line.since, until=line.until)
    if line.member:
        return t("profile.member_since", lang, since=line.since)
    return t("profile.member_from", lang, since=line.since)


def source_line(facts: Facts, source_id: str, lang: str = "en") -> str:
    """"id [Kind]: title (publisher, published) url" as plain text (for the PDF and the deck)."""
    return source_text(ref_of(source_id, facts.source(source_id)), lang)


def treaty_basis_text(line: TreatyLine, lang: str) -> str:
    """What decided the status, worded in `lang` from the evidence (the engine's `detail` is
    English only)."""
    s = line.status
    ev = s.decided_by
    if s.basis == "not open":
        return t("profile.basis_not_open", lang,
                 date=s.detail.rsplit("opened ", 1)[-1].rstrip(")"))
    if s.basis == "membership":
        return t("profile.basis_membership", lang)
    if ev is None:
        return t("profile.basis_none", lang)
    if ev.exact:
        return f"{action_label(ev.what, lang)} {ev.on}"
    observed = ev.what.removeprefix("observed: ")
    return t("profile.observed", lang, status=status_label(observed, lang), date=ev.on)


def structure_detail_text(status: st.StructureStatus, lang: str) -> str:
    """The source's detail, or, with no row for the date, that nothing is recorded."""
    if status.status == "unknown":
        return t("profile.basis_no_structure", lang)
    return status.detail


def structure_status_text(status: st.StructureStatus, lang: str) -> str:
    """"Yes", "Expired (plan period ended 2017)", "Yes · last confirmed 2016-05 (stale)"."""
    text = status_label(status.status, lang)
    if status.status == "expired" and status.valid_until:
        text += " " + t("profile.expired_until", lang, until=status.valid_until)
    if status.stale and status.status != "unknown":
        text += " · " + t("profile.last_confirmed", lang, date=status.decided_on)
    return text


def plan_period_text(valid_from: str | None, valid_until: str | None) -> str:
    """"2021-2023", "from 2021", "until 2023" or ""."""
    if valid_from and valid_until:
        return f"{valid_from} – {valid_until}"
    return valid_from or valid_until or ""


def monitoring_text(line: MonitoringLine, lang: str) -> str:
    """Where the State stands with GRETA, in one sentence for the profile and the brief."""
    m = line.status
    if m.status == "not monitored":
        return t("profile.greta_not_monitored", lang)
    if m.status == "unknown":
        return t("profile.greta_unknown", lang)
    if m.latest is not None:
        text = t("profile.greta_latest", lang, round=m.latest["round"],
                 date=m.latest["report_published"])
    else:
        text = t("profile.greta_none_yet", lang)
    if m.under_way is not None:
        text += " " + t("profile.greta_under_way", lang, round=m.under_way["round"],
                        date=m.under_way["visit_date"])
    return text


def treaty_status_text(line: TreatyLine, lang: str) -> str:
    """Status word plus the in-force date for CETS 197 where known."""
    s = line.status
    text = status_label(s.status, lang)
    if line.treaty == "COE197" and s.status == "party" and s.in_force_date:
        key = "profile.in_force_from" if s.in_force_exact else "profile.in_force_by"
        text += "; " + t(key, lang, date=s.in_force_date)
    return text
