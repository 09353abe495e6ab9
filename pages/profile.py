"""State profile: the briefing note of one State on one date, its sources, the visit brief (PDF,
PowerPoint) and a way to send the Office a correction. Deep link:
/profile?state=KAZ&as_of=2007-11-13&lang=ru.

Thin page: it only renders cthb.profile's model (the same the brief prints), built once per
process and shared (cthb.views); the picker and the correction form come from cthb.webapp.
Nothing from the URL is rendered as HTML.
"""

from __future__ import annotations

import streamlit as st

from cthb import views
from cthb.charts.profile_timeline import timeline_key
from cthb.i18n import t
from cthb.safe_text import md_literal
from cthb.webapp import (
    PLOTLY_CONFIG,
    as_of_control,
    brief_downloads,
    cited_list,
    correction_form,
    get_facts,
    language,
    plotly_json_chart,
    reference_list,
    show_chart,
    source_caption,
    state_picker,
)

lang = language()
facts = get_facts()
as_of = as_of_control(lang)

st.title(t("profile.title", lang))
iso3 = state_picker(facts, lang)
if iso3 is None:
    st.stop()

# The profile and its tables are built once per process for (State, date, language) and shared
# by every session (cthb.views); this page only lays them out.
view = views.profile_view(facts, iso3, as_of, lang)
profile, frames = view.profile, view.frames
h = profile.header


def show_table(name: str) -> None:
    st.dataframe(frames[name], hide_index=True, width="stretch")


st.header(md_literal(f"{h.name} ({iso3})"))
st.caption(t("profile.as_of_line", lang, date=as_of.isoformat()) + " · "
           + t("app.data_version", lang, version=facts.data_version))
if h.warning:
    st.warning(h.warning)
with st.container(border=True):
    st.markdown("  \n".join(f"**{md_literal(line)}**" for line in profile.headline))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("brief.points", lang))
    cited_list([(p.text, profile.cite(p.source_ids)) for p in profile.points],
               t("profile.no_points", lang))
    st.subheader(t("meeting.to_confirm", lang))
    cited_list([(p.text, profile.cite(p.source_ids)) for p in profile.to_confirm],
               t(profile.nothing_to_confirm_key, lang))
with right:
    locator = views.profile_locator(facts, iso3, as_of, lang)
    # On the page the heading says which State this is: the figure's own title (kept for the
    # brief and exports) is dropped from this small map.
    st.caption(md_literal(f"{locator.title} · {locator.subtitle}"))
    plotly_json_chart(locator.screen_json, key="locator", height=locator.height,
                      config=PLOTLY_CONFIG)

st.subheader(t("profile.treaties", lang))
show_table("treaties")
with st.expander(f"{t('profile.actions', lang)} / {t('profile.observations', lang)} "
                 f"({len(frames['treaty_history'])})"):
    show_table("treaty_history")

st.subheader(t("profile.structures", lang))
show_table("structures")
with st.expander(f"{t('profile.history', lang)} ({len(frames['structure_history'])})"):
    show_table("structure_history")

st.subheader(t("profile.timeline", lang))
show_chart(views.profile_timeline(facts, iso3, as_of, lang), key="state_timeline")
st.caption(timeline_key(lang))

st.subheader(t("profile.monitoring", lang))
st.write(profile.monitoring.text)
if profile.monitoring.rounds:
    show_table("greta")

st.subheader(t("meeting.changes", lang))
for window in profile.changes:
    st.markdown(f"**{md_literal(window.title)}**")
    lines = window.changes + window.became_known + window.records
    cited_list([(c.text + (f" ({c.on})" if c.on and c.kind != "record" else ""),
                 profile.cite(c.source_ids)) for c in lines], t("meeting.no_changes", lang))

st.subheader(t("profile.engagements", lang))
if profile.engagements:
    show_table("engagements")
else:
    st.write(t("profile.no_engagements", lang))

st.subheader(t("profile.header", lang))
show_table("overview")
st.markdown(f"**{md_literal(t('profile.comparison', lang))}**")
cited_list([(c.text, "") for c in profile.comparisons], t("meeting.no_comparison", lang))

st.subheader(t("profile.sources", lang))
reference_list(profile.references, lang)
with st.expander(t("meeting.all_sources", lang, count=len(profile.source_ids))):
    st.markdown(source_caption(facts, profile.source_ids, lang))


st.subheader(t("profile.brief_heading", lang))
brief_downloads(facts, iso3, as_of, lang)

with st.expander(t("profile.correction", lang)):
    st.write(t("profile.correction_intro", lang))
    correction_form(facts, iso3, lang)
