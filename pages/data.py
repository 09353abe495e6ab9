"""Data & sources: what the data covers on a date, how status is derived, every source with its
link, the changelog of imports, and the whole dataset as CSV zip, XLSX and DuckDB file.
A thin page: the tables and files come from cthb.dataset; nothing here writes anything."""

from __future__ import annotations

import streamlit as st

from cthb import dataset, paths, webapp
from cthb.charts.catalog import CHARTS, ChartParams, load_all
from cthb.freshness import stale_facts
from cthb.i18n import status_label, t
from cthb.schema import SOURCE_KINDS
from cthb.sources import kind_label, ref_of

lang = webapp.language()
facts = webapp.get_facts()
as_of = webapp.as_of_control(lang)
load_all()

st.title(t("data.title", lang))
st.caption(t("data.intro", lang, version=facts.data_version))

# --- coverage ----------------------------------------------------------------------------
st.header(t("data.coverage_title", lang))
st.caption(t("data.coverage_intro", lang, date=as_of.isoformat()))
cov = dataset.coverage_table(facts, as_of, lang).drop(columns=["indicator"])
st.dataframe(
    cov, hide_index=True, width="stretch",
    column_config={
        "label": st.column_config.TextColumn(t("data.col_indicator", lang)),
        "states": st.column_config.NumberColumn(t("data.col_states", lang)),
        "known_exactly": st.column_config.ProgressColumn(
            t("data.col_exact", lang), help=t("data.col_exact_help", lang), format="%d",
            min_value=0, max_value=int(cov["states"].max() or 1)),
        "known_by_observation": st.column_config.NumberColumn(
            t("data.col_observation", lang), help=t("data.col_observation_help", lang)),
        "unknown": st.column_config.NumberColumn(t("data.col_unknown", lang),
                                                 help=t("data.col_unknown_help", lang)),
        "earliest_evidence": st.column_config.TextColumn(t("data.col_earliest", lang)),
        "latest_evidence": st.column_config.TextColumn(t("data.col_latest", lang)),
    })

# --- methodology ----------------------------------------------------------------------------
st.header(t("data.method_title", lang))
st.markdown(t("data.method_body", lang))
with st.expander(t("data.definitions_title", lang), expanded=False):
    words = ["party", "signed", "not signed", "non-member", "unknown", "yes", "partial",
             "planned", "expired", "no"]
    st.markdown("\n".join(f"- **{status_label(w, lang)}**: {t(f'data.def_{w}', lang)}"
                          for w in words))

# --- age of the evidence ----------------------------------------------------------------------
st.header(t("data.age_title", lang))
age_chart = CHARTS["evidence_age"].build(facts, ChartParams(as_of=as_of, lang=lang))
webapp.show_chart(age_chart, "data_evidence_age", chart_id="evidence_age",
                  params=ChartParams(as_of=as_of, lang=lang))
stale = stale_facts(facts, as_of)
st.subheader(t("data.stale_title", lang))
st.caption(t("data.stale_intro", lang, date=as_of.isoformat(), n=len(stale)))
st.dataframe(
    stale, hide_index=True, width="stretch",
    column_config={
        "iso3": st.column_config.TextColumn("ISO"),
        "state": st.column_config.TextColumn(t("gaps.col_state", lang)),
        "indicator": st.column_config.TextColumn(t("data.col_indicator", lang)),
        "status": st.column_config.TextColumn(t("gaps.col_status", lang)),
        "evidence_date": st.column_config.TextColumn(t("data.col_evidence", lang)),
        "age_years": st.column_config.NumberColumn(t("data.col_age", lang), format="%.1f"),
        "source_id": st.column_config.TextColumn(t("gaps.col_source", lang)),
        "detail": st.column_config.TextColumn(t("gaps.col_detail", lang))})

# --- sources ---------------------------------------------------------------------------------
st.header(t("data.sources_title", lang))
st.subheader(t("data.kinds_title", lang))
st.caption(t("data.kinds_intro", lang))
kinds = dataset.facts_by_kind(facts)
kinds["indicator"] = [t(f"indicator_short.{i}", lang) if not i.startswith("member_")
                      else t(f"profile.{i.removeprefix('member_').lower()}", lang)
                      for i in kinds["indicator"]]
st.dataframe(kinds, hide_index=True, width="stretch", column_config={
    "indicator": st.column_config.TextColumn(t("data.col_indicator", lang)),
    **{k: st.column_config.NumberColumn(t(f"source_kind.{k}", lang)) for k in SOURCE_KINDS},
    "total": st.column_config.NumberColumn(t("data.col_total", lang))})
sources = dataset.sources_frame(facts)
sources.insert(1, "kind_label", [
    kind_label(ref_of(r.source_id, facts.source(r.source_id)), lang)
    for r in sources.itertuples()])
sources = sources.drop(columns=["kind", "original_kind"])
st.caption(t("data.sources_intro", lang, count=len(sources)))
st.dataframe(
    sources, hide_index=True, width="stretch",
    column_config={
        "source_id": st.column_config.TextColumn("id"),
        "kind_label": st.column_config.TextColumn(t("data.col_kind", lang)),
        "original_url": st.column_config.LinkColumn(t("data.col_original", lang),
                                                    display_text="↗"),
        "title": st.column_config.TextColumn(t("data.col_title", lang), width="large"),
        "publisher": st.column_config.TextColumn(t("data.col_publisher", lang)),
        "published": st.column_config.TextColumn(t("data.col_published", lang)),
        "url": st.column_config.LinkColumn(t("data.col_link", lang), display_text="↗"),
        "locator": st.column_config.TextColumn(t("data.col_locator", lang)),
        "accessed": st.column_config.TextColumn(t("data.col_accessed", lang)),
        "note": st.column_config.TextColumn(t("data.col_note", lang)),
    })

# --- changelog -------------------------------------------------------------------------------
st.header(t("data.changelog_title", lang))
log = dataset.changelog_frame(paths.data_dir())
if log.empty:
    st.info(t("data.changelog_empty", lang))
else:
    st.dataframe(log.drop(columns=["sha256"]), hide_index=True, width="stretch")
st.caption(t("data.changelog_howto", lang))

# --- downloads -------------------------------------------------------------------------------
st.header(t("data.downloads_title", lang))


# Made once per version of the files (tables, changelog), shared by every session.
zip_bytes, xlsx = dataset.download_files(paths.data_dir())
cols = st.columns(3)
cols[0].download_button(t("data.download_csv", lang), zip_bytes,
                        file_name=f"cthb-data-{facts.data_version}.zip",
                        mime="application/zip", key="dl_zip", width="stretch")
cols[1].download_button(
    t("data.download_xlsx", lang), xlsx, file_name=f"cthb-data-{facts.data_version}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx",
    width="stretch")
if paths.db_path().exists():
    cols[2].download_button(t("data.download_duckdb", lang),
                            dataset.database_bytes(paths.db_path()),
                            file_name=f"cthb-{facts.data_version}.duckdb",
                            mime="application/octet-stream", key="dl_db",
                            width="stretch")
st.caption(t("data.downloads_note", lang))
