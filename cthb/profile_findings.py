"""What a profile concludes from the facts of one State on one date: the points to raise, the
data gaps to confirm with the delegation, the headline and what changed lately.

Every conclusion is worded from one status of the engine (cthb.status) and cites the source
that decided it; nothing is worded from anything but the data. `unknown` and `no` never share a
sentence: "no rapporteur (as of 2020)" is a finding of a source, "nothing recorded: does one
exist?" is a question for the delegation, and the two are kept in separate lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cthb import status as st
from cthb.changes import status_changes
from cthb.dates import add_months
from cthb.facts import Facts
from cthb.i18n import indicator_label, status_label, t
from cthb.indicators import GAP_INDICATORS

# How far back "what changed lately" looks.
RECENT_MONTHS = 12
# A one-off survey stops being a point to raise once its answers are this old: the same rule as
# for stale evidence (cthb.status.STALE_AFTER_YEARS).
SURVEY_RELEVANT_YEARS = st.STALE_AFTER_YEARS
CHANGE_INDICATORS = (*GAP_INDICATORS, "GRETA")


@dataclass(frozen=True)
class Point:
    """A gap to raise, a note of context, or a question to confirm, with its sources."""

    indicator: str
    kind: str  # gap | info (points to raise) · unknown (data gaps to confirm)
    text: str
    source_ids: list[str]


@dataclass(frozen=True)
class ChangeLine:
    indicator: str
    # changed | became known | no longer known: a status on the two dates (cthb.changes);
    # record: a fact dated inside the period (an action, a source, a report, a visit).
    kind: str
    on: str  # the date of the evidence, as the source states it ("" when none)
    text: str
    source_ids: list[str]


@dataclass(frozen=True)
class ChangeWindow:
    """What changed for the State between `since` and the profile date."""

    key: str  # "recent" (the last 12 months) | "engagement" (since the last engagement)
    since: date
    title: str
    changes: list[ChangeLine]  # real changes of status
    became_known: list[ChangeLine]  # statuses learnt in the period: not changes
    records: list[ChangeLine]  # facts dated in the period that changed no status


def short(indicator: str, lang: str) -> str:
    """Short indicator names ("CETS 197", "Action plan") read better inside a sentence."""
    return t(f"indicator_short.{indicator}", lang)


def when_text(evidence_date: str | None, approx: bool, lang: str) -> str:
    if not evidence_date:
        return ""
    return t("profile.circa", lang, date=evidence_date) if approx else evidence_date


# --- points to raise and data gaps ---------------------------------------------------------


def treaty_findings(facts: Facts, line_treaty: str, s: st.TreatyStatus, participating: bool,
                    on: date, lang: str) -> list[Point]:
    """Points about one treaty's status on `on`."""
    label = short(line_treaty, lang)
    ev = s.decided_by
    src = [s.source_id] if s.source_id else []
    out: list[Point] = []
    if s.status == "signed" and ev is not None:
        key = "profile.point_signed" if ev.exact else "profile.point_signed_by"
        out.append(Point(line_treaty, "gap", t(key, lang, treaty=label, date=ev.on), src))
    elif s.status == "not signed" and ev is not None and ev.exact and ev.on > on:
        # Decided by a later deposit (accession without signature): say that, not "action of
        # <later date>", which reads as if something happened before the date.
        out.append(Point(line_treaty, "gap", t(
            "meeting.point_not_yet", lang, treaty=label, date=on,
            action=t(f"profile.action_{ev.what}", lang).lower(), later=ev.on), src))
    elif s.status == "not signed" and s.basis != "not open" and ev is not None:
        out.append(Point(line_treaty, "gap",
                         t("meeting.point_not_signed", lang, treaty=label, date=ev.on), src))
    elif s.status == "unknown":
        out.append(Point(line_treaty, "unknown",
                         t("meeting.confirm_treaty_unknown", lang, treaty=label, date=on), []))
    elif s.status == "non-member" and line_treaty == "COE197" and participating:
        out.append(Point(line_treaty, "info",
                         t("profile.point_coe_non_member", lang, treaty=label),
                         [facts.treaties["COE197"]["source_id"]]))
    elif (s.status == "party" and line_treaty == "COE197" and s.in_force is False
          and s.in_force_date):
        out.append(Point(line_treaty, "info", t("profile.point_not_in_force", lang,
                                                treaty=label, date=s.in_force_date), src))
    if s.stale and s.status in ("signed", "not signed") and ev is not None:
        # A status carried forward from an old record: ask whether it still holds.
        out.append(Point(line_treaty, "unknown", t(
            "meeting.confirm_treaty_stale", lang, treaty=label,
            status=status_label(s.status, lang).lower(), date=ev.on), src))
    return out


def structure_findings(kind: str, s: st.StructureStatus, lang: str) -> list[Point]:
    """Points about one national structure: a gap found by a source, or a question."""
    label = indicator_label(kind, lang)
    src = [s.source_id] if s.source_id else []
    when = when_text(s.evidence_date, s.approximate, lang)
    if s.status == "unknown":
        return [Point(kind, "unknown", t("meeting.confirm_structure_unknown", lang,
                                         structure=label), [])]
    keys = {"expired": "meeting.point_structure_expired", "no": "meeting.point_structure_no",
            "planned": "meeting.point_structure_planned",
            "partial": "meeting.point_structure_partial"}
    if s.status in keys:
        text = t(keys[s.status], lang, structure=label, until=s.valid_until, date=when)
        if s.stale:
            # The gap stands, but on old evidence: say so in the same sentence.
            text += " " + t("profile.point_stale_suffix", lang, date=s.decided_on)
        return [Point(kind, "gap", text, src)]
    if s.stale:  # `yes` on old evidence: a question for the delegation, not a finding
        return [Point(kind, "unknown", t(
            "profile.point_structure_stale", lang, structure=label,
            status=status_label(s.status, lang).lower(), date=s.decided_on), src)]
    return []


def monitoring_findings(m: st.MonitoringStatus, on: date, lang: str) -> list[Point]:
    """A GRETA report published in the last 12 months is a point to follow up."""
    latest = m.latest
    if latest is None or latest["published_pd"].hi < add_months(on, -RECENT_MONTHS):
        return []
    return [Point("GRETA", "info", t("meeting.point_greta_recent", lang, round=latest["round"],
                                     date=latest["report_published"]),
                  [latest["source_id"]])]


def survey_findings(facts: Facts, sv: st.SurveyStatus, survey_id: str, sent: date,
                    participating: bool, on: date, lang: str) -> list[Point]:
    if not participating or on < sent or on.year - sent.year > SURVEY_RELEVANT_YEARS:
        return []
    list_date = st.survey_list_date(facts, survey_id)
    src = [sv.source_id] if sv.source_id else []
    if sv.status == "not responded":
        return [Point("SURVEY", "gap", t("meeting.point_survey_no", lang, date=list_date), src)]
    if sv.status == "unknown" and sv.received_by is None:
        return [Point("SURVEY", "unknown", t("meeting.confirm_survey_unknown", lang,
                                             date=list_date), src)]
    return []


# --- headline ------------------------------------------------------------------------------


def headline(treaties: list[tuple[str, st.TreatyStatus]],
             structures: list[tuple[str, st.StructureStatus]], monitoring: st.MonitoringStatus,
             points: int, to_confirm: int, lang: str) -> list[str]:
    """Three short lines a reader takes in at a glance: treaties, structures, GRETA."""
    tr = [f"{short(k, lang)}: {status_label(s.status, lang)}" for k, s in treaties]
    parts = []
    for kind, s in structures:
        word = status_label(s.status, lang)
        if s.stale and s.status != "unknown":
            word += " " + t("meeting.stale_mark", lang, date=s.decided_on)
        parts.append(f"{short(kind, lang)}: {word}")
    if monitoring.latest is not None:
        greta = t("meeting.headline_greta_round", lang, round=monitoring.latest["round"],
                  date=monitoring.latest["report_published"])
    else:
        greta = status_label(monitoring.status, lang)
    return [t("meeting.headline_treaties", lang, items="; ".join(tr)),
            t("meeting.headline_structures", lang, items="; ".join(parts)),
            t("meeting.headline_greta", lang, greta=greta, points=points, confirm=to_confirm)]


# --- what changed --------------------------------------------------------------------------


def change_window(facts: Facts, iso3: str, key: str, since: date, on: date, title: str,
                  lang: str) -> ChangeWindow:
    """Status changes between `since` and `on` (cthb.changes keeps "became known" apart from
    a change), and the facts dated inside the period that changed no status."""
    df = status_changes(facts, CHANGE_INDICATORS, since, on, lang, states=[iso3])
    changes: list[ChangeLine] = []
    known: list[ChangeLine] = []
    cited: set[tuple[str, str]] = set()
    for r in df.itertuples():
        src = [str(r.source_id)] if r.source_id else []
        label = short(str(r.indicator), lang)
        after = status_label(str(r.status), lang)
        if r.change == "changed":
            text = t("meeting.change_status", lang, indicator=label,
                     before=status_label(str(r.before_status), lang), after=after)
            changes.append(ChangeLine(str(r.indicator), "changed", str(r.evidence_date), text,
                                      src))
        elif r.change == "became known":
            text = t("meeting.change_known", lang, indicator=label, after=after)
            known.append(ChangeLine(str(r.indicator), "became known", str(r.evidence_date),
                                    text, src))
        elif r.change == "no longer known":
            text = t("meeting.change_unknown", lang, indicator=label,
                     before=status_label(str(r.before_status), lang))
            known.append(ChangeLine(str(r.indicator), "no longer known", "", text, src))
        else:
            continue
        cited.update((str(r.indicator), s) for s in src)
    records = [c for c in _records(facts, iso3, since, on, lang)
               if (c.indicator, c.source_ids[0]) not in cited]
    return ChangeWindow(key, since, title, changes, known, records)


def _inside(lo: date, hi: date, since: date, on: date) -> bool:
    # A partial date counts when all of it lies in the period: "2024" is not "after 2024-06".
    return since < lo and hi <= on


def _records(facts: Facts, iso3: str, since: date, on: date, lang: str) -> list[ChangeLine]:
    """Facts of the State dated inside (since, on], oldest first."""
    out: list[ChangeLine] = []
    for (a3, treaty), actions in facts.actions.items():
        if a3 != iso3:
            continue
        for a in actions:
            if since < a["action_date"] <= on:
                out.append(ChangeLine(treaty, "record", a["action_date"].isoformat(), t(
                    "meeting.record_action", lang, treaty=short(treaty, lang),
                    action=t(f"profile.action_{a['action']}", lang).lower(),
                    date=a["action_date"]), [a["source_id"]]))
    for (a3, kind), rows in facts.structures.items():
        if a3 != iso3:
            continue
        for r in rows:
            pd_ = r["as_of_pd"]
            if pd_ is not None and _inside(pd_.lo, pd_.hi, since, on):
                out.append(ChangeLine(kind, "record", r["as_of"], t(
                    "meeting.record_structure", lang, structure=short(kind, lang),
                    status=status_label(r["status"], lang).lower(), date=r["as_of"]),
                    [r["source_id"]]))
    for r in facts.monitoring.get(iso3, []):
        for field, key in (("visit_pd", "meeting.record_greta_visit"),
                           ("published_pd", "meeting.record_greta_report")):
            pd_ = r[field]
            if pd_ is not None and _inside(pd_.lo, pd_.hi, since, on):
                out.append(ChangeLine("GRETA", "record", pd_.text, t(
                    key, lang, round=r["round"], date=pd_.text), [r["source_id"]]))
    for e in facts.engagements:
        pd_ = e["start_pd"]
        if e["iso3"] == iso3 and pd_ is not None and _inside(pd_.lo, pd_.hi, since, on):
            out.append(ChangeLine("ENGAGEMENT", "record", e["start_date"], t(
                "meeting.record_engagement", lang, kind=t(f"profile.kind_{e['kind']}", lang),
                date=e["start_date"], title=e["title"]), [e["source_id"]]))
    return sorted(out, key=lambda c: c.on)


def recent_since(on: date) -> date:
    return add_months(on, -RECENT_MONTHS)
