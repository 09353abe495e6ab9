"""Text from data/ (or from a URL, an import file's name) made safe for where it is shown or
written. One helper per target, used everywhere such text leaves the program:

- `md_literal`: inside Streamlit markdown (st.markdown, st.write, captions, headers, alerts,
  widget labels). Every markup character is escaped, so `![x](http://...)` stays text and the
  browser fetches nothing.
- `plotly_literal`: inside Plotly text (titles, hover text, axis labels, annotations). Plotly
  draws a subset of HTML (<b>, <a href>, <span style>); escaping `&`, `<` and `>` shows it as
  the characters it is.
- `spreadsheet_safe`: a cell of a CSV or XLSX file a spreadsheet may open. A text starting
  with = + - @ (or tab, carriage return) would run as a formula; it gets a leading apostrophe
  (the OWASP advice).

Pure functions, no dependencies: the charts, the exports, the importer and the web app share
them.
"""

from __future__ import annotations

import re

# Everything CommonMark and Streamlit's markdown extensions give a meaning: emphasis, code,
# links and images, headings, lists, tables, HTML, `:red[...]`/`:material/...:` directives
# and `$...$` maths.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
# Streamlit's markdown turns bare addresses into links even when their characters are escaped
# ("http://x", "www.x", "a@b.org"); an invisible word joiner (U+2060) inside each keeps them
# text, so data never becomes a link.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=\\[:.])")
WORD_JOINER = "\u2060"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md_literal(text: object) -> str:
    """`text` shown literally inside markdown: every markup character escaped, line breaks
    kept as spaces (a newline could start a heading or a list)."""
    flat = " ".join(str(text).splitlines())
    escaped = _AUTOLINK.sub(r"\1" + WORD_JOINER, _MD_SPECIAL.sub(r"\\\1", flat))
    return escaped.replace("@", WORD_JOINER + "@")


def plotly_literal(text: object) -> str:
    """`text` shown literally in Plotly's text (which reads <b>, <br>, <a href> as markup)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def spreadsheet_safe(value: object) -> object:
    """A text cell defused for spreadsheets (numbers and other values are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe_text(value: str) -> str:
    """`spreadsheet_safe` for a cell known to be text."""
    return "'" + value if value.startswith(FORMULA_START) else value
