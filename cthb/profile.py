"""Everything the data says about one State on one date, as a tree of plain dataclasses: the
one model of a State's profile.

The profile page, the PDF/PowerPoint brief and the tests all read this one structure, so a line
shown on the page, printed in the brief and checked by a test is the same line, worded here in
the profile's language. Every line keeps the ids of the sources it rests on, and the sources a
reader meets are numbered in reading order (`Profile.references`, `Profile.cite`); nothing here
is worded from anything but the data. Statuses come from cthb.status (never recomputed here),
so the profile cannot disagree with the map or the gap chart. What the facts add up to (points
to raise, data gaps, what changed) is worked out in cthb.profile_findings.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from cthb import status as st
from cthb.facts import Facts, Record
from cthb.i18n import indicator_label, region_label, status_label, t
from cthb.indicators import DEFAULT_SURVEY, indicator_rows
from cthb.profile_findings import (
    ChangeWindow,
    Point,
    change_window,
    headline,
    monitoring_findings,
    recent_since,
    structure_findings,
    survey_findings,
    treaty_findings,
    when_text,
)
from cthb.schema import LANGUAGES, STRUCTURE_KINDS, TREATIES
from cthb.sources import cite, ref_of, source_text

if TYPE_CHECKING:
    import pandas as pd

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
    source_id: str  # of the states row (names)
    warning: str = ""  # "X was not an OSCE participating State on D", in the profile language


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
    # Words in the profile's language, as the page and the brief show them.
    label: str = ""  # "CETS 197"
    status_text: str = ""  # "Party; in force for it from 2013-04-01"
    dates_text: str = ""  # "Signature 2005-11-19 · Ratification 2012-12-19"
    basis_text: str = ""  # what decided the status

    @property
    def source_ids(self) -> list[str]:
        ids = [self.status.source_id] + [a.source_id for a in self.actions]
        ids += [o.source_id for o in self.observations]
        return [i for i in dict.fromkeys(ids) if i]

    @property
    def cited(self) -> list[str]:
        """The sources of what the brief prints: the deciding evidence and the dated actions
        up to the profile date."""
        ids = [self.status.source_id] + [a.source_id for a in self.actions if not a.after_as_of]
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
    label: str = ""  # "National Rapporteur or equivalent"
    status_text: str = ""  # "Yes · last confirmed 2016 (more than 5 years earlier)"
    # "stale" (evidence more than 5 years old), "expired" (plan period over) or "".
    mark: str = ""
    evidence_text: str = ""  # the deciding source's own date: "2024-03", "c. 2024"
    period_text: str = ""  # a plan's period: "2024 – 2026"
    detail_text: str = ""  # the source's words, marked "(in English)" on other languages

    @property
    def cited(self) -> list[str]:
        return [self.status.source_id] if self.status.source_id else []


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
    text: str = ""  # one sentence in the profile's language

    @property
    def cited(self) -> list[str]:
        ids = [self.status.source_id] + [r.source_id for r in self.rounds if not r.after_as_of]
        return [i for i in dict.fromkeys(ids) if i]


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
    after_as_of: bool = False  # later than the profile date
    text: str = ""  # "2007 · Visit: <title> (<place>)" in the profile's language


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
class OverviewLine:
    label: str
    value: str
    source_ids: list[str]


@dataclass(frozen=True)
class Reference:
    """A numbered source: "[3]" in the text, the full entry in the list at the end."""

    number: int
    source_id: str
    text: str  # "[Kind] Title (Publisher, date), locator" in the profile's language
    url: str


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
    points: list[Point]  # to raise: gaps and context found by the sources
    source_ids: list[str] = field(default_factory=list)  # every source used, in order
    to_confirm: list[Point] = field(default_factory=list)  # data gaps: ask the delegation
    headline: list[str] = field(default_factory=list)
    changes: list[ChangeWindow] = field(default_factory=list)
    overview: list[OverviewLine] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def previous_engagements(self) -> list[EngagementLine]:
        return [e for e in self.engagements if not e.after_as_of]

    @property
    def nothing_to_confirm_key(self) -> str:
        """The catalogue key for an empty "to confirm" list: it may only say that every status
        rests on recent evidence when none of the points above is marked as old."""
        if any(line.status.stale and line.status.status != "unknown"
               for line in self.structures):
            return "meeting.nothing_else_to_confirm"
        return "meeting.nothing_to_confirm"

    def ref_numbers(self, source_ids: list[str]) -> list[int]:
        numbers = {r.source_id: r.number for r in self.references}
        return sorted({numbers[s] for s in source_ids if s in numbers})

    def cite(self, source_ids: list[str]) -> str:
        """"[2, 5]" for the sources of a line ("" when it has none)."""
        numbers = self.ref_numbers(source_ids)
        return f"[{', '.join(map(str, numbers))}]" if numbers else ""


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
    name = facts.state_name(iso3, lang)
    warning = ""
    if not osce.member:
        key = "profile.not_participating_since" if osce.since else "profile.not_participating"
        warning = t(key, lang, name=name, date=on.isoformat(), since=osce.since)
    return Header(
        iso3=iso3,
        name=name,
        names={lg: rec.get(f"name_{lg}") or rec["name_en"] for lg in LANGUAGES},
        region=rec["region"],
        participating=osce.member,
        osce=osce,
        coe=_membership(facts, iso3, "COE", on),
        eu=_membership(facts, iso3, "EU", on),
        field_operations=ops,
        source_id=rec["source_id"],
        warning=warning,
    )


def _treaty_line(facts: Facts, iso3: str, treaty: str, on: date, lang: str) -> TreatyLine:
    actions = [ActionLine(treaty, a["action"], a["action_date"], a["source_id"], a["note"],
                          a["action_date"] > on)
               for a in facts.actions.get((iso3, treaty), [])]
    observations = [ObservationLine(treaty, o["observed_status"], o["as_of"], o["source_id"],
                                    o["note"])
                    for o in facts.observations.get((iso3, treaty), [])]
    line = TreatyLine(treaty, st.treaty_status_of(facts, iso3, treaty, on), actions,
                      observations)
    dates = [f"{action_label(a.action, lang)} {a.on}"
             + (f" ({t('profile.later', lang)})" if a.after_as_of else "") for a in actions]
    return replace(line, label=t(f"indicator_short.{treaty}", lang),
                   status_text=treaty_status_text(line, lang),
                   dates_text=" · ".join(dates) or t("profile.no_actions", lang),
                   basis_text=treaty_basis_text(line, lang))


def _structure_line(facts: Facts, iso3: str, kind: str, on: date, lang: str) -> StructureLine:
    rows = sorted(facts.structures.get((iso3, kind), []), key=lambda r: r["as_of_pd"])
    history = [StructureRow(kind, r["status"], r["established"], r["as_of"],
                            bool(r["as_of_approx"]), r["detail"] or "", r["source_id"], r["note"],
                            r["as_of_pd"].lo > on, r["valid_from"], r["valid_until"])
               for r in rows]
    s = st.structure_status_of(facts, iso3, kind, on)
    mark = "expired" if s.status == "expired" else "stale" if s.stale else ""
    detail = (t("profile.basis_no_structure", lang) if s.status == "unknown"
              else data_text(s.detail, lang))
    return StructureLine(kind, s, history, label=indicator_label(kind, lang),
                         status_text=structure_status_text(s, lang), mark=mark,
                         evidence_text=when_text(s.evidence_date, s.approximate, lang),
                         period_text=plan_period_text(s.valid_from, s.valid_until),
                         detail_text=detail)


def _monitoring_line(facts: Facts, iso3: str, on: date, lang: str) -> MonitoringLine:
    rounds = []
    for r in facts.monitoring.get(iso3, []):
        first = r["visit_pd"] or r["published_pd"]
        rounds.append(MonitoringRound(r["body"], r["round"], r["visit_date"],
                                      r["report_published"], r["report_ref"], r["url"],
                                      r["source_id"], first is not None and first.lo > on))
    line = MonitoringLine(st.monitoring_status_of(facts, iso3, on), rounds)
    return replace(line, text=monitoring_text(line, lang))


def _survey_line(facts: Facts, iso3: str, on: date) -> SurveyLine:
    survey = facts.surveys[DEFAULT_SURVEY]
    responses = [r for r in facts.survey_responses
                 if r["survey_id"] == DEFAULT_SURVEY and r["iso3"] == iso3]
    return SurveyLine(DEFAULT_SURVEY, survey["title"], survey["sent"],
                      st.survey_status_of(facts, iso3, DEFAULT_SURVEY, on), responses)


def _engagements(facts: Facts, iso3: str, on: date, lang: str) -> list[EngagementLine]:
    """Every engagement the data holds with the State, all years, oldest first."""
    rows = sorted((e for e in facts.engagements if e["iso3"] == iso3),
                  key=lambda e: (e["start_pd"].lo, e["engagement_id"]))
    out = []
    for e in rows:
        when = e["start_date"] + (f" – {e['end_date']}" if e["end_date"] else "")
        text = t("meeting.engagement_line", lang, date=when,
                 kind=t(f"profile.kind_{e['kind']}", lang), title=data_text(e["title"], lang))
        if e["place"]:
            text += f" ({e['place']})"
        out.append(EngagementLine(e["engagement_id"], e["kind"], e["title"], e["start_date"],
                                  e["end_date"], e["place"], e["source_id"],
                                  e["start_pd"].lo > on, text))
    return out


def _change_windows(facts: Facts, iso3: str, on: date, lang: str) -> list[ChangeWindow]:
    """The last 12 months, and the time since the last engagement (if there was one)."""
    since = recent_since(on)
    windows = [change_window(facts, iso3, "recent", since, on,
                             t("meeting.changes_recent", lang, since=since.isoformat()), lang)]
    done = [e for e in facts.engagements if e["iso3"] == iso3 and e["start_pd"].lo <= on]
    if done:
        # From the last day the engagement may have ended on: "2007" counts from 31 Dec 2007,
        # so nothing from before the visit is reported as news since it.
        last = max(done, key=lambda e: ((e["end_pd"] or e["start_pd"]).hi, e["engagement_id"]))
        end = min((last["end_pd"] or last["start_pd"]).hi, on)
        if end < on:
            title = t("meeting.changes_engagement", lang, since=end.isoformat(),
                      kind=t(f"profile.kind_{last['kind']}", lang).lower(),
                      date=last["start_date"])
            windows.append(change_window(facts, iso3, "engagement", end, on, title, lang))
    return windows


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
        if own is not None:
            text += " — " + t("profile.this_state", lang, status=status_label(own, lang))
        out.append(ComparisonLine(ind, region, counted, count, len(rows), own, text, unknown))
    return out


def _overview(header: Header, survey: SurveyLine, monitoring: MonitoringLine,
              lang: str) -> list[OverviewLine]:
    """The header facts as labelled lines, each with its sources."""
    h = header
    sv = survey.status
    survey_text = status_label(sv.status, lang)
    if sv.received_by:
        survey_text += " " + t("meeting.received_by", lang, date=sv.received_by)
    ops = "; ".join(data_text(op.name, lang) for op in h.field_operations)
    lines = [
        OverviewLine(t("profile.names", lang), " · ".join(dict.fromkeys(h.names.values())),
                     [h.source_id]),
        # The subregion is the product's own grouping, not a fact of a source.
        OverviewLine(t("profile.region", lang),
                     f"{region_label(h.region, lang)} ({t('meeting.region_editorial', lang)})",
                     []),
    ]
    for key, m in (("profile.osce", h.osce), ("profile.coe", h.coe), ("profile.eu", h.eu)):
        lines.append(OverviewLine(t(key, lang), membership_text(m, lang),
                                  [m.source_id] if m.source_id else []))
    lines += [
        OverviewLine(t("profile.field_ops", lang), ops or t("profile.no_field_ops", lang),
                     [op.source_id for op in h.field_operations]),
        OverviewLine(t("profile.monitoring", lang), monitoring.text, monitoring.cited[:1]),
        OverviewLine(t("profile.survey", lang), survey_text,
                     [sv.source_id] if sv.source_id else []),
    ]
    return lines


def _references(facts: Facts, cited: list[str], lang: str) -> list[Reference]:
    refs: list[Reference] = []
    for sid in dict.fromkeys(cited):
        src = facts.source(sid)
        if src is None:
            continue
        ref = ref_of(sid, src)
        refs.append(Reference(len(refs) + 1, sid,
                              source_text(ref, lang, with_id=False, with_url=False), ref.url))
    return refs


def state_profile(facts: Facts, iso3: str, as_of: date, lang: str = "en") -> Profile:
    """The profile of one State (a `states` iso3) on `as_of`; raises KeyError for other codes."""
    if iso3 not in facts.states:
        raise KeyError(iso3)
    header = _header(facts, iso3, as_of, lang)
    treaties = [_treaty_line(facts, iso3, tr, as_of, lang) for tr in TREATIES]
    structures = [_structure_line(facts, iso3, k, as_of, lang) for k in STRUCTURE_KINDS]
    monitoring = _monitoring_line(facts, iso3, as_of, lang)
    survey = _survey_line(facts, iso3, as_of)
    engagements = _engagements(facts, iso3, as_of, lang)
    comparisons = _comparisons(facts, iso3, header.region, as_of, lang)

    found: list[Point] = []
    if not header.participating:
        key = ("profile.point_not_participating_since" if header.osce.since
               else "profile.point_not_participating")
        found.append(Point("OSCE", "info", t(key, lang, date=as_of, since=header.osce.since),
                           [header.osce.source_id] if header.osce.source_id else []))
    for tl in treaties:
        found += treaty_findings(facts, tl.treaty, tl.status, header.participating, as_of, lang)
    for sl in structures:
        found += structure_findings(sl.kind, sl.status, lang)
    found += monitoring_findings(monitoring.status, as_of, lang)
    found += survey_findings(facts, survey.status, survey.survey_id, survey.sent,
                             header.participating, as_of, lang)
    points = [p for p in found if p.kind != "unknown"]
    to_confirm = [p for p in found if p.kind == "unknown"]
    changes = _change_windows(facts, iso3, as_of, lang)
    overview = _overview(header, survey, monitoring, lang)

    # Numbered in reading order (the brief's order: points, questions, treaties, structures,
    # GRETA, changes, engagements, overview), so [1] is the first source a reader meets.
    cited: list[str] = [s for p in points + to_confirm for s in p.source_ids]
    for tl in treaties:
        cited += tl.cited
    for sl in structures:
        cited += sl.cited
    cited += monitoring.cited
    for w in changes:
        cited += [s for c in w.changes + w.became_known + w.records for s in c.source_ids]
    cited += [e.source_id for e in engagements if not e.after_as_of]
    cited += [s for o in overview for s in o.source_ids]
    references = _references(facts, cited, lang)

    ids: list[str | None] = [r.source_id for r in references]
    for tl in treaties:
        ids += tl.source_ids
    for sl in structures:
        ids += [r.source_id for r in sl.history]
    ids += [r.source_id for r in monitoring.rounds]
    ids += [r["source_id"] for r in survey.responses]
    ids += [e.source_id for e in engagements]
    source_ids = [i for i in dict.fromkeys(ids) if i and i in facts.sources]
    return Profile(
        iso3, as_of, lang, facts.data_version, header, treaties, structures, monitoring, survey,
        engagements, comparisons, points, source_ids, to_confirm,
        headline([(tl.treaty, tl.status) for tl in treaties],
                 [(sl.kind, sl.status) for sl in structures], monitoring.status,
                 len(points), len(to_confirm), lang),
        changes, overview, references)


# --- words for the page and the brief ------------------------------------------------------


def data_text(text: str, lang: str, chars: int | None = None) -> str:
    """Text the data keeps in the source's language (details, titles), marked as such on a page
    in another language so no reader takes it for a missing translation; with `chars`, cut at
    a word boundary and marked with an ellipsis."""
    if chars is not None and len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    if not text or lang == "en":
        return text
    return f"{text} {t('meeting.in_english', lang)}"


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


# --- as tables -----------------------------------------------------------------------------
# The profile's tables with their headers in the profile's language, for the page (and its
# CSV download) and the PDF brief: one definition, so both show the same columns.


def tables(profile: Profile, facts: Facts) -> dict[str, pd.DataFrame]:
    import pandas as pd  # lazy: the model itself needs no pandas

    lang = profile.lang

    def col(key: str) -> str:
        return t(key, lang)

    refs = col("meeting.col_refs")
    out: dict[str, pd.DataFrame] = {}
    out["treaties"] = pd.DataFrame(
        [{col("profile.treaty"): tl.label, col("profile.status"): tl.status_text,
          col("meeting.col_dates"): tl.dates_text, col("profile.decided_by"): tl.basis_text,
          refs: profile.cite(tl.cited)} for tl in profile.treaties])
    events = []
    for tl in profile.treaties:
        for a in tl.actions:
            events.append({col("profile.treaty"): tl.label,
                           col("profile.action"): action_label(a.action, lang),
                           col("profile.date"): a.on.isoformat()
                           + (f" ({t('profile.later', lang)})" if a.after_as_of else ""),
                           col("profile.note"): data_text(a.note or "", lang),
                           col("profile.source_id"): cite(facts, a.source_id, lang)})
        for o in tl.observations:
            events.append({col("profile.treaty"): tl.label,
                           col("profile.action"): t("profile.observed", lang, status=status_label(
                               o.observed_status, lang), date=o.on),
                           col("profile.date"): o.on.isoformat(),
                           col("profile.note"): data_text(o.note or "", lang),
                           col("profile.source_id"): cite(facts, o.source_id, lang)})
    out["treaty_history"] = pd.DataFrame(events)
    out["structures"] = pd.DataFrame(
        [{col("profile.structure"): sl.label, col("profile.status"): sl.status_text,
          col("profile.evidence_as_of"): sl.evidence_text,
          col("profile.established"): sl.status.established or "",
          col("profile.plan_period"): sl.period_text, col("profile.detail"): sl.detail_text,
          refs: profile.cite(sl.cited)} for sl in profile.structures])
    out["structure_history"] = pd.DataFrame(
        [{col("profile.structure"): t(f"indicator_short.{r.kind}", lang),
          col("profile.status"): status_label(r.status, lang),
          col("profile.evidence_as_of"): when_text(r.as_of, r.as_of_approx, lang)
          + (f" ({t('profile.later', lang)})" if r.after_as_of else ""),
          col("profile.established"): r.established or "",
          col("profile.plan_period"): plan_period_text(r.valid_from, r.valid_until),
          col("profile.detail"): data_text(r.detail, lang),
          col("profile.note"): data_text(r.note or "", lang),
          col("profile.source_id"): cite(facts, r.source_id, lang)}
         for sl in profile.structures for r in sl.history])
    out["greta"] = pd.DataFrame(
        [{col("profile.greta_round"): str(r.round), col("profile.greta_visit"): r.visit_date or "",
          col("profile.greta_published"): (r.report_published or "")
          + (f" {t('profile.greta_not_yet', lang)}" if r.after_as_of else ""),
          col("profile.greta_ref"): r.report_ref or "",
          col("profile.source_id"): cite(facts, r.source_id, lang)}
         for r in profile.monitoring.rounds])
    out["engagements"] = pd.DataFrame(
        [{col("profile.date"): e.start + (f" – {e.end}" if e.end else ""),
          col("profile.kind"): t(f"profile.kind_{e.kind}", lang),
          col("profile.title_col"): data_text(e.title, lang),
          col("profile.place"): e.place or "",
          refs: profile.cite([e.source_id]) or cite(facts, e.source_id, lang)}
         for e in profile.engagements])
    out["overview"] = pd.DataFrame(
        [{col("meeting.col_item"): o.label, col("meeting.col_value"): o.value,
          refs: profile.cite(o.source_ids)} for o in profile.overview])
    return out
