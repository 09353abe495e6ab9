"""The Gaps and Survey pages in a real browser: no exception box, nothing fetched from outside
127.0.0.1, charts drawn, and a click on the matrix opens the State's profile."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import (
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)

pytestmark = pytest.mark.browser


def _open(page: Any, base: str, path: str) -> None:
    # A brand-new server that is asked for /gaps first runs the page file on its own (legacy
    # pages/ mode) before app.py has set up st.navigation, so open the app's root first.
    page.goto(base + "/")
    wait_for_app(page)
    page.goto(base + path)
    wait_for_app(page)


def test_gaps_and_survey_pages() -> None:
    with running_app() as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 3000})
        blocked: list[str] = []
        block_external(page, blocked)

        _open(page, base, "/gaps?as_of=2007-11-13")
        assert exception_texts(page) == []
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        assert page.locator(".js-plotly-plot").count() >= 3
        text = page.locator("[data-testid='stMain']").inner_text()
        assert "Gaps" in text and "Gap lists" in text
        # The gap table and its downloads.
        assert page.get_by_text("Download XLSX").count() == 1
        svg = page.locator(".js-plotly-plot").first.inner_html()
        # The numbers are drawn in the chart; its subtitle is page text above it.
        assert "46" in svg and "As of 13 November 2007" in text

        _open(page, base, "/survey?as_of=2007-11-13")
        assert exception_texts(page) == []
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        assert page.locator(".js-plotly-plot").count() >= 3
        html = page.locator("[data-testid='stMain']").inner_html()
        assert "32 of 56" in html

        # Russian: the same page, translated.
        _open(page, base, "/survey?as_of=2007-11-13&lang=ru")
        assert exception_texts(page) == []
        assert "Опрос" in page.locator("[data-testid='stMain']").inner_text()

        # Only the app itself was asked for anything (icon fonts the shell may ask Google for
        # are not this page's doing, but they are reported here if they happen).
        assert [u for u in blocked if "fonts.gstatic.com" not in u] == []


def test_matrix_click_opens_profile() -> None:
    with running_app() as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 3000})
        blocked: list[str] = []
        block_external(page, blocked)
        _open(page, base, "/gaps?as_of=2007-11-13&sort=name&region=Central%20Asia")
        assert exception_texts(page) == []
        # The matrix is the second chart; with sort=name and Central Asia the first row is
        # Kazakhstan. Click the middle of its first cell.
        matrix = page.locator(".js-plotly-plot").nth(1)
        matrix.scroll_into_view_if_needed()
        drag = matrix.locator(".nsewdrag").first
        box = drag.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.5 / 9, box["y"] + box["height"] * 0.5 / 5)
        page.wait_for_timeout(300)
        page.mouse.click(box["x"] + box["width"] * 0.5 / 9, box["y"] + box["height"] * 0.5 / 5)
        page.wait_for_url("**/profile?*", timeout=30000)
        assert "state=KAZ" in page.url
        wait_for_app(page)
        assert exception_texts(page) == []
