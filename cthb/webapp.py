"""The only module of cthb that knows Streamlit: cached access to the facts, and the controls
every page shares (language, as-of date), kept in the URL so a link reproduces the view.

Pages import from here and from the pure modules; they never open the database themselves.
"""

from __future__ import annotations

import os
from datetime import date

import streamlit as st

from cthb import paths, store
from cthb.charts.catalog import ChartResult
from cthb.dates import parse_date
from cthb.facts import Facts, load_facts
from cthb.i18n import LANGUAGE_NAMES, available_languages, normalise_language, t

REPORT_DATE = date(2007, 11, 13)
FIRST_DATE = date(2000, 12, 12)  # UNTOC opened for signature
# plotly.js loads its base map from here instead of its CDN (see .streamlit/config.toml).
PLOTLY_CONFIG = {"topojsonURL": "/app/static/topojson/", "displaylogo": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


@st.cache_resource(show_spinner=False, max_entries=2)
def _facts_for(db_file: str, stamp: tuple[int, int]) -> Facts:
    con = store.connect(paths.db_path())
    try:
        return load_facts(con)
    finally:
        con.close()


def get_facts() -> Facts:
    """The facts of the current database. When data/ changed, the database is rebuilt into a new
    file and swapped in atomically; the file's identity changes, so the next rerun reloads."""
    db = store.ensure_current(paths.data_dir(), paths.db_path())
    info = os.stat(db)
    return _facts_for(str(db), (info.st_ino, info.st_mtime_ns))


def today() -> date:
    return date.today()


def sticky_param(name: str, default: str | None = None) -> str | None:
    """A view setting kept in the URL and in the session: switching pages drops the query
    string, so the session remembers the value and writes it back into the new page's URL."""
    key = f"_param_{name}"
    from_url = st.query_params.get(name)
    if from_url:
        st.session_state[key] = from_url
    value = st.session_state.get(key, default)
    if value is not None and value != default and st.query_params.get(name) != value:
        st.query_params[name] = value
    return value


def set_param(name: str, value: str) -> None:
    st.session_state[f"_param_{name}"] = value
    st.query_params[name] = value


def _query_date(name: str, default: date) -> date:
    raw = sticky_param(name)
    if not raw:
        return default
    try:
        value = parse_date(raw)
    except ValueError:
        return default
    return min(max(value, FIRST_DATE), today())


def language() -> str:
    """The interface language: from the URL (`?lang=ru`), remembered across pages."""
    return normalise_language(sticky_param("lang"))


def language_selector() -> str:
    langs = available_languages()
    current = language()
    chosen = st.sidebar.selectbox(
        t("app.language", current), langs, index=langs.index(current),
        format_func=lambda code: LANGUAGE_NAMES.get(code, code), key="lang_select")
    if chosen != current:
        set_param("lang", chosen)
        st.rerun()
    return chosen


def as_of_control(lang: str, default: date = REPORT_DATE, key: str = "as_of") -> date:
    """Date control with presets, kept in the URL as `?as_of=YYYY-MM-DD`."""
    current = _query_date(key, default)
    presets = {t("app.preset_report", lang): REPORT_DATE, t("app.preset_latest", lang): today()}
    cols = st.sidebar.columns(2)
    for (label, value), col in zip(presets.items(), cols, strict=True):
        if col.button(label, key=f"{key}_preset_{value}", use_container_width=True):
            set_param(key, value.isoformat())
            st.rerun()
    chosen = st.sidebar.date_input(
        t("app.as_of", lang), value=current, min_value=FIRST_DATE, max_value=today(),
        help=t("app.as_of_help", lang), key=f"{key}_input_{current}", format="YYYY-MM-DD")
    if isinstance(chosen, date) and chosen != current:
        set_param(key, chosen.isoformat())
        st.rerun()
    return current


def source_caption(facts: Facts, source_ids: list[str], lang: str) -> str:
    """Markdown list of sources (title, publisher, locator, link) for a set of source ids."""
    lines = []
    for sid in dict.fromkeys(s for s in source_ids if s):
        src = facts.source(sid)
        if src is None:
            continue
        text = f"**{sid}**: {src['title']} ({src['publisher']}"
        text += f", {src['published']})" if src.get("published") else ")"
        if src.get("locator"):
            text += f", {src['locator']}"
        if src.get("url"):
            text += f" [{t('app.source', lang)}]({src['url']})"
        lines.append(f"- {text}")
    return "\n".join(lines)


def show_chart(result: ChartResult, key: str, on_select: str = "ignore") -> object:
    """Draw a chart from the catalogue with its download buttons. Every page shows charts
    through here, so every chart gets the same exports."""
    event = st.plotly_chart(result.figure, use_container_width=True, config=PLOTLY_CONFIG,
                            key=key, on_select=on_select)  # type: ignore[call-overload]
    st.download_button("CSV", result.data.to_csv(index=False).encode("utf-8"),
                       file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv")
    return event
