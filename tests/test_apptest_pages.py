"""Every page runs without an exception, with default, edge and hostile inputs (AppTest).

AppTest runs the page scripts in this process (no browser, no server), so it is quick enough
to try every indicator, region and map view, the first and last dates, and query strings a
user could paste or mistype. A fresh AppTest per case: the app keeps URL settings in the
session (`webapp.sticky_param`), and one case must not leak into the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cthb import schema
from cthb.geo import VIEWS
from cthb.i18n import catalogue, t
from cthb.indicators import INDICATORS
from tests.app_support import elements, page_texts

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
FIRST_DATE = "2000-12-12"  # UNTOC opened for signature: the first date the app offers
TODAY = date.today().isoformat()

# Query strings every page must survive: defaults, the date range's ends, both languages, and
# inputs that are wrong, out of range or hostile. None may raise; each falls back visibly (the
# date field shows the date actually used).
COMMON_CASES: dict[str, dict[str, str]] = {
    "default": {},
    "ru": {"lang": "ru"},
    "first-date": {"as_of": FIRST_DATE},
    "bad-date": {"as_of": "garbage"},
    "future-date": {"as_of": "2999-12-31"},
    "script-state": {"state": "<script>alert(1)</script>"},
    "bad-lang": {"lang": "xx"},
    "empty-values": {"as_of": "", "indicator": "", "state": "", "region": "", "view": ""},
}
INDICATOR_IDS = [*INDICATORS, "GAPS"]
MAP_CASES: dict[str, dict[str, str]] = {
    **{f"indicator-{i}": {"indicator": i} for i in INDICATOR_IDS},
    **{f"view-{v}": {"view": v} for v in VIEWS},
    "bad-indicator": {"indicator": "NOPE"},
    "bad-view": {"view": "moon"},
    "compare": {"compare": FIRST_DATE, "as_of": TODAY},
    "bad-compare": {"compare": "garbage"},
}
GAPS_CASES: dict[str, dict[str, str]] = {
    **{f"region-{r}": {"region": r} for r in schema.REGIONS},
    "bad-region": {"region": "Atlantis"},
    "since": {"gaps_since": "2008-12-31"},
}
PROFILE_CASES: dict[str, dict[str, str]] = {
    # Kazakhstan has every kind of fact; Mongolia joined in 2012 (not a State on 2007 dates);
    # the USA is a CoE non-member; Liechtenstein a microstate; Russia left the CoE.
    **{f"state-{iso3}": {"state": iso3} for iso3 in ("KAZ", "MNG", "USA", "LIE", "RUS")},
    "state-MNG-2007": {"state": "MNG", "as_of": "2007-11-13"},
    "state-lowercase": {"state": "kaz"},
    "unknown-state": {"state": "ZZZ"},
}
PAGE_CASES = {
    "pages/map.py": MAP_CASES,
    "pages/gaps.py": GAPS_CASES,
    "pages/survey.py": {},
    "pages/profile.py": PROFILE_CASES,
    "pages/deck.py": {},
    "pages/data.py": {},
}


def _expected_date(params: dict[str, str]) -> date:
    """The date a page must show: the one asked for when valid (clamped to the range the app
    offers), else today."""
    try:
        asked = date.fromisoformat(params.get("as_of", ""))
    except ValueError:
        return date.today()
    return min(max(asked, date.fromisoformat(FIRST_DATE)), date.today())


def _cases() -> Iterator[object]:
    for page in PAGES:
        for name, params in {**COMMON_CASES, **PAGE_CASES.get(page, {})}.items():
            yield pytest.param(page, params, id=f"{Path(page).stem}-{name}")


@pytest.fixture(autouse=True)
def _use_built_db(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The app opens the database named by CTHB_DB; the session's built copy avoids a rebuild
    # into build/ (and any clash with a developer's running app).
    monkeypatch.setenv("CTHB_DB", str(real_db))


def run_page(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


# Texts that would mean a message key is missing from the catalogue (i18n.t shows the key).
KEY_SECTIONS = sorted({key.split(".", 1)[0] for key in catalogue("en")})
RAW_KEY = re.compile(rf"^({'|'.join(map(re.escape, KEY_SECTIONS))})\.[\w .,-]+$")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "info",
                 "warning", "error", "success")
WIDGETS = ("button", "selectbox", "multiselect", "radio", "date_input", "checkbox", "toggle",
           "text_input", "slider", "select_slider", "number_input", "expander", "tabs")


def visible_texts(at: AppTest) -> list[str]:
    texts: list[str] = []
    for kind in TEXT_ELEMENTS:
        texts += [str(e.value) for e in elements(at, kind)]
    for kind in WIDGETS:
        for e in at.get(kind):
            label = getattr(e, "label", None)
            if label:
                texts.append(str(label))
    return texts


@pytest.mark.parametrize(("page", "params"), list(_cases()))
def test_page_runs_without_exception(page: str, params: dict[str, str]) -> None:
    at = run_page(page, params)
    case = next(name for name, p in {**COMMON_CASES, **PAGE_CASES.get(page, {})}.items()
                if p == params)
    assert not at.exception, (
        f"{page} {params} raised:\n" + "\n\n".join(e.value for e in at.exception))
    raw_keys = [text for text in visible_texts(at) if RAW_KEY.match(text.strip())]
    assert not raw_keys, f"{page} {params}: message keys shown instead of text: {raw_keys}"
    # The page ran inside app.py's shell (navigation, language switch), not on its own.
    lang = params["lang"] if params.get("lang") in ("en", "ru") else "en"
    assert t("app.language", lang) in [e.label for e in at.selectbox], (
        f"{page} {params}: no language switch: the page ran outside app.py")
    # The date field shows the date the page used: bad input falls back, visibly.
    shown = next(d.value for d in at.date_input if d.label == t("app.as_of", lang))
    assert shown == _expected_date(params)
    if page == "pages/map.py" and case.startswith("indicator-"):
        # The map shows the indicator asked for.
        assert t(f"indicator.{params['indicator']}", lang) in page_texts(at)
    if page == "pages/map.py" and case == "bad-indicator":
        assert t("indicator.UNTOC", lang) in page_texts(at)  # the default indicator


def test_every_page_file_is_covered() -> None:
    assert set(PAGE_CASES) == set(PAGES), "add the new page's edge cases to PAGE_CASES"


def test_hostile_state_is_not_echoed_as_markup() -> None:
    at = run_page("pages/profile.py", {"state": "<script>alert(1)</script>"})
    assert not at.exception
    for e in elements(at, "markdown"):
        # Streamlit escapes markdown unless unsafe_allow_html; the raw tag must never be allowed.
        assert not (getattr(e.proto, "allow_html", False) and "<script>" in str(e.value))


@pytest.mark.parametrize(("page", "params"), [
    ("pages/map.py", {"compare": "2007-11-13", "indicator": "NRM"}),
    ("pages/gaps.py", {"gaps_since": "2007-11-13", "q": "no_NR"}),
    ("pages/survey.py", {"as_of": "2007-11-13"}),
    ("pages/data.py", {}),
    ("pages/profile.py", {"state": "KAZ"}),
    ("pages/profile.py", {"state": "VAT", "as_of": "2007-11-13"}),
], ids=["map", "gaps", "survey", "data", "profile-KAZ", "profile-VAT"])
def test_russian_tables_are_russian_in_every_row(page: str, params: dict[str, str]) -> None:
    """Every table of a Russian page, all its rows (the browser sees only the rows on the
    screen): headers and cells in Russian, data kept in the source's language apart."""
    from tests.ui_text import english_leftovers

    at = run_page(page, {**params, "lang": "ru"})
    assert not at.exception
    frames = [e.value for e in at.dataframe]
    assert frames
    for df in frames:
        cells = [str(c) for c in df.columns]
        cells += [str(v) for row in df.itertuples(index=False) for v in row
                  if v is not None and str(v) not in ("nan", "None", "<NA>")]
        left = english_leftovers("\n".join(cells))
        assert not left, f"{page}: English left in a table: {left}"
