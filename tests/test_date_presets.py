"""Pages open on today; the 2007 report and CETS 197's entry into force are one click away;
a deep link keeps its explicit date."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import open_page

PAGES = ["pages/map.py", "pages/gaps.py", "pages/survey.py", "pages/profile.py",
         "pages/data.py"]


def _as_of(at: AppTest) -> date:
    value = next(d.value for d in at.date_input if d.label == "As of")
    assert isinstance(value, date), value  # one date, not a range or empty
    return value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_today(page: str) -> None:
    at = open_page(page, state="ALB")
    assert _as_of(at) == date.today()


def test_presets_are_one_click_away() -> None:
    at = open_page("pages/map.py")
    labels = [b.label for b in at.button]
    assert "Special Representative's report, 13 Nov 2007" in labels
    assert "CETS 197 entry into force, 1 Feb 2008" in labels
    # Today is the date shown, so its button is the current one (disabled).
    assert next(b for b in at.button if b.label == "Today").disabled
    # The click sets the date and reruns the script (the second run shows the new date).
    next(b for b in at.button if b.label.startswith("Special Representative's")).click().run()
    at.run()
    assert _as_of(at) == date(2007, 11, 13)
    # The figure says which date it shows.
    spec = at.get("plotly_chart")[0].proto.spec
    assert "2007-11-13" in spec
    next(b for b in at.button if b.label.startswith("CETS 197 entry")).click().run()
    at.run()
    assert _as_of(at) == date(2008, 2, 1)


def test_deep_link_keeps_its_date() -> None:
    at = open_page("pages/gaps.py", as_of="2010-06-30")
    assert _as_of(at) == date(2010, 6, 30)


def test_compare_lists_became_known_apart() -> None:
    at = open_page("pages/map.py", indicator="NAP", compare="2005-01-01", as_of="2010-06-30")
    headings = [h.value for h in at.subheader]
    assert any(h.startswith("Changes between 2005-01-01 and 2010-06-30") for h in headings)
    assert any(h.startswith("Became known") for h in headings)
    # The map's subtitle, printed above it, counts them apart.
    # (As markdown source: the page escapes every markup character of it.)
    assert any("Became known since then (not a change of status)" in c.value.replace("\\", "")
               for c in at.caption)
