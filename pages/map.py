"""Home page: the map explorer. Any indicator on any date, optionally compared with a second
date, as a geographic map or an equal-size tile grid; clicking a State opens its profile.

Every control is kept in the URL (indicator, as_of, compare, view, filter, display), so a link
reproduces the map. Figures and tables come from cthb.views, built once per process for each
setting and shared by every session, so only the first visitor of a setting pays for it.
"""

from __future__ import annotations

import streamlit as st

from cthb import geo, viewcache, views
from cthb.charts import map as mapchart
from cthb.export.tables import localise_frame
from cthb.facts import GROUPS
from cthb.i18n import t
from cthb.webapp import (
    as_of_control,
    compare_date_control,
    get_facts,
    language,
    param_select,
    show_chart,
    source_caption,
)

ALL = "all"


lang = language()
facts = get_facts()
as_of = as_of_control(lang)

st.title(t("map.title", lang))
cols = st.columns([3, 2, 2, 2, 1.4])
indicator = param_select(t("map.indicator", lang), "indicator", list(mapchart.MAP_INDICATORS),
                         mapchart.DEFAULT_INDICATOR, lambda i: t(f"indicator.{i}", lang),
                         cols[0], "map_")
display_labels = {"map": t("map.display_map", lang), "tiles": t("map.display_tiles", lang)}
display = param_select(t("map.display", lang), "display", ["map", "tiles"], "map",
                       display_labels.__getitem__, cols[4], "map_")
view = param_select(t("map.view", lang), "view", list(geo.VIEWS), mapchart.DEFAULT_VIEW,
                    lambda v: t(f"map.view_{v}", lang), cols[1], "map_")
group = param_select(t("map.filter", lang), "filter", [ALL, *GROUPS], ALL,
                     lambda g: t("map.filter_all", lang) if g == ALL else t(f"map.group_{g}", lang),
                     cols[2], "map_")
compare_to = compare_date_control(lang, cols[3])

params = views.map_params(as_of, lang, indicator, view, display, compare_to,
                         None if group == ALL else group)
# Built once per process for these settings and shared by every session (cthb.views).
result = viewcache.chart(facts, display, params)
tables = views.map_tables(facts, result)
event = show_chart(result, key=f"map_chart_{display}", on_select="rerun", chart_id=display,
                   params=params)
clicked = mapchart.selected_state(event)
if clicked:
    st.switch_page("pages/profile.py", query_params={"state": clicked})
st.caption(t("map.click_hint", lang))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("map.legend_heading", lang))
    st.dataframe(tables.legend, hide_index=True, width="stretch")
    if compare_to is not None:
        st.subheader(t("map.changes_heading", lang, before=compare_to.isoformat(),
                       after=as_of.isoformat()))
        if tables.changes.empty:
            st.caption(t("map.no_changes", lang))
        else:
            st.dataframe(localise_frame(tables.changes, lang), hide_index=True, width="stretch")
        if not tables.became_known.empty:
            st.subheader(t("map.became_known_heading", lang))
            st.dataframe(localise_frame(tables.became_known, lang), hide_index=True,
                         width="stretch")
with right:
    st.subheader(t("map.counts", lang))
    st.markdown(tables.treaty_counts)
    with st.expander(t("app.sources", lang)):
        st.markdown(source_caption(facts, result.source_ids, lang))
# The disclaimer and the Kosovo note are in the map's source note, printed under it.
st.caption(t("app.data_version", lang, version=facts.data_version))
