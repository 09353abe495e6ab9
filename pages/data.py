"""Data & sources: what the data covers on a date, how status is derived, every source with its
link, the changelog of imports, and the whole dataset as CSV zip, XLSX and DuckDB file.
A thin page: the tables and files come from cthb.dataset; nothing here writes anything."""

from __future__ import annotations

import functools

import streamlit as st

from cthb import dataset, paths, viewcache, webapp
from cthb.charts.catalog import ChartParams, load_all
from cthb.export.tables import localise_frame
from cthb.freshness import stale_facts
from cthb.i18n import status_label, t
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


def col(name: str) -> str:
    return t(f"meeting.column_{name}", lang)


st.dataframe(
    localise_frame(cov, lang), hide_index=True, width="stretch",
    column_config={
        col("known_exactly"): st.column_config.ProgressColumn(
            col("known_exactly"), help=t("data.col_exact_help", lang), format="%d",
            min_value=0, max_value=int(cov["states"].max() or 1)),
        col("known_by_observation"): st.column_config.NumberColumn(
            col("known_by_observation"), help=t("data.col_observation_help", lang)),
        col("unknown"): st.column_config.NumberColumn(col("unknown"),
                                                      help=t("data.col_unknown_help", lang)),
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
age_chart = webapp.shared_chart("evidence_age", ChartParams(as_of=as_of, lang=lang))
webapp.show_chart(age_chart, "data_evidence_age", chart_id="evidence_age",
                  params=ChartParams(as_of=as_of, lang=lang))
stale = stale_facts(facts, as_of)
st.subheader(t("data.stale_title", lang))
st.caption(t("data.stale_intro", lang, date=as_of.isoformat(), n=len(stale)))
st.dataframe(localise_frame(stale, lang, facts), hide_index=True, width="stretch",
             column_config={col("age_years"): st.column_config.NumberColumn(
                 col("age_years"), format="%.1f")})

# --- sources ---------------------------------------------------------------------------------
st.header(t("data.sources_title", lang))
st.subheader(t("data.kinds_title", lang))
st.caption(t("data.kinds_intro", lang))
st.dataframe(localise_frame(dataset.facts_by_kind(facts), lang), hide_index=True,
             width="stretch")
sources = dataset.sources_frame(facts)
sources.insert(1, "kind_label", [
    kind_label(ref_of(sid, facts.source(sid)), lang) for sid in sources["source_id"].astype(str)])
sources = localise_frame(sources.drop(columns=["kind", "original_kind"]), lang)
st.caption(t("data.sources_intro", lang, count=len(sources)))
st.dataframe(
    sources, hide_index=True, width="stretch",
    column_config={
        col("original_url"): st.column_config.LinkColumn(col("original_url"),
                                                         display_text="↗"),
        col("title"): st.column_config.TextColumn(col("title"), width="large"),
        col("url"): st.column_config.LinkColumn(col("url"), display_text="↗"),
    })

# --- changelog -------------------------------------------------------------------------------
st.header(t("data.changelog_title", lang))
log = dataset.changelog_frame(paths.data_dir())
if log.empty:
    st.info(t("data.changelog_empty", lang))
else:
    st.dataframe(localise_frame(log.drop(columns=["sha256"]), lang), hide_index=True,
                 width="stretch")
st.caption(t("data.changelog_howto", lang))

# --- downloads -------------------------------------------------------------------------------
st.header(t("data.downloads_title", lang))


def _data_file(kind: str, version: str, lang: str) -> bytes:
    # Made when its button is clicked (in a thread of its own), once per process and data
    # version: every session downloads the same bytes.
    data_dir = paths.data_dir()

    def build() -> bytes:
        if kind == "zip":
            return dataset.csv_zip(data_dir, version, lang)
        return dataset.xlsx_bytes(dataset.read_tables_as_text(data_dir), data_dir, version, lang)

    # Keyed by the tables, the changelog and the README, not the data version alone: a restore
    # brings back the same tables (and version) with a longer changelog.
    return viewcache.FILE_CACHE.get((dataset.downloads_key(data_dir), "dataset", kind, lang), build)


cols = st.columns(3)
cols[0].download_button(t("data.download_csv", lang),
                        functools.partial(_data_file, "zip", facts.data_version, lang),
                        file_name=f"cthb-data-{facts.data_version}.zip",
                        mime="application/zip", key="dl_zip", width="stretch",
                        on_click="ignore")
cols[1].download_button(
    t("data.download_xlsx", lang), functools.partial(_data_file, "xlsx", facts.data_version, lang),
    file_name=f"cthb-data-{facts.data_version}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx",
    width="stretch", on_click="ignore")
if paths.db_path().exists():
    cols[2].download_button(t("data.download_duckdb", lang),
                            functools.partial(dataset.database_bytes, paths.db_path()),
                            file_name=f"cthb-{facts.data_version}.duckdb",
                            mime="application/octet-stream", key="dl_db",
                            width="stretch", on_click="ignore")
st.caption(t("data.downloads_note", lang))
