"""The map explorer in a real browser with no network: the map draws every State from local
files only, the controls change it, and clicking a State (on the map or the tile grid) opens
its profile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from cthb import geo
from tests.browser_support import (
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)

pytestmark = pytest.mark.browser

CHART = "[data-testid='stPlotlyChart']"
STATE_PATHS = f"{CHART} path.choroplethlocation"
SHOTS = Path(os.environ.get("CTHB_SHOTS", "build/shots/map"))


def _drawn_locations(page: Any) -> list[str]:
    """The iso3 codes plotly drew as choropleth paths (d3 binds each path to its point)."""
    return list(page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
                   .map(p => p.__data__ && p.__data__.loc).filter(Boolean)""", STATE_PATHS))


def _click_state(page: Any, iso3: str) -> None:
    """Click the middle of a State's drawn path (its bounding box centre lies inside large
    States such as Kazakhstan or Ukraine, and inside every tile)."""
    box = page.evaluate(
        """([sel, iso3]) => {
             const p = Array.from(document.querySelectorAll(sel))
                            .find(e => e.__data__ && e.__data__.loc === iso3);
             if (!p) return null;
             const r = p.getBoundingClientRect();
             return {x: r.x + r.width / 2, y: r.y + r.height / 2};
           }""", [STATE_PATHS, iso3])
    assert box, f"{iso3} is not drawn"
    page.mouse.move(box["x"], box["y"])
    page.wait_for_timeout(300)  # let plotly register the hover before the click
    page.mouse.click(box["x"], box["y"])


def _title(page: Any) -> str:
    """The map's title and subtitle: page text above the chart (on screen they are not drawn
    into the picture, where a phone would cut them)."""
    chart = page.locator(CHART).first
    chart.wait_for()
    return str(page.evaluate(
        """sel => { const chart = document.querySelector(sel);
                    const block = chart.closest('[data-testid="stVerticalBlock"]');
                    const texts = [];
                    const sel2 = '[data-testid="stMarkdownContainer"], '
                                 + '[data-testid="stCaptionContainer"]';
                    for (const el of block.querySelectorAll(sel2)) {
                      if (el.compareDocumentPosition(chart) & Node.DOCUMENT_POSITION_FOLLOWING)
                        texts.push(el.innerText);
                    }
                    return texts.slice(-2).join(' · '); }""", CHART))


def _choose(page: Any, label: str, option: str) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_map_offline_controls_and_click_to_profile() -> None:
    blocked: list[str] = []
    with running_app() as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        block_external(page, blocked)
        page.goto(base + "/?as_of=2007-11-13")
        wait_for_app(page)
        page.wait_for_selector(STATE_PATHS, timeout=30000)
        drawn = _drawn_locations(page)
        states = [loc for loc in drawn if len(loc) == 3 and loc != "XKX"]
        assert len(page.locator(STATE_PATHS).all()) >= 56
        assert len(states) == 56 + 1  # 56 States + Mongolia drawn as a non-participating area
        assert "XKX" in drawn
        assert "Party 46 · Signed 9 · Not signed 1" in _title(page)
        _shot(page, "1_untoc_2007")

        # Indicator: the select writes the URL and redraws.
        _choose(page, "Indicator", "National Referral Mechanism")
        assert "indicator=NRM" in page.url
        assert "National Referral Mechanism" in _title(page)

        # Date: the "Today" preset; Mongolia is now a participating State.
        page.get_by_role("button", name="Today").click()
        wait_for_app(page)
        assert "as_of=" in page.url and "as_of=2007-11-13" not in page.url
        page.wait_for_selector(STATE_PATHS)
        assert "2007-11-13" not in _title(page)
        assert len([loc for loc in _drawn_locations(page) if loc not in ("XKX",)
                    and not loc.startswith("_")]) == 57
        _shot(page, "2_nrm_latest")

        # View: Europe.
        _choose(page, "View", "Europe")
        assert "view=europe" in page.url
        page.wait_for_selector(STATE_PATHS)
        _shot(page, "3_nrm_europe")

        # Click Ukraine: its profile opens.
        _click_state(page, "UKR")
        page.wait_for_url("**/profile?*state=UKR*", timeout=30000)
        wait_for_app(page)
        _shot(page, "4_profile_ukr")
        assert not exception_texts(page)
    assert not blocked, f"requests left the machine: {blocked}"


def test_tile_view_click_and_map_from_a_link() -> None:
    blocked: list[str] = []
    with running_app() as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        block_external(page, blocked)
        # A link reproduces the view: tiles, gaps, with a comparison date.
        page.goto(base + "/?display=tiles&indicator=GAPS&as_of=2024-06-30&compare=2007-11-13")
        wait_for_app(page)
        page.wait_for_selector(STATE_PATHS, timeout=30000)
        # Every participating State is drawn as a tile, and nothing else (no Kosovo tile).
        assert set(_drawn_locations(page)) == set(geo.state_ids())
        assert "Changed since 2007-11-13" in _title(page)
        assert page.locator(f"{CHART} text").filter(has_text="KAZ").count() >= 1
        _shot(page, "5_tiles_gaps_compare")
        assert not exception_texts(page)

        _click_state(page, "KAZ")
        page.wait_for_url("**/profile?*state=KAZ*", timeout=30000)
        wait_for_app(page)
        assert not exception_texts(page)

        # Back on the map page (the map, Kazakhstan by its polygon).
        page.goto(base + "/?display=map&indicator=UNTOC")
        wait_for_app(page)
        page.wait_for_selector(STATE_PATHS, timeout=30000)
        assert "/profile" not in page.url  # the old click does not fire again
        _click_state(page, "KAZ")
        page.wait_for_url("**/profile?*state=KAZ*", timeout=30000)
    assert not blocked, f"requests left the machine: {blocked}"
