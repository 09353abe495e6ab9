"""Home page. For now: the three treaties' status counts on a chosen date (the end-to-end path
store -> status -> page); the map explorer replaces this."""

import pandas as pd
import streamlit as st

from cthb.i18n import indicator_label, status_label, t
from cthb.indicators import indicator_frame, status_counts
from cthb.webapp import as_of_control, get_facts, language

lang = language()
facts = get_facts()
as_of = as_of_control(lang)
st.title(t("app.title", lang))
rows = []
for treaty in ("UNTOC", "PALERMO", "COE197"):
    counts = status_counts(indicator_frame(facts, treaty, as_of, lang), treaty)
    rows.append({"": indicator_label(treaty, lang),
                 **{status_label(s, lang): n for s, n in counts.items()}})
st.subheader(f"{t('app.as_of', lang)} {as_of.isoformat()}")
st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
st.caption(t("app.data_version", lang, version=facts.data_version))
