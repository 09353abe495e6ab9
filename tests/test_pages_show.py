"""What each page shows, read back from the page (AppTest): titles, the figures' own titles and
counts, the State named, legend entries; and the 2007 report's footnotes reproduced from the UI,
not only from the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cthb.facts import Facts
from cthb.i18n import status_label, t
from cthb.status import structure_statuses, treaty_statuses
from tests.app_support import figure_title, figures, open_page, page_texts

REPORT = "2007-11-13"


@pytest.fixture(autouse=True)
def _use_built_db(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTHB_DB", str(real_db))


# --- the report's footnotes, on the map ------------------------------------------------------

FOOTNOTE_15 = {
    "UNTOC": "Party 46 · Signed 9 · Not signed 1",
    "PALERMO": "Party 45 · Signed 8 · Not signed 3",
    "COE197": "Party 10 · Signed 27 · Not signed 10 · Non-member of the CoE 9",
}


@pytest.mark.parametrize("treaty", sorted(FOOTNOTE_15))
def test_map_reproduces_footnote_15(treaty: str) -> None:
    at = open_page("pages/map.py", indicator=treaty, as_of=REPORT)
    title = page_texts(at)
    assert FOOTNOTE_15[treaty] in title
    assert t(f"indicator.{treaty}") in title


def test_survey_page_reproduces_footnotes_8_and_9() -> None:
    at = open_page("pages/survey.py", as_of=REPORT)
    assert "Responded 32 · Not responded 24" in page_texts(at)
    # Partners and field operations: 3 Partners and 13 field operations answered (a table
    # figure: one row per respondent).
    table = next(tr for f in figures(at) for tr in f["data"] if tr["type"] == "table")
    columns = table["cells"]["values"]
    assert len(columns[0]) == 3 + 13
    cells = " ".join(str(v) for col in columns for v in col)
    for partner in ("Japan", "Thailand", "Israel"):
        assert partner in cells


# --- each page shows what it is for ----------------------------------------------------------


def test_map_page_default_is_today_with_counts_from_the_engine(facts: Facts) -> None:
    at = open_page("pages/map.py")
    assert at.title[0].value == t("map.title")
    title = page_texts(at)
    assert f"As of {date.today().isoformat()}" in title
    counts: dict[str, int] = {}
    for s in treaty_statuses(facts, "UNTOC", date.today()):
        counts[s.status] = counts.get(s.status, 0) + 1
    for status, n in counts.items():
        assert f"{status_label(status)} {n}" in title


def test_map_legend_names_expired_and_stale_plans(facts: Facts) -> None:
    at = open_page("pages/map.py", indicator="NAP")
    spec = figures(at)[0]
    names = [str(tr.get("name", "")) for tr in spec["data"] if tr.get("showlegend", True)]
    today = date.today()
    statuses = structure_statuses(facts, "NAP", today)
    expired = sum(s.status == "expired" for s in statuses)
    stale = sum(s.stale for s in statuses)
    assert f"{status_label('expired')} ({expired})" in names
    assert f"{t('map.stale_legend')} ({stale})" in names
    # The legend table under the map lists the same categories.
    legend = at.dataframe[0].value
    assert status_label("expired") in set(legend.iloc[:, 0])


def test_map_page_in_russian() -> None:
    at = open_page("pages/map.py", lang="ru", indicator="COE197", as_of=REPORT)
    assert at.title[0].value == t("map.title", "ru")
    title = page_texts(at)
    assert t("indicator.COE197", "ru") in title
    assert status_label("party", "ru") in title


def test_gaps_page_counts_and_matrix(facts: Facts) -> None:
    at = open_page("pages/gaps.py", as_of=REPORT)
    assert at.title[0].value == t("gaps.page_title")
    specs = figures(at)
    bars, matrix = specs[0], specs[1]
    assert "13 November 2007" in page_texts(at)
    assert figure_title(bars) == ""  # on screen the title is page text (it wraps on a phone)
    # One matrix row per participating State on the date (56 in 2007).
    heat = next(tr for tr in matrix["data"] if tr["type"] == "heatmap")
    assert len(heat["y"]) == len(facts.participating_states(date(2007, 11, 13))) == 56


def test_profile_names_the_state_and_its_greta_position() -> None:
    at = open_page("pages/profile.py", state="kaz", as_of="2026-12-01")
    assert "Kazakhstan (KAZ)" in page_texts(at)
    texts = [m.value for m in at.markdown] + [str(m.value) for m in at.text]
    assert any(t("profile.greta_not_monitored") in x for x in texts)
    ru = open_page("pages/profile.py", state="KAZ", lang="ru")
    assert "Казахстан (KAZ)" in page_texts(ru)


def test_profile_of_a_greta_party_says_where_it_stands() -> None:
    at = open_page("pages/profile.py", state="BGR", as_of="2026-12-01")
    texts = [m.value for m in at.markdown] + [str(m.value) for m in at.text]
    assert any("GRETA's report of evaluation round" in x for x in texts)


def test_data_page_explains_the_rules() -> None:
    at = open_page("pages/data.py")
    headers = [h.value for h in at.header]
    assert t("data.method_title") in headers and t("data.age_title") in headers
    body = "\n".join(m.value for m in at.markdown)
    assert "expired" in body and "stale" in body and "Sources have a kind" in body
