"""Slide deck builder: pick a preset or charts (also ticked on other pages), download one .pptx.
Thin page: the deck is built by cthb.export.deck, only when the download button is clicked."""

import functools

import streamlit as st

from cthb import geo
from cthb.charts import catalog
from cthb.export import deck, images
from cthb.i18n import indicator_label, t
from cthb.indicators import INDICATORS
from cthb.safe_text import md_literal
from cthb.webapp import as_of_control, deck_basket, get_facts, language

ITEMS = "_deck_items"  # session: the DeckItems chosen on this page

lang = language()
facts = get_facts()
as_of = as_of_control(lang)
charts = catalog.load_all()
st.title(t("deck.page_title", lang))
st.caption(t("deck.page_intro", lang))
items: list[deck.DeckItem] = st.session_state.setdefault(ITEMS, [])

left, right = st.columns(2)
with left:
    presets = list(deck.PRESETS)
    preset = st.selectbox(t("deck.preset", lang), presets, key="deck_preset",
                          format_func=lambda p: t(f"deck.preset_{p.replace('-', '_')}", lang))
    if st.button(t("deck.load_preset", lang), key="deck_load_preset"):
        kept, skipped = deck.resolve_items(deck.preset_items(preset))
        st.session_state[ITEMS] = items = kept
        if skipped:
            st.info(t("deck.skipped", lang, items="; ".join(skipped)))
with right, st.form("deck_add", border=True):
    st.markdown(f"**{t('deck.add_chart', lang)}**")
    # Charts that need a State (the profile's) come from the profile page's tick instead.
    choices = [cid for cid, spec in charts.items() if "extra" not in spec.uses
               or cid in ("matrix", "timeline")]
    chart_id = st.selectbox(t("deck.chart", lang), choices,
                            format_func=lambda c: t(charts[c].title_key, lang))
    indicator = st.selectbox(t("deck.indicator", lang), list(INDICATORS),
                             format_func=lambda i: indicator_label(i, lang))
    view = st.selectbox(t("deck.view", lang), list(geo.VIEWS),
                        format_func=lambda v: t(f"map.view_{v}", lang))
    if st.form_submit_button(t("deck.add", lang)):
        item, = deck.resolve_items([deck.DeckItem(chart_id, indicator, view)])[0]
        items.append(item)

basket = deck_basket()
st.subheader(t("deck.slides", lang))
if not items and not basket:
    st.info(t("deck.empty", lang))
for n, item in enumerate(list(items)):
    c1, c2 = st.columns([6, 1])
    c1.markdown(f"{n + 1}. {deck.item_label(item, lang)}")
    if c2.button(t("deck.remove", lang), key=f"deck_remove_{n}"):
        items.pop(n)
        st.rerun()
for key, entry in list(basket.items()):
    c1, c2 = st.columns([6, 1])
    result = entry.slide.result
    # A chart ticked on the profile page is titled with a State's name: data, shown as text.
    c1.markdown(f"- {md_literal(result.title)} — {md_literal(result.subtitle)} "
                f"_({t('deck.from_page', lang)})_")
    if c2.button(t("deck.remove", lang), key=f"deck_remove_basket_{key}"):
        basket.pop(key, None)
        st.session_state[f"{key}_deck"] = False
        st.rerun()


def _pptx(items: list[deck.DeckItem], picked: list[deck.DeckSlide]) -> bytes:
    # Runs only when the download button is clicked (in its own thread).
    slides = deck.build_slides(facts, items, as_of, lang) + picked
    return deck.build_deck(facts, slides, as_of, lang)


if items or basket:
    ok, reason = images.export_available()
    picked = [e.slide for e in basket.values()]
    st.download_button(t("deck.download", lang), type="primary", icon=":material/slideshow:",
                       data=functools.partial(_pptx, list(items), picked),
                       file_name=f"cthb-deck-{as_of.isoformat()}-{lang}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml"
                            ".presentation",
                       key="deck_download", on_click="ignore", disabled=not ok,
                       help=None if ok else reason)
    if not ok:
        st.caption(t("export.images_unavailable", lang, reason=reason))
    if st.button(t("deck.clear", lang), key="deck_clear"):
        st.session_state[ITEMS] = []
        for key in list(basket):
            st.session_state[f"{key}_deck"] = False
        basket.clear()
        st.rerun()
