"""The only module of cthb that knows Streamlit: cached access to the facts, and the controls
every page shares (language, as-of date), kept in the URL so a link reproduces the view.

Pages import from here and from the pure modules; they never open the database themselves.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import streamlit as st

from cthb import current, paths, viewcache, warmup
from cthb.charts.catalog import ChartParams
from cthb.dates import COE197_IN_FORCE_DATE, FIRST_DATE, REPORT_DATE, parse_date, today
from cthb.export.tables import TableMeta
from cthb.facts import Facts
from cthb.i18n import LANGUAGE_NAMES, available_languages, normalise_language, region_label, t
from cthb.safe_text import md_literal
from cthb.sources import source_refs, source_text
from cthb.validate import ValidationError

if TYPE_CHECKING:
    from cthb.export.deck import DeckSlide

# plotly.js loads its base map from here instead of its CDN (see .streamlit/config.toml).
# No camera button: it would save the picture without its title, date and sources; the
# Download menu under every chart gives the sourced files.
PLOTLY_CONFIG = {"topojsonURL": "/app/static/topojson/", "displaylogo": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}


def get_facts() -> Facts:
    """The facts of the current database, shared by every session of the process. When data/
    changed, the database is rebuilt into a new file and swapped in atomically; the file's
    identity changes, so the next rerun loads the new facts (cthb.viewcache.shared_facts).
    The first call in a process also starts the warm-up of the default views, unless the
    process was started by `python -m cthb serve`, which warms before the first visitor."""
    warmup.start_background()
    return viewcache.shared_facts()


def shared_chart(chart_id: str, params: ChartParams, **kwargs: Any) -> viewcache.SharedChart:
    """A catalogue chart, built once per process for these parameters and shared."""
    return viewcache.chart(get_facts(), chart_id, params, **kwargs)


def data_status(lang: str) -> None:
    """Run by the app shell before every page: a banner when the data shown is the last good
    version because data/ is invalid now; a plain error (and nothing else) when there is no
    good database to show at all."""
    from cthb.importer import RecoveryStuck

    data_dir, db_path = paths.data_dir(), paths.db_path()
    try:
        facts = get_facts()
    except ValidationError as exc:
        st.error(t("reliability.invalid_no_database", lang, count=len(exc.problems),
                   first=md_literal(exc.problems[0])))
        st.stop()
    except RecoveryStuck as exc:
        st.error(t("reliability.recovery_stuck", lang, reason=md_literal(exc)))
        st.stop()
    problems = current.data_problems(data_dir, db_path)
    if problems:
        st.warning(t("reliability.invalid_data", lang, count=len(problems),
                     first=md_literal(problems[0]), version=facts.data_version),
                   icon=":material/warning:")


def sticky_param(name: str, default: str | None = None) -> str | None:
    """A view setting kept in the URL and in the session: switching pages drops the query
    string, so the session remembers the value and writes it back into the new page's URL."""
    key = f"_param_{name}"
    from_url = st.query_params.get(name)
    if from_url:
        st.session_state[key] = from_url
    value: str | None = st.session_state.get(key, default)
    if value is not None and value != default and st.query_params.get(name) != value:
        st.query_params[name] = value
    return value


def set_param(name: str, value: str) -> None:
    st.session_state[f"_param_{name}"] = value
    st.query_params[name] = value


def param_choice(name: str, options: list[str], default: str) -> str:
    """A view setting from the URL, or `default` when the URL holds junk."""
    value = sticky_param(name, default) or default
    return value if value in options else default


def param_select(label: str, name: str, options: list[str], default: str,
                 format_func: Callable[[str], str], where: Any = None,
                 key_prefix: str = "") -> str:
    """A selectbox bound to a URL parameter: the URL wins, the widget writes back to it."""
    current = param_choice(name, options, default)
    key = f"{key_prefix}{name}_select"
    if st.session_state.get(key) != current:
        st.session_state[key] = current

    def changed() -> None:
        set_param(name, st.session_state[key])

    (where or st).selectbox(label, options, key=key, format_func=format_func,
                            on_change=changed)
    return current


def region_group_filters(lang: str, key_prefix: str) -> tuple[str | None, str | None]:
    """The region and group (EU, CoE, field-operation hosts) filters shared by the gaps and
    survey pages, side by side and kept in the URL. None means "all"."""
    from cthb.facts import GROUPS
    from cthb.schema import REGIONS

    cols = st.columns(2)
    region = param_select(
        t("gaps.region", lang), "region", ["all", *REGIONS], "all",
        lambda r: t("gaps.all_regions", lang) if r == "all" else region_label(r, lang),
        cols[0], key_prefix)
    group = param_select(
        t("gaps.group", lang), "group", ["all", *GROUPS], "all",
        lambda g: t("gaps.all_groups", lang) if g == "all" else t(f"gaps.group_{g}", lang),
        cols[1], key_prefix)
    return (None if region == "all" else region), (None if group == "all" else group)


def _query_date(name: str, default: date) -> date:
    raw = sticky_param(name)
    if not raw:
        return default
    try:
        value = parse_date(raw)
    except ValueError:
        return default
    return min(max(value, FIRST_DATE), today())


def _ensure_app_shell() -> None:
    """Run pages through app.py's st.navigation, also on a fresh server's first deep link.

    With a `pages/` folder next to app.py, Streamlit starts in its old multipage mode and runs
    a deep link such as /gaps by executing pages/gaps.py alone (no language switch, file names
    as the menu) until some session has run app.py's st.navigation. Leaving that mode and
    rerunning makes this run go through app.py like every later one. (Moving the pages out of
    `pages/` would make this unnecessary.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def language() -> str:
    """The interface language: from the URL (`?lang=ru`), remembered across pages. Every page
    calls this first, so it also makes sure the page runs inside the app's shell."""
    _ensure_app_shell()
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


def date_presets(lang: str) -> list[tuple[str, date]]:
    """Named dates one click away: today first (pages open on it), then the moments the
    product's history is measured against."""
    return [(t("app.preset_today", lang), today()),
            (t("app.preset_report", lang), REPORT_DATE),
            (t("app.preset_coe197", lang), COE197_IN_FORCE_DATE)]


def as_of_control(lang: str, default: date | None = None, key: str = "as_of") -> date:
    """Date control with named presets, kept in the URL as `?as_of=YYYY-MM-DD`. Pages open on
    today; a deep link keeps its explicit date. The buttons and the date field change the date
    in callbacks, which run before the page, so a click costs one run, not two."""
    current = _query_date(key, default or today())
    box = st.sidebar.container(border=True)
    box.caption(t("app.presets", lang))
    for label, value in date_presets(lang):
        box.button(label, key=f"{key}_preset_{value}", width="stretch",
                   type="primary" if value == current else "secondary",
                   disabled=value == current, on_click=set_param,
                   args=(key, value.isoformat()))
    field = f"{key}_input_{current}"

    def typed() -> None:
        picked = st.session_state.get(field)
        if isinstance(picked, date):
            set_param(key, picked.isoformat())

    box.date_input(t("app.as_of", lang), value=current, min_value=FIRST_DATE,
                   max_value=today(), help=t("app.as_of_help", lang), key=field,
                   format="YYYY-MM-DD", on_change=typed)
    return current


def compare_date_control(lang: str, where: Any, key: str = "compare") -> date | None:
    """An optional second date, kept in the URL as `?<key>=YYYY-MM-DD` (empty: none)."""
    raw = sticky_param(key, "") or ""
    try:
        current: date | None = min(max(parse_date(raw), FIRST_DATE), today()) if raw else None
    except ValueError:
        current = None
    field = f"{key}_input_{current}"

    def changed() -> None:
        picked = st.session_state.get(field)
        set_param(key, picked.isoformat() if isinstance(picked, date) else "")

    where.date_input(t("map.compare", lang), value=current, min_value=FIRST_DATE,
                     max_value=today(), help=t("map.compare_help", lang), key=field,
                     format="YYYY-MM-DD", on_change=changed)
    return current


def source_caption(facts: Facts, source_ids: Sequence[str], lang: str) -> str:
    """Markdown list of sources (kind, title, publisher, date, locator, link) for a set of
    source ids. Every data value is escaped; only the link itself is markup. Made once per
    process for each list and shared."""
    ids = tuple(source_ids)
    return viewcache.table(facts, "source_caption", (ids, lang),
                           lambda: _source_caption(facts, ids, lang))


def _source_caption(facts: Facts, source_ids: tuple[str, ...], lang: str) -> str:
    lines = []
    for ref in source_refs(facts, source_ids):
        if facts.source(ref.source_id) is None:
            continue
        text = md_literal(source_text(ref, lang, with_url=False))
        if ref.url.startswith(("http://", "https://")):
            # The URL goes inside <...> so no character of it can end the link early.
            text += f" [{md_literal(t('app.source', lang))}](<{ref.url.replace('>', '%3E')}>)"
        lines.append(f"- {text}")
    return "\n".join(lines)


DECK_BASKET = "_deck_basket"  # session key: charts ticked "Add to slide deck" on any page


def table_downloads(table: pd.DataFrame, meta: TableMeta, name: str, key: str,
                    lang: str) -> None:
    """CSV, ZIP (the CSV with its datapackage.json and README) and XLSX (with an About sheet)
    buttons for a table, with headers and coded values in the page's language. The files are
    made only when a button is clicked, never on a plain rerun."""
    from dataclasses import replace

    from cthb.export import tables

    table = tables.localise_frame(table, lang, get_facts())
    meta = replace(meta, labels={**tables.table_labels(lang), **meta.labels}, lang=lang)
    cols = st.columns(3)
    cols[0].download_button(
        t("gaps.download_csv", lang), functools.partial(tables.to_csv_bytes, table, meta),
        file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    cols[1].download_button(
        t("scale.download_zip", lang), functools.partial(tables.to_zip_bytes, table, meta, name),
        file_name=f"{name}.zip", mime="application/zip", key=f"{key}_zip", on_click="ignore",
        help=t("scale.download_zip_help", lang))
    cols[2].download_button(
        t("gaps.download_xlsx", lang), functools.partial(tables.to_xlsx_bytes, table, meta),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore")


def is_phone() -> bool:
    """Whether the page is seen on a phone, as its browser says (Chromium's mobile client hint,
    or a phone's user agent; a tablet gets the full layout)."""
    headers = st.context.headers
    agent = headers.get("User-Agent", "")
    if "iPad" in agent or "Tablet" in agent:
        return False
    return headers.get("Sec-Ch-Ua-Mobile") == "?1" or any(
        word in agent for word in ("iPhone", "Android", "Mobile"))


def plotly_json_chart(spec_json: str, *, key: str, on_select: str = "ignore",
                      height: int | None = None,
                      config: dict[str, Any] | None = None) -> object:
    """`st.plotly_chart(fig, width="stretch", theme=None, ...)` for a figure that is already
    plotly JSON text (cthb.viewcache keeps every chart so).

    st.plotly_chart turns a go.Figure into a dict (a deep copy: for a map with its geometry
    most of a cached rerun's CPU) and serialises it again for every session and rerun. This
    sends the shared text as it is, through the same element proto, element id and selection
    widget as st.plotly_chart in the pinned Streamlit (1.67); tests/test_viewcache.py checks
    that both give the same element, so an upgrade that changes the internals fails a test.
    """
    from streamlit.elements.lib.form_utils import current_form_id
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.lib.policies import check_widget_policies
    from streamlit.elements.lib.utils import compute_and_register_element_id
    from streamlit.elements.plotly_chart import PlotlyChartSelectionSerde, parse_selection_mode
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.runtime.state import register_widget

    dg = st._main  # what st.plotly_chart itself runs on; `with column:` is honoured below
    selecting = on_select == "rerun"
    if selecting:
        check_widget_policies(dg, key, on_change=None, default_value=None,
                              writes_allowed=False, enable_check_callback_rules=False)
    proto = PlotlyChartProto()
    proto.theme = ""
    proto.form_id = current_form_id(dg)
    proto.spec = spec_json
    proto.config = json.dumps(config or {})
    selection_mode: tuple[Literal["points", "box", "lasso"], ...] = ("points", "box", "lasso")
    proto.id = compute_and_register_element_id(
        "plotly_chart", user_key=key, key_as_main_identity=False, dg=dg,
        plotly_spec=proto.spec, plotly_config=proto.config, selection_mode=selection_mode,
        is_selection_activated=selecting, theme=None, width="stretch", height="content",
        alt=None)
    # height "content": the figure's own layout height, else plotly.js's default 450 px.
    layout = LayoutConfig(width="stretch", height=height or 450)
    if not selecting:
        dg._enqueue("plotly_chart", proto, layout_config=layout)
        return None
    proto.selection_mode.extend(parse_selection_mode(selection_mode))
    serde = PlotlyChartSelectionSerde()
    state = register_widget(proto.id, on_change_handler=None, deserializer=serde.deserialize,
                            serializer=serde.serialize, ctx=get_script_run_ctx(),
                            value_type="string_value")
    dg._enqueue("plotly_chart", proto, layout_config=layout)
    return state.value


def show_chart(shared: viewcache.SharedChart, key: str, on_select: str = "ignore", *,
               chart_id: str | None = None, params: ChartParams | None = None) -> object:
    """Draw a shared chart with its downloads. Every page shows charts through here, so every
    chart gets the same exports: PNG/SVG/PDF/HTML of the figure and CSV/XLSX of its data, and
    a tick to add it to the slide deck. `chart_id` and `params` are optional; when given they
    name the chart in the export cache and files and let the deck rebuild it.

    On the page the title, subtitle and source line are text around the chart (they wrap on a
    phone, where a line drawn into the picture would be cut); the downloads keep them inside.
    The screen figure is sent as the shared JSON text; a phone gets its own layout (built for
    that session from the shared figure)."""
    from cthb.charts.catalog import CHARTS
    from cthb.charts.style import phone_default, screen_figure

    # A shared chart knows its id and parameters (the export cache, the deck, the phone
    # layout use them).
    chart_id = chart_id or shared.chart_id
    params = params or shared.params
    st.markdown(f"**{md_literal(shared.title)}**")
    if shared.subtitle:
        st.caption(md_literal(shared.subtitle))
    if is_phone():
        spec = CHARTS.get(chart_id or "")
        phone = spec.phone if spec is not None and spec.phone is not None else phone_default
        # A phone has no room for the tool bar over the chart (nothing to zoom with a mouse).
        event = st.plotly_chart(screen_figure(shared.figure(), phone), width="stretch",
                                config={**PLOTLY_CONFIG, "displayModeBar": False}, key=key,
                                on_select=on_select, theme=None)  # type: ignore[call-overload]
    else:
        # theme=None: the chart on screen is the chart that gets exported (fonts, colours).
        event = plotly_json_chart(shared.screen_json, key=key, on_select=on_select,
                                  height=shared.height, config=PLOTLY_CONFIG)
    if shared.source_notes:
        st.caption("  \n".join(md_literal(line) for line in shared.source_notes))
    _downloads(shared, key, chart_id, params)
    return event


def _downloads(shared: viewcache.SharedChart, key: str, chart_id: str | None,
               params: ChartParams | None) -> None:
    from cthb.export import images

    lang = language()
    facts = get_facts()
    stem = images.file_name(chart_id or key, "x", params).rsplit(".", 1)[0]
    ok, reason = images.export_available()
    # The date the chart shows: its own parameter, else the page's as-of control.
    as_of = params.as_of if params is not None else _query_date("as_of", today())
    with st.popover(t("export.download", lang), icon=":material/download:"):
        st.caption(t("export.download_help", lang))
        # Every file is made by a callable that Streamlit runs only when its button is
        # clicked (in a thread of its own), so drawing the page never waits for an export.
        for fmt in (*images.IMAGE_FORMATS, "html"):
            needs_browser = fmt != "html"
            st.download_button(
                t(f"export.{fmt}", lang),
                data=functools.partial(_image_file, shared, fmt, chart_id, params,
                                       facts.data_version),
                file_name=f"{stem}.{fmt}", mime=images.MIME_TYPES[fmt], key=f"{key}_{fmt}",
                on_click="ignore", icon=":material/image:" if fmt == "png" else None,
                disabled=needs_browser and not ok,
                help=reason if needs_browser and not ok else None, width="stretch")
        if not ok:
            st.caption(t("export.images_unavailable", lang, reason=reason))
        for fmt, mime in (("csv", "text/csv"), ("zip", "application/zip"),
                          ("xlsx", "application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet")):
            st.download_button(
                t(f"export.{fmt}", lang) if fmt != "zip" else t("scale.download_zip", lang),
                data=functools.partial(_table_file, shared, fmt, params, as_of, lang,
                                       facts, stem),
                file_name=f"{stem}.{fmt}", mime=mime, key=f"{key}_{fmt}", on_click="ignore",
                icon=":material/table:" if fmt != "zip" else ":material/folder_zip:",
                help=t("scale.download_zip_help", lang) if fmt == "zip" else None,
                width="stretch")
        _deck_tick(shared, key, chart_id, params, lang)


def _image_file(shared: viewcache.SharedChart, fmt: str, chart_id: str | None,
                params: ChartParams | None, data_version: str) -> bytes:
    from cthb.export import images

    return images.export_chart(shared.result(), fmt, chart_id=chart_id, params=params,
                               data_version=data_version)


def _table_file(shared: viewcache.SharedChart, fmt: str, params: ChartParams | None,
                as_of: date, lang: str, facts: Facts, stem: str) -> bytes:
    # Runs outside the script run (see _downloads): everything it needs is passed in.
    from cthb.export import tables

    filters = {}
    if params is not None:
        # Named and worded in the file's language: "Показатель = КТОП", not "indicator = UNTOC".
        if params.indicator:
            filters[t("map.indicator", lang)] = t(f"indicator.{params.indicator}", lang)
        if params.view:
            filters[t("map.view", lang)] = t(f"map.view_{params.view}", lang)
        if params.region:
            filters[t("gaps.region", lang)] = region_label(params.region, lang)
        if params.group:
            filters[t("gaps.group", lang)] = t(f"gaps.group_{params.group}", lang)
    meta = tables.table_meta(facts, f"{shared.title} ({shared.subtitle})", as_of,
                             list(shared.source_ids), filters=filters,
                             labels=tables.table_labels(lang), lang=lang)
    data = tables.localise_frame(shared.data, lang, facts)
    if fmt == "zip":
        return tables.to_zip_bytes(data, meta, stem)
    writer = tables.to_csv_bytes if fmt == "csv" else tables.to_xlsx_bytes
    return writer(data, meta)


def _deck_tick(shared: viewcache.SharedChart, key: str, chart_id: str | None,
               params: ChartParams | None, lang: str) -> None:
    basket = deck_basket()
    ticked = st.checkbox(t("export.add_to_deck", lang), value=key in basket,
                         key=f"{key}_deck")
    if ticked:
        # Keep the chart as it is shown now (this page's date, filters and language); the
        # session's own copy is made once per tick, not on every rerun.
        entry = basket.get(key)
        if entry is None or entry.shared is not shared:
            from cthb.export.deck import DeckSlide

            basket[key] = BasketEntry(DeckSlide(shared.result(), chart_id, params), shared)
        st.caption(t("export.added_to_deck", lang, count=len(basket)))
    else:
        basket.pop(key, None)


def brief_fonts_missing() -> str:
    """Why PDF briefs cannot be made here (a missing font), or "" when they can."""
    from cthb.export.brief import BriefError, register_fonts

    try:
        register_fonts()
    except BriefError as exc:
        return str(exc)
    return ""


def brief_file(facts: Facts, iso3: str, as_of: date, lang: str, fmt: str) -> bytes:
    """The visit brief as PDF or PPTX bytes, made when its download button is clicked and kept
    per process for (State, date, language, data version), so a second click or session gets
    the same file at once."""
    from cthb.export.brief import brief_bytes

    return viewcache.FILE_CACHE.get((facts.data_version, "brief", iso3, as_of, lang, fmt),
                                    lambda: brief_bytes(facts, iso3, as_of, fmt, lang))


@dataclass(frozen=True)
class BasketEntry:
    """A chart ticked for the slide deck: the slide as it was shown, and the shared chart it
    came from (a new shared chart, e.g. after new data or a new date, replaces the slide)."""

    slide: DeckSlide
    shared: viewcache.SharedChart


def deck_basket() -> dict[str, BasketEntry]:
    """The charts ticked for the slide deck in this session, by chart key."""
    basket: dict[str, BasketEntry] = st.session_state.setdefault(DECK_BASKET, {})
    return basket


# --- the profile page's controls --------------------------------------------------------------


def _pick_state(code: str) -> None:
    set_param("state", code)


def state_picker(facts: Facts, lang: str) -> str | None:
    """The State of the profile page: a search in the six OSCE languages (and ISO codes), a
    list, and on an empty page every State by subregion. Returns the iso3 from the URL, or
    None (after saying so when the link named no known State)."""
    from cthb.profile import find_states, fold, resolve_state
    from cthb.schema import REGIONS

    raw = sticky_param("state")
    iso3 = resolve_state(facts, raw)
    order = sorted(facts.states, key=lambda i: fold(facts.state_name(i, lang)))

    def searched() -> None:
        found = find_states(facts, st.session_state.get("profile_search", ""), lang)
        st.session_state["_profile_matches"] = found
        if len(found) == 1:
            _pick_state(found[0])

    select_key = f"profile_select_{iso3}"

    def selected() -> None:
        if st.session_state.get(select_key):
            _pick_state(st.session_state[select_key])

    left, right = st.columns(2)
    left.text_input(t("profile.search", lang), key="profile_search", on_change=searched,
                    help=t("profile.search_help", lang))
    right.selectbox(t("profile.choose", lang), order,
                    index=order.index(iso3) if iso3 else None,
                    format_func=lambda code: f"{facts.state_name(code, lang)} ({code})",
                    key=select_key, placeholder=t("meeting.choose_placeholder", lang),
                    on_change=selected)
    query = st.session_state.get("profile_search", "")
    matches = st.session_state.get("_profile_matches", [])
    if query and not matches:
        st.warning(t("profile.no_match", lang, value=md_literal(query[:60])))
    elif len(matches) > 1:
        st.info(t("profile.matches", lang, count=len(matches)))
        cols = st.columns(min(4, len(matches)))
        for k, code in enumerate(matches[:12]):
            cols[k % len(cols)].button(facts.state_name(code, lang), key=f"match_{code}",
                                       on_click=_pick_state, args=(code,))
    if iso3 is not None:
        return iso3
    if raw or "state" in st.query_params:
        # A bad link: say so plainly, the value shown as text only.
        st.warning(t("app.error_bad_state", lang, value=md_literal((raw or "")[:60])))
    st.subheader(t("meeting.by_region", lang))
    for region in REGIONS:
        key = f"profile_region_{region}"

        def clicked(key: str = key) -> None:
            if st.session_state.get(key):
                _pick_state(st.session_state[key])

        st.pills(region_label(region, lang),
                 [i for i in order if facts.states[i]["region"] == region],
                 format_func=lambda code: facts.state_name(code, lang), key=key,
                 on_change=clicked)
    return None


def cited_list(items: list[tuple[str, str]], empty: str) -> None:
    """Sentences, each followed by its numbered sources ("[2, 5]"), as a bulleted list."""
    if not items:
        st.markdown(md_literal(empty))
        return
    st.markdown("\n".join(f"- {md_literal(text)}" + (f" {md_literal(refs)}" if refs else "")
                          for text, refs in items))


def reference_list(references: list[Any], lang: str) -> None:
    """The numbered sources of a profile, each with its link."""
    lines = []
    for ref in references:
        text = f"{ref.number}\\. {md_literal(ref.text)}"
        if ref.url.startswith(("http://", "https://")):
            text += f" [{md_literal(t('app.source', lang))}](<{ref.url.replace('>', '%3E')}>)"
        lines.append(text)
    st.markdown("  \n".join(lines))


def corrections_address() -> str:
    """Where corrections go: CTHB_CORRECTIONS_EMAIL, else `email` under [corrections] in
    .streamlit/secrets.toml (see README); "" when neither is set."""
    address = os.environ.get("CTHB_CORRECTIONS_EMAIL", "").strip()
    if address:
        return address
    try:
        return str(st.secrets.get("corrections", {}).get("email", "")).strip()
    except Exception:
        return ""


def correction_form(facts: Facts, iso3: str, lang: str) -> None:
    """"Suggest a correction": pick a fact, see its current value and source, state the new
    value, its date and source and a contact; get the correction file, the change the Office's
    import will show, and a prepared e-mail to the Office."""
    from cthb import corrections as cr

    choices = cr.fact_choices(facts, iso3, lang)
    by_key = {c.key: c for c in choices}
    pick = st.selectbox(t("profile.correction_fact", lang), list(by_key),
                        format_func=lambda k: by_key[k].label, key=f"corr_pick_{iso3}")
    choice = by_key[pick]
    st.markdown(f"**{md_literal(t('meeting.current_value', lang))}:** "
                f"{md_literal(choice.current)}  \n"
                f"**{md_literal(t('app.source', lang))}:** {md_literal(choice.source)}")
    values: dict[str, str] = {}
    with st.form(f"correction_{iso3}_{choice.key}"):
        st.caption(t("meeting.required_note", lang))
        for f in cr.form_fields(choice, lang):
            key = f"corr_{choice.key}_{f.name}"
            if f.kind == "choice":
                labels = dict(zip(f.choices, f.choice_labels, strict=True))
                values[f.name] = str(st.selectbox(
                    f.label, f.choices, index=f.choices.index(f.value) if f.value in f.choices
                    else 0, format_func=labels.__getitem__, key=key))
            elif f.kind == "flag":
                values[f.name] = "true" if st.checkbox(f.label, value=f.value == "true",
                                                       key=key) else "false"
            elif f.kind == "long_text":
                values[f.name] = st.text_area(f.label, value=f.value, key=key)
            else:
                values[f.name] = st.text_input(f.label, value=f.value, key=key,
                                               placeholder=f.help or None)
        submitted = st.form_submit_button(t("profile.correction_make", lang), type="primary")
    done = f"_corr_result_{iso3}_{choice.key}"
    if submitted:
        try:
            result = cr.make_correction(facts, iso3, choice, values, lang, today())
        except cr.CorrectionError as exc:
            st.session_state.pop(done, None)
            st.error(t("profile.correction_problems", lang) + "\n\n"
                     + "\n".join(f"- {md_literal(p.message)}" for p in exc.problems))
        else:
            diff, refused = cr.dry_run(result.workbook, result.file_name, paths.data_dir(),
                                       paths.db_path())
            st.session_state[done] = (result, diff, refused)
    if done in st.session_state:
        result, diff, refused = st.session_state[done]
        _correction_result(result, diff, refused, lang)


def _correction_result(result: Any, diff: str, refused: str, lang: str) -> None:
    from cthb import corrections as cr

    st.success(t(f"profile.correction_change_{result.change}", lang))
    st.markdown("\n".join(f"- {md_literal(line)}" for line in result.summary))
    if refused:
        st.error(t("meeting.import_refuses", lang))
        st.code(refused, language=None)
    else:
        st.caption(t("meeting.import_shows", lang))
        st.code(diff, language=None)
    cols = st.columns(2)
    cols[0].download_button(t("profile.correction_download", lang), result.workbook,
                            file_name=result.file_name, on_click="ignore",
                            mime="application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet", key="correction_xlsx",
                            icon=":material/download:")
    address = corrections_address()
    if address:
        cols[1].link_button(t("meeting.send_mail", lang, address=address),
                            cr.mailto(address, result.subject, result.summary),
                            icon=":material/mail:")
        st.caption(t("meeting.attach_file", lang, file=result.file_name))
    else:
        st.warning(t("meeting.no_address", lang))


# Streamlit's date field applies a typed date when the field loses focus, not on Enter (its
# key handler knows only Tab and Alt+Down): a reader who types a date and presses Enter sees
# nothing happen. This listener, installed once per browser tab, makes Enter in a date field
# move the focus out of it, which applies the date. Constant code, no value from the URL or
# the data.
_ENTER_APPLIES_DATE = """<script>
if (!window.cthbEnterAppliesDate) {
  window.cthbEnterAppliesDate = true;
  document.addEventListener("keydown", (event) => {
    const field = event.target.closest && event.target.closest('[data-testid="stDateInputField"]');
    if (event.key !== "Enter" || !field) return;
    event.preventDefault();
    event.stopPropagation();
    // The field applies its date when focus goes to another element (a bare blur() does not
    // count): an invisible, unlisted element takes it.
    let sink = document.getElementById("cthb-focus-sink");
    if (!sink) {
      sink = document.createElement("span");
      sink.id = "cthb-focus-sink";
      sink.tabIndex = -1;
      sink.setAttribute("aria-hidden", "true");
      sink.style.cssText = "position:fixed;left:0;top:0;width:0;height:0;overflow:hidden";
      document.body.appendChild(sink);
    }
    sink.focus();
  }, true);
}
</script>"""


def enter_applies_dates() -> None:
    """Install the Enter-applies-a-typed-date listener (called once by app.py)."""
    with st.sidebar:
        st.html(_ENTER_APPLIES_DATE, unsafe_allow_javascript=True)


def brief_downloads(facts: Facts, iso3: str, as_of: date, lang: str) -> None:
    """The visit brief of the profile shown, as PDF and PowerPoint: each file is made when its
    button is clicked (a PowerPoint draws two charts), once per process and data version."""
    missing = brief_fonts_missing()
    if missing:
        st.error(md_literal(missing))
        return
    stem = f"brief-{iso3}-{as_of.isoformat()}-{lang}"
    b1, b2 = st.columns(2)
    b1.download_button(t("profile.download_pdf", lang),
                       functools.partial(brief_file, facts, iso3, as_of, lang, "pdf"),
                       file_name=f"{stem}.pdf", mime="application/pdf", key="brief_pdf",
                       help=t("profile.brief_help", lang), on_click="ignore")
    b2.download_button(
        t("profile.download_pptx", lang),
        functools.partial(brief_file, facts, iso3, as_of, lang, "pptx"), file_name=f"{stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="brief_pptx", help=t("profile.brief_help", lang), on_click="ignore")
