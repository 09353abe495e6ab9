"""Gaps: status counts, the State x indicator matrix, ratification over time and gap lists.
A thin page: every figure and table comes from cthb.charts.gaps."""

from __future__ import annotations

import streamlit as st

from cthb import viewcache, views, webapp
from cthb.changes import change_counts
from cthb.charts.gaps import GAP_QUESTIONS, QUESTIONS_BY_ID
from cthb.dates import today
from cthb.export.tables import localise_frame, table_meta
from cthb.i18n import region_label, t

lang = webapp.language()
facts = webapp.get_facts()
as_of = webapp.as_of_control(lang)

st.title(t("gaps.page_title", lang))
st.caption(t("gaps.page_intro", lang))


region_filter, group_filter = webapp.region_group_filters(lang, "gaps_")
shown_sources: list[str] = []

sort = webapp.param_choice("sort", ["gaps", "name"], "gaps")
split = webapp.sticky_param("split", "no") == "region"
# Every chart and table is built once per process for its settings and shared (cthb.views).
chart_params = views.gaps_chart_params(as_of, lang, region_filter, group_filter,
                                       today(), sort, split)

# --- status counts ---
bars = viewcache.chart(facts, "status_bars", chart_params["status_bars"])
webapp.show_chart(bars, "gaps_status_bars")
shown_sources += bars.source_ids

# --- what changed since an earlier date ---
st.subheader(t("gaps.changes_heading", lang))
since = webapp.compare_date_control(lang, st, key="gaps_since")
if since is not None:
    changes = views.changes_table(facts, since, as_of, lang, region_filter, group_filter)
    counts = change_counts(changes)
    st.caption(t("gaps.changes_counts", lang, since=since.isoformat(), after=as_of.isoformat(),
                 changed=counts["changed"], known=counts["became known"]))
    for kind in ("changed", "became known"):
        part = changes[changes["change"] == kind].drop(columns=["change", "region"])
        if part.empty:
            continue
        st.markdown(f"**{t('gaps.change_' + kind.replace(' ', '_'), lang)}**")
        shown = localise_frame(part, lang, facts).rename(columns={
            t("meeting.column_before_status", lang): t("gaps.col_before", lang,
                                                       date=since.isoformat()),
            t("meeting.column_status", lang): t("gaps.col_after", lang,
                                                date=as_of.isoformat())})
        st.dataframe(shown, hide_index=True, width="stretch")
    meta = table_meta(facts, t("gaps.changes_heading", lang), as_of,
                      list(changes["source_id"]), {t("gaps.compare", lang): since.isoformat()})
    webapp.table_downloads(changes, meta, f"cthb-changes-{since}-{as_of}", "gaps_changes", lang)

# --- matrix ---
st.subheader(t("gaps.matrix_heading", lang))
sorts = ["gaps", "name"]
sort_label = {"gaps": t("gaps.sort_by_gaps", lang), "name": t("gaps.sort_by_name", lang)}
chosen_sort = st.radio(t("gaps.sort", lang), sorts, index=sorts.index(sort), horizontal=True,
                       format_func=sort_label.__getitem__, key=f"gaps_sort_{sort}")
if chosen_sort != sort:
    webapp.set_param("sort", chosen_sort)
    st.rerun()
st.caption(t("gaps.matrix_help", lang))
matrix = viewcache.chart(facts, "matrix", chart_params["matrix"])
event = webapp.show_chart(matrix, "gaps_matrix", on_select="rerun")
shown_sources += matrix.source_ids
points = getattr(getattr(event, "selection", None), "points", None) or []
for point in points:
    custom = point.get("customdata") if isinstance(point, dict) else None
    if custom and isinstance(custom, list | tuple) and str(custom[0]) in facts.states:
        st.switch_page("pages/profile.py", query_params={"state": str(custom[0]), "lang": lang,
                                                          "as_of": as_of.isoformat()})

# --- timeline ---
st.subheader(t("gaps.timeline_heading", lang))
chosen_split = st.toggle(t("gaps.split_by_region", lang), value=split, key=f"gaps_split_{split}")
if chosen_split != split:
    webapp.set_param("split", "region" if chosen_split else "no")
    st.rerun()
timeline = viewcache.chart(facts, "timeline", chart_params["timeline"])
webapp.show_chart(timeline, "gaps_timeline")
shown_sources += timeline.source_ids

# --- gap lists ---
st.subheader(t("gaps.lists_heading", lang))
question_ids = [q.id for q in GAP_QUESTIONS]
question = webapp.param_select(t("gaps.question", lang), "q", question_ids, question_ids[0],
                              lambda q: t(f"gaps.q_{q}", lang), key_prefix="gaps_")
table = views.gap_table(facts, question, as_of, lang, region_filter, group_filter)
st.caption(t("gaps.n_found", lang, n=len(table)) if len(table) else t("gaps.none_found", lang))
shown = localise_frame(table.assign(profile=[
    f"/profile?state={i}&lang={lang}&as_of={as_of.isoformat()}" for i in table["iso3"]])[
    ["profile", "state", "region", "status", "detail", "evidence_date", "source_id", "iso3"]],
    lang, facts).drop(columns=[t("meeting.column_iso3", lang)])
profile_col = t("meeting.column_profile", lang)
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    profile_col: st.column_config.LinkColumn(profile_col,
                                             display_text=t("gaps.open_profile", lang))})
filters = {}
if region_filter:
    filters[t("gaps.region", lang)] = region_label(region_filter, lang)
if group_filter:
    filters[t("gaps.group", lang)] = t(f"gaps.group_{group_filter}", lang)
meta = table_meta(facts, t(f"gaps.q_{QUESTIONS_BY_ID[question].id}", lang), as_of,
                  list(table["source_id"]), filters)
webapp.table_downloads(table, meta, f"cthb-{question}-{as_of.isoformat()}", "gaps_list", lang)
shown_sources += [s for s in table["source_id"] if s]

with st.expander(t("gaps.sources_expander", lang)):
    st.markdown(webapp.source_caption(facts, shown_sources, lang))
