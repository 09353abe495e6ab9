"""State profile: everything about one State on one date, its sources, the visit brief and a
way to propose a correction. Deep link: /profile?state=KAZ&as_of=2007-11-13&lang=ru.

Thin page: the profile comes from cthb.profile, charts from the catalogue, files from
cthb.export.brief and cthb.corrections. Nothing from the URL or from data/ is rendered as
markup: every such text shown in markdown (headers, captions, alerts, buttons) goes through
cthb.safe_text.md_literal.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from cthb import schema
from cthb.charts.catalog import ChartParams, load_all
from cthb.corrections import (
    CORRECTABLE,
    CorrectionError,
    ProposedSource,
    as_text,
    build_correction,
    workbook_bytes,
)
from cthb.facts import Facts
from cthb.i18n import indicator_label, status_label, t
from cthb.profile import (
    Profile,
    action_label,
    find_states,
    membership_text,
    monitoring_text,
    plan_period_text,
    resolve_state,
    state_profile,
    structure_detail_text,
    structure_status_text,
    treaty_basis_text,
    treaty_status_text,
)
from cthb.safe_text import md_literal
from cthb.sources import cite as cite_source
from cthb.webapp import (
    PLOTLY_CONFIG,
    as_of_control,
    get_facts,
    language,
    set_param,
    show_chart,
    source_caption,
    sticky_param,
)

lang = language()
facts = get_facts()
as_of = as_of_control(lang)
charts = load_all()

# --- which State --------------------------------------------------------------------------
raw_state = sticky_param("state")
param_given = "state" in st.query_params
iso3 = resolve_state(facts, raw_state)

order = sorted(facts.states, key=lambda i: facts.state_name(i, lang))


def _pick(code: str) -> None:
    set_param("state", code)


def _on_search() -> None:
    query = st.session_state.get("profile_search", "")
    found = find_states(facts, query, lang)
    st.session_state["_profile_matches"] = found
    if len(found) == 1:
        _pick(found[0])


st.title(t("profile.title", lang))
left, right = st.columns(2)
left.text_input(t("profile.search", lang), key="profile_search", on_change=_on_search,
                help=t("profile.search_help", lang))
chosen = right.selectbox(
    t("profile.choose", lang), order, index=order.index(iso3) if iso3 else None,
    format_func=lambda code: f"{facts.state_name(code, lang)} ({code})",
    key=f"profile_select_{iso3}", placeholder="…")
if chosen and chosen != iso3:
    _pick(chosen)
    st.rerun()

query = st.session_state.get("profile_search", "")
matches = st.session_state.get("_profile_matches", [])
if query and not matches:
    st.warning(t("profile.no_match", lang, value=md_literal(query[:60])))
elif len(matches) > 1:
    st.info(t("profile.matches", lang, count=len(matches)))
    cols = st.columns(min(4, len(matches)))
    for k, code in enumerate(matches[:12]):
        cols[k % len(cols)].button(md_literal(facts.state_name(code, lang)),
                                   key=f"match_{code}", on_click=_pick, args=(code,))

if iso3 is None:
    if param_given or raw_state:
        # Bad link: say so plainly, show the value as text only, and stop.
        st.warning(t("app.error_bad_state", lang, value=md_literal((raw_state or "")[:60])))
    st.stop()


# --- the profile --------------------------------------------------------------------------
profile: Profile = state_profile(facts, iso3, as_of, lang)
h = profile.header
st.header(f"{md_literal(h.name)} ({iso3})")
st.caption(t("profile.as_of_line", lang, date=as_of.isoformat()) + " · "
           + t("app.data_version", lang, version=facts.data_version))
if not h.participating:
    key = "profile.not_participating_since" if h.osce.since else "profile.not_participating"
    st.warning(t(key, lang, name=md_literal(h.name), date=as_of.isoformat(),
                 since=h.osce.since))

top_left, top_right = st.columns([3, 2])
with top_left:
    st.subheader(t("profile.header", lang))
    ops = "; ".join(op.name for op in h.field_operations)
    overview = pd.DataFrame([
        {"": t("profile.names", lang), " ": " · ".join(dict.fromkeys(h.names.values())),
         t("profile.source_id", lang): h.source_id},
        {"": t("profile.region", lang), " ": t(f"region.{h.region}", lang),
         t("profile.source_id", lang): "cthb-regions"},
        {"": t("profile.osce", lang), " ": membership_text(h.osce, lang),
         t("profile.source_id", lang): h.osce.source_id or ""},
        {"": t("profile.coe", lang), " ": membership_text(h.coe, lang),
         t("profile.source_id", lang): h.coe.source_id or ""},
        {"": t("profile.eu", lang), " ": membership_text(h.eu, lang),
         t("profile.source_id", lang): h.eu.source_id or ""},
        {"": t("profile.field_ops", lang), " ": ops or t("profile.no_field_ops", lang),
         t("profile.source_id", lang): ", ".join(op.source_id for op in h.field_operations)},
    ])
    st.dataframe(overview, hide_index=True, width="stretch")

    st.subheader(t("profile.points", lang))
    if not profile.points:
        st.write(t("profile.no_points", lang))
    for pt in profile.points:
        # Plain symbols, not material icons: those are ligatures whose names ("help") are text.
        icon = {"gap": "⚠", "unknown": "**?**", "info": "ℹ"}[pt.kind]
        # Cite the sources the sentence does not already name.
        extra = [i for i in pt.source_ids if i not in pt.text]
        cite = f" — {t('profile.source_id', lang)}: {', '.join(extra)}" if extra else ""
        st.markdown(f"{icon} {md_literal(pt.text)}{md_literal(cite)}")
with top_right:
    params = ChartParams(as_of=as_of, lang=lang, extra=(("iso3", iso3),))
    locator = charts["state_locator"].build(facts, params)
    # On the page the heading says which State this is: the figure's own title (kept for the
    # brief and exports) would only crowd the small map.
    st.caption(md_literal(f"{locator.title} · {locator.subtitle}"))
    locator.figure.update_layout(height=330, title=None, margin={"t": 10})
    st.plotly_chart(locator.figure, width="stretch", config=PLOTLY_CONFIG, key="locator",
                    theme=None)

# Treaties
st.subheader(t("profile.treaties", lang))
rows = []
for line in profile.treaties:
    ev = line.status.decided_by
    rows.append({t("profile.treaty", lang): indicator_label(line.treaty, lang),
                 t("profile.status", lang): treaty_status_text(line, lang),
                 t("profile.decided_by", lang): treaty_basis_text(line, lang),
                 t("profile.date", lang): ev.on.isoformat() if ev else "",
                 t("profile.source_id", lang): cite_source(facts, line.status.source_id, lang)})
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
events = []
for line in profile.treaties:
    for a in line.actions:
        events.append({t("profile.treaty", lang): t(f"indicator_short.{line.treaty}", lang),
                       t("profile.action", lang): action_label(a.action, lang),
                       t("profile.date", lang): a.on.isoformat()
                       + (f" ({t('profile.later', lang)})" if a.after_as_of else ""),
                       t("profile.source_id", lang): a.source_id,
                       t("profile.note", lang): a.note or ""})
    for o in line.observations:
        events.append({t("profile.treaty", lang): t(f"indicator_short.{line.treaty}", lang),
                       t("profile.action", lang): f"{t('profile.observations', lang)}: "
                                                   f"{status_label(o.observed_status, lang)}",
                       t("profile.date", lang): o.on.isoformat(),
                       t("profile.source_id", lang): o.source_id,
                       t("profile.note", lang): o.note or ""})
with st.expander(f"{t('profile.actions', lang)} / {t('profile.observations', lang)} "
                 f"({len(events)})"):
    if events:
        st.dataframe(pd.DataFrame(events), hide_index=True, width="stretch")
    else:
        st.write(t("profile.no_actions", lang))

# Structures
st.subheader(t("profile.structures", lang))
rows = []
history = []
for sline in profile.structures:
    s = sline.status
    approx = t("profile.circa", lang, date=s.evidence_date) if s.approximate else s.evidence_date
    rows.append({t("profile.structure", lang): indicator_label(sline.kind, lang),
                 t("profile.status", lang): structure_status_text(s, lang),
                 t("profile.established", lang): s.established or "",
                 t("profile.plan_period", lang): plan_period_text(s.valid_from, s.valid_until),
                 t("profile.evidence_as_of", lang): approx or "",
                 t("profile.detail", lang): structure_detail_text(s, lang),
                 t("profile.source_id", lang): cite_source(facts, s.source_id, lang)})
    for r in sline.history:
        history.append({t("profile.structure", lang): t(f"indicator_short.{r.kind}", lang),
                        t("profile.status", lang): status_label(r.status, lang),
                        t("profile.established", lang): r.established or "",
                        t("profile.plan_period", lang):
                            plan_period_text(r.valid_from, r.valid_until),
                        t("profile.evidence_as_of", lang):
                            t("profile.circa", lang, date=r.as_of) if r.as_of_approx
                            else r.as_of,
                        t("profile.detail", lang): r.detail,
                        t("profile.source_id", lang): r.source_id,
                        t("profile.note", lang): r.note or ""})
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
with st.expander(f"{t('profile.history', lang)} ({len(history)})"):
    if history:
        st.dataframe(pd.DataFrame(history), hide_index=True, width="stretch")

# Monitoring (GRETA)
st.subheader(t("profile.monitoring", lang))
st.write(md_literal(monitoring_text(profile.monitoring, lang)))
if profile.monitoring.rounds:
    st.dataframe(pd.DataFrame([
        {t("profile.greta_round", lang): r.round,
         t("profile.greta_visit", lang): r.visit_date or "",
         t("profile.greta_published", lang): (r.report_published or "")
         + (f" {t('profile.greta_not_yet', lang)}" if r.after_as_of else ""),
         t("profile.greta_ref", lang): r.report_ref or "",
         t("profile.source_id", lang): cite_source(facts, r.source_id, lang)}
        for r in profile.monitoring.rounds]),
        hide_index=True, width="stretch")

# Survey and engagements
col_a, col_b = st.columns(2)
with col_a:
    st.subheader(t("profile.survey", lang))
    sv = profile.survey.status
    st.write(f"{status_label(sv.status, lang)} · "
             + t("profile.survey_sent", lang, date=profile.survey.sent.isoformat()))
    for r in profile.survey.responses:
        st.write(md_literal(t("profile.survey_responded", lang, date=r["received_by"],
                              respondent=r["respondent"]) + f" [{r['source_id']}]"))
    if sv.source_id:
        st.caption(md_literal(f"{t('profile.source_id', lang)}: {sv.source_id}"))
with col_b:
    st.subheader(t("profile.comparison", lang))
    for c in profile.comparisons:
        own = f" — {t('profile.this_state', lang, status=status_label(c.own_status, lang))}" \
            if c.own_status else ""
        st.write(md_literal(c.text + own))

st.subheader(t("profile.engagements", lang))
if profile.engagements:
    st.dataframe(pd.DataFrame([
        {t("profile.date", lang): e.start + (f" – {e.end}" if e.end else ""),
         t("profile.kind", lang): t(f"profile.kind_{e.kind}", lang),
         t("profile.title_col", lang): e.title, t("profile.place", lang): e.place or "",
         t("profile.source_id", lang): e.source_id} for e in profile.engagements]),
        hide_index=True, width="stretch")
else:
    st.write(t("profile.no_engagements", lang))

# Timeline
st.subheader(t("profile.timeline", lang))
show_chart(charts["state_timeline"].build(facts, params), key="state_timeline")

with st.expander(f"{t('profile.sources', lang)} ({len(profile.source_ids)})"):
    st.markdown(source_caption(facts, profile.source_ids, lang))


# --- the brief ----------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=16)
def _brief(_facts: Facts, iso3: str, as_of: date, lang: str, fmt: str,
           data_version: str) -> bytes:
    # Keyed by data_version: new data makes a new brief; _facts is not hashed.
    from cthb.export.brief import brief_bytes

    return brief_bytes(_facts, iso3, as_of, fmt, lang)


st.subheader(t("profile.brief_heading", lang))
brief_key = f"_brief_ready_{iso3}_{as_of}_{lang}"
if st.button(t("profile.prepare_brief", lang), help=t("profile.brief_help", lang),
             key="prepare_brief"):
    st.session_state[brief_key] = True
if st.session_state.get(brief_key):
    from cthb.export.brief import BriefError

    stem = f"brief-{iso3}-{as_of.isoformat()}-{lang}"
    try:
        with st.spinner(t("profile.prepare_brief", lang)):
            pdf = _brief(facts, iso3, as_of, lang, "pdf", facts.data_version)
            pptx = _brief(facts, iso3, as_of, lang, "pptx", facts.data_version)
    except BriefError as exc:
        st.error(md_literal(exc))
    else:
        b1, b2 = st.columns(2)
        b1.download_button(t("profile.download_pdf", lang), pdf, file_name=f"{stem}.pdf",
                           mime="application/pdf", key="brief_pdf")
        b2.download_button(
            t("profile.download_pptx", lang), pptx, file_name=f"{stem}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="brief_pptx")


# --- suggest a correction -----------------------------------------------------------------
def _value_label(column: str, value: str, table: str) -> str:
    """An enum value as the reader says it (Palermo Protocol, ratification, party, ...)."""
    if not value:
        return "—"
    if column == "treaty" or (column == "kind" and table == "structures"):
        return t(f"indicator_short.{value}", lang)
    if column == "action":
        return action_label(value, lang)
    if column in ("status", "observed_status"):
        return status_label(value, lang)
    if column == "organisation":
        return t(f"profile.org_{value}", lang)
    if column == "kind" and table == "survey_responses":
        return t(f"profile.respondent_{value}", lang)
    if column == "as_of_approx":
        return t(f"profile.bool_{value}", lang)
    return value


def _facts_to_correct(facts: Facts, iso3: str) -> list[tuple[str, str, dict[str, object] | None]]:
    """(label, table, stored row or None for a new fact) for every row shown on this page."""
    out: list[tuple[str, str, dict[str, object] | None]] = []
    for table in CORRECTABLE:
        for row in facts.tables.get(table, []):
            if row.get("iso3") != iso3:
                continue
            shown = ", ".join(_value_label(c, as_text(row[c]), table)
                              for c in schema.TABLES_BY_NAME[table].column_names
                              if c not in ("iso3", "note", "detail", "respondent", "survey_id")
                              and row.get(c) is not None)
            out.append((f"{t(f'profile.table_{table}', lang)}: {shown}", table, row))
    for table in ("treaty_actions", "structures", "survey_responses"):
        out.append((t("profile.correction_new", lang, table=t(f"profile.table_{table}", lang)),
                    table, None))
    return out


with st.expander(t("profile.correction", lang)):
    st.write(t("profile.correction_intro", lang))
    options = _facts_to_correct(facts, iso3)
    pick = st.selectbox(t("profile.correction_fact", lang), range(len(options)),
                        format_func=lambda k: options[k][0], key=f"corr_pick_{iso3}")
    label, table, original = options[pick]
    table_def = schema.TABLES_BY_NAME[table]
    with st.form(f"correction_{iso3}_{pick}"):
        st.markdown(f"**{t('profile.correction_value', lang)}**")
        proposed: dict[str, str] = {}
        for col in table_def.columns:
            if col.name in ("source_id", "note"):
                continue
            current = as_text(original.get(col.name)) if original else ""
            if col.name == "iso3":
                current = iso3
            if col.name == "survey_id" and not current:
                current = "sr-2007-07"
            if col.name == "kind" and table == "survey_responses" and not current:
                current = "participating_state"
            if col.choices:
                choices = list(col.choices) if col.required else ["", *col.choices]
                proposed[col.name] = st.selectbox(
                    t(f"profile.field_{col.name}", lang), choices,
                    index=choices.index(current) if current in choices else 0,
                    format_func=lambda v, c=col.name: _value_label(c, v, table),
                    help=f"{table}.{col.name}")
            elif col.type == "bool":
                proposed[col.name] = st.selectbox(
                    t(f"profile.field_{col.name}", lang), ["false", "true"],
                    index=1 if current == "true" else 0,
                    format_func=lambda v, c=col.name: _value_label(c, v, table),
                    help=f"{table}.{col.name}")
            else:
                proposed[col.name] = st.text_input(t(f"profile.field_{col.name}", lang),
                                                   value=current, help=f"{table}.{col.name}")
        st.markdown(f"**{t('profile.correction_source', lang)}**")
        s_title = st.text_input(t("profile.source_title", lang))
        s_pub = st.text_input(t("profile.source_publisher", lang))
        s_url = st.text_input(t("profile.source_url", lang))
        s_date = st.text_input(t("profile.source_published", lang))
        comment = st.text_area(t("profile.correction_note", lang))
        submitted = st.form_submit_button(t("profile.correction_make", lang))
    if submitted:
        proposed["note"] = comment
        try:
            corr = build_correction(table, original, proposed,
                                    ProposedSource(s_title, s_pub, s_url, s_date), iso3,
                                    date.today())
            data = workbook_bytes(corr)
        except CorrectionError as exc:
            st.error(t("profile.correction_problems", lang) + "\n\n"
                     + "\n".join(f"- {md_literal(p)}" for p in exc.problems))
        else:
            change = corr.rows[table][0][1]
            st.success(t(f"profile.correction_change_{change}", lang))
            st.download_button(t("profile.correction_download", lang), data,
                               file_name=f"correction-{iso3}-{date.today():%Y%m%d}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet", key="correction_xlsx")
    st.info(t("profile.correction_send", lang))
