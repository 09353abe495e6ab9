"""The July 2007 survey: who answered, by region, and with which national structures.
A thin page: every figure and table comes from cthb.charts.survey (and the map chart)."""

from __future__ import annotations

import streamlit as st

from cthb import webapp
from cthb.charts.catalog import CHARTS, ChartParams, load_all
from cthb.charts.survey import survey_date, survey_frame
from cthb.export.tables import localise_frame, table_meta
from cthb.i18n import format_day, region_label, t
from cthb.indicators import DEFAULT_SURVEY
from cthb.status import survey_list_date

lang = webapp.language()
facts = webapp.get_facts()
as_of = webapp.as_of_control(lang)
load_all()

st.title(t("survey.page_title", lang))
st.caption(t("survey.page_intro", lang))
on = survey_date(facts, as_of)
list_date = survey_list_date(facts, DEFAULT_SURVEY)
if list_date and as_of > list_date:
    st.info(t("survey.date_note", lang, list_date=format_day(list_date, lang),
              date=format_day(on, lang)))


region, group = webapp.region_group_filters(lang, "survey_")
params = ChartParams(as_of=as_of, lang=lang, region=region, group=group)
shown_sources: list[str] = []

st.subheader(t("survey.map_heading", lang))
if "map" in CHARTS:
    # The map engineer's chart (issue 8), on the survey's own date.
    survey_map = webapp.shared_chart("map", ChartParams(as_of=on, lang=lang,
                                                        indicator="SURVEY"))
    webapp.show_chart(survey_map, "survey_map")
    shown_sources += survey_map.source_ids
else:
    st.caption(t("survey.map_missing", lang))

st.subheader(t("survey.regions_heading", lang))
by_region = webapp.shared_chart("survey_regions", params)
webapp.show_chart(by_region, "survey_regions")
shown_sources += by_region.source_ids

st.subheader(t("survey.crosstab_heading", lang))
crosstab = webapp.shared_chart("survey_crosstab", params)
webapp.show_chart(crosstab, "survey_crosstab")
shown_sources += crosstab.source_ids

st.subheader(t("survey.others_heading", lang))
others = webapp.shared_chart("survey_others", params)
webapp.show_chart(others, "survey_others")
shown_sources += others.source_ids

st.subheader(t("survey.list_heading", lang))
table = survey_frame(facts, on, lang, params.region, params.group)
table = table[["iso3", "state", "region", "status", "detail", "source_id"]].sort_values("state")
st.dataframe(localise_frame(table, lang, facts), hide_index=True, width="stretch")
filters = {}
if params.region:
    filters[t("gaps.region", lang)] = region_label(params.region, lang)
if params.group:
    filters[t("gaps.group", lang)] = t(f"gaps.group_{params.group}", lang)
meta = table_meta(facts, t("survey.page_title", lang), on,
                  [*table["source_id"], facts.surveys[DEFAULT_SURVEY]["source_id"]], filters)
webapp.table_downloads(table, meta, f"cthb-survey-{on.isoformat()}", "survey_list", lang)
shown_sources += [s for s in table["source_id"] if s]

with st.expander(t("gaps.sources_expander", lang)):
    st.markdown(webapp.source_caption(facts, shown_sources, lang))
