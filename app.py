"""cthb: the Streamlit entry point. A frame and router only: shared controls live in
cthb.webapp, each page in pages/."""

from pathlib import Path

import streamlit as st

from cthb.i18n import t
from cthb.webapp import data_status, enter_applies_dates, language, language_selector

# A local favicon: a ":material/...:" or emoji icon makes the browser fetch it from a CDN,
# and the app must work offline (the browser tests block every request leaving 127.0.0.1).
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
st.set_page_config(page_title="cthb", page_icon=str(FAVICON), layout="wide")

lang = language()
PAGES = [
    st.Page("pages/map.py", title=t("nav.map", lang), icon=":material/map:", default=True),
    st.Page("pages/gaps.py", title=t("nav.gaps", lang), icon=":material/bar_chart:"),
    st.Page("pages/survey.py", title=t("nav.survey", lang), icon=":material/mail:"),
    st.Page("pages/profile.py", title=t("nav.profile", lang),
            icon=":material/account_balance:"),
    st.Page("pages/deck.py", title=t("nav.deck", lang), icon=":material/slideshow:"),
    st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/menu_book:"),
]
page = st.navigation(PAGES)
language_selector()
data_status(lang)  # a banner if data/ is invalid (the last good data is shown)
enter_applies_dates()
page.run()
