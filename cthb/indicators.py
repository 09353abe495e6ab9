"""Every indicator the app shows, as one uniform table: one row per State, with its status on a
date, what decided it and its source. Maps, gap charts, profiles and exports all read this.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cthb import status as st
from cthb.facts import Facts
from cthb.i18n import status_label, t

DEFAULT_SURVEY = "sr-2007-07"


@dataclass(frozen=True)
class Indicator:
    id: str
    family: str  # treaty | structure | survey | monitoring
    statuses: tuple[str, ...]
    # Statuses that count as a gap to close (unknown is never a gap: it is counted apart).
    gap_statuses: tuple[str, ...]


# An expired plan is a gap like a missing one: it is never drawn as `yes`.
STRUCTURE_GAPS = ("planned", "expired", "no")
IN_FORCE_STATUSES = ("in force", "party, not yet in force", "not party", "non-member", "unknown")

INDICATORS: dict[str, Indicator] = {
    "UNTOC": Indicator("UNTOC", "treaty", st.TREATY_STATUSES, ("signed", "not signed")),
    "PALERMO": Indicator("PALERMO", "treaty", st.TREATY_STATUSES, ("signed", "not signed")),
    "COE197": Indicator("COE197", "treaty", st.TREATY_STATUSES, ("signed", "not signed")),
    "COE197_IN_FORCE": Indicator("COE197_IN_FORCE", "treaty", IN_FORCE_STATUSES, ()),
    "NCM": Indicator("NCM", "structure", st.STRUCTURE_STATUSES, STRUCTURE_GAPS),
    "NAP": Indicator("NAP", "structure", st.STRUCTURE_STATUSES, STRUCTURE_GAPS),
    "NR": Indicator("NR", "structure", st.STRUCTURE_STATUSES, STRUCTURE_GAPS),
    "NRM": Indicator("NRM", "structure", st.STRUCTURE_STATUSES, STRUCTURE_GAPS),
    "SURVEY": Indicator("SURVEY", "survey", st.SURVEY_STATUSES, ("not responded",)),
    "GRETA": Indicator("GRETA", "monitoring", st.MONITORING_STATUSES, ()),
}
# The indicators a State's gap count is made of.
GAP_INDICATORS = ("UNTOC", "PALERMO", "COE197", "NCM", "NAP", "NR", "NRM")

# `evidence_date` is the date that decided the status, as the source states it; `stale` is true
# when that evidence is more than status.STALE_AFTER_YEARS older than the date shown.
INDICATOR_COLUMNS = ["iso3", "indicator", "status", "detail", "evidence_date", "exact",
                     "source_id", "is_gap", "is_unknown", "stale"]


def _in_force_word(s: st.TreatyStatus) -> str:
    if s.status == "party":
        if s.in_force is None:
            return "unknown"
        return "in force" if s.in_force else "party, not yet in force"
    if s.status in ("non-member", "unknown"):
        return s.status
    return "not party"


# --- `detail` in the reader's language ------------------------------------------------------
# The status engine words its `detail` in English (the CLI and English pages show it as is).
# For other languages the same facts are worded from the catalogue's [detail] section; what a
# source itself says (a structure's detail) stays in the source's words.


def _action(action: str, lang: str) -> str:
    return t(f"profile.action_{action}", lang)  # "ratification" -> "Ratification"


def _treaty_detail(facts: Facts, s: st.TreatyStatus, lang: str) -> str:
    ev = s.decided_by
    if s.basis == "not open":
        return t("detail.not_open", lang, date=facts.treaties[s.treaty]["opened"])
    if s.basis == "carried" and ev is not None:
        return t("detail.carried", lang, status=status_label(s.status, lang), date=ev.on)
    if s.status == "party" and ev is not None:
        if ev.exact:
            return t("detail.party_exact", lang, action=_action(ev.what, lang), date=ev.on)
        return t("detail.party_by", lang, date=ev.on)
    if s.status == "signed" and ev is not None:
        return t("detail.signed_exact" if ev.exact else "detail.signed_by", lang, date=ev.on)
    if s.status == "not signed":
        return t("detail.not_signed", lang)
    if s.status == "non-member":
        return t("detail.non_member", lang)
    known = [f"{_action(a['action'], lang)} {a['action_date']}"
             for a in facts.actions.get((s.iso3, s.treaty), [])]
    known += [t("detail.observed", lang, status=status_label(o["observed_status"], lang),
                date=o["as_of"]) for o in st.treaty_observations(facts, s.iso3, s.treaty)]
    return t("detail.unknown", lang,
             known="; ".join(known) if known else t("detail.unknown_nothing", lang))


def _survey_detail(facts: Facts, v: st.SurveyStatus, on: date, lang: str) -> str:
    if v.received_by is not None:
        key = "detail.survey_received" if v.status == "responded" else "detail.survey_day_unknown"
        return t(key, lang, date=v.received_by)
    sent = facts.surveys[v.survey_id]["sent"]
    if v.status == "not responded" and sent is not None and on < sent:
        return t("detail.survey_not_sent", lang, date=sent)
    key = "detail.survey_not_listed" if v.status == "not responded" else "detail.survey_after_list"
    return t(key, lang, date=st.survey_list_date(facts, v.survey_id))


def indicator_rows(facts: Facts, indicator: str, on: date, lang: str = "en",
                   states: Collection[str] | None = None) -> list[dict[str, object]]:
    """One row per participating State on `on` (only those in `states` when given: a profile
    asks about one State and need not work out the other 56)."""
    ind = INDICATORS[indicator]
    rows: list[dict[str, object]] = []
    states = [s for s in facts.participating_states(on) if states is None or s in states]
    english = lang == "en"
    if ind.family == "treaty":
        treaty = "COE197" if indicator == "COE197_IN_FORCE" else indicator
        for s in (st.treaty_status_of(facts, iso3, treaty, on) for iso3 in states):
            word = _in_force_word(s) if indicator == "COE197_IN_FORCE" else s.status
            detail = s.detail if english else _treaty_detail(facts, s, lang)
            if indicator == "COE197_IN_FORCE" and s.in_force_date:
                if english:
                    bound = "" if s.in_force_exact else " at the latest"
                    detail += f"; in force for it from {s.in_force_date}{bound}"
                else:
                    key = "detail.in_force_from" if s.in_force_exact else "detail.in_force_by"
                    detail += "; " + t(key, lang, date=s.in_force_date)
            rows.append(_row(ind, s.iso3, word, detail,
                             s.decided_by.on if s.decided_by else None,
                             s.exact, s.source_id, stale=s.stale))
    elif ind.family == "structure":
        for u in (st.structure_status_of(facts, iso3, indicator, on) for iso3 in states):
            detail = u.detail
            if not english and u.status == "unknown":
                detail = t("detail.no_structure", lang)
            decided_on = u.decided_on
            if u.evidence_date:
                key = "detail.as_of_approx" if u.approximate else "detail.as_of"
                when = t(key, lang, date=u.evidence_date)
                if u.by_establishment and u.established:
                    # A later source reporting an earlier establishment: the establishment
                    # date decides this date, the source's own date only says who told us.
                    when = t("detail.established", lang, established=u.established,
                             source_date=when)
                detail = f"{detail} ({when})".strip()
            if u.status == "expired":
                detail = t("detail.expired", lang, until=u.valid_until) + " " + detail
            rows.append(_row(ind, u.iso3, u.status, detail, decided_on, not u.approximate,
                             u.source_id, stale=u.stale))
    elif ind.family == "monitoring":
        for g in (st.monitoring_status_of(facts, iso3, on) for iso3 in states):
            rows.append(_row(ind, g.iso3, g.status, _monitoring_detail(g, lang),
                             g.evidence_date, True, g.source_id))
    elif ind.family == "survey":
        for v in (st.survey_status_of(facts, iso3, DEFAULT_SURVEY, on) for iso3 in states):
            detail = v.detail if english else _survey_detail(facts, v, on, lang)
            rows.append(_row(ind, v.iso3, v.status, detail, v.received_by, True, v.source_id))
    return rows


def _monitoring_detail(g: st.MonitoringStatus, lang: str) -> str:
    if lang == "en":
        return g.detail
    if g.status == "not monitored":
        return t("detail.not_monitored", lang)
    if g.status == "unknown":
        return t("detail.monitoring_unknown", lang)
    text = (t("detail.greta_published", lang, round=g.latest["round"],
              date=g.latest["report_published"]) if g.latest is not None
            else t("detail.greta_no_report", lang, date=g.as_of))
    if g.under_way is not None:
        text += "; " + t("detail.greta_under_way", lang, round=g.under_way["round"],
                         date=g.under_way["visit_date"])
    return text


def _row(ind: Indicator, iso3: str, status: str, detail: str, evidence_date: object,
         exact: bool, source_id: str | None, stale: bool = False) -> dict[str, object]:
    return {
        "iso3": iso3,
        "indicator": ind.id,
        "status": status,
        "detail": detail,
        "evidence_date": None if evidence_date is None else str(evidence_date),
        "exact": exact,
        "source_id": source_id,
        "is_gap": status in ind.gap_statuses,
        "is_unknown": status == "unknown",
        "stale": stale and status != "unknown",
    }


def indicator_frame(facts: Facts, indicator: str, on: date, lang: str = "en",
                    states: Collection[str] | None = None) -> pd.DataFrame:
    """One row per participating State on `on` (or of `states`): status of one indicator, with
    names and region."""
    df = pd.DataFrame(indicator_rows(facts, indicator, on, lang, states), columns=INDICATOR_COLUMNS)
    return _with_state_columns(facts, df, lang)


def matrix_frame(facts: Facts, on: date, lang: str = "en",
                 indicators: tuple[str, ...] = (*GAP_INDICATORS, "SURVEY")) -> pd.DataFrame:
    """Long table: every State x indicator on `on`."""
    rows = [r for ind in indicators for r in indicator_rows(facts, ind, on, lang)]
    return _with_state_columns(facts, pd.DataFrame(rows, columns=INDICATOR_COLUMNS), lang)


def gap_frame(facts: Facts, on: date, lang: str = "en") -> pd.DataFrame:
    """Per State: how many gaps (GAP_INDICATORS) and how many unknowns on `on`."""
    m = matrix_frame(facts, on, lang, GAP_INDICATORS)
    agg = (m.groupby(["iso3", "state", "region"], as_index=False)
           .agg(gaps=("is_gap", "sum"), unknowns=("is_unknown", "sum"),
                stale=("stale", "sum")))
    gap_lists = (m[m["is_gap"]].groupby("iso3")["indicator"]
                 .agg(lambda s: ", ".join(s)).rename("gap_indicators"))
    agg = agg.merge(gap_lists, on="iso3", how="left")
    agg["gap_indicators"] = agg["gap_indicators"].fillna("")
    agg["gaps"] = agg["gaps"].astype(int)
    agg["unknowns"] = agg["unknowns"].astype(int)
    agg["stale"] = agg["stale"].astype(int)
    return agg.sort_values(["gaps", "state"], ascending=[False, True]).reset_index(drop=True)


def status_counts(df: pd.DataFrame, indicator: str) -> dict[str, int]:
    """Counts per status in the indicator's own order, zeros included."""
    counts = df["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in INDICATORS[indicator].statuses}


def _with_state_columns(facts: Facts, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    df.insert(1, "state", [facts.state_name(i, lang) for i in df["iso3"]])
    df.insert(2, "region", [facts.states[i]["region"] for i in df["iso3"]])
    return df
