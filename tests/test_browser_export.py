"""Exports in a real browser with no network: the Download menu under a chart gives a real PNG,
and the slide-deck page draws without errors (screenshots in build/shots/export)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from cthb.export import images
from tests.browser_support import (
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)
from tests.conftest import require_tool

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CTHB_SHOTS", "build/shots/export"))


def test_png_download_under_a_chart(tmp_path: Path) -> None:
    require_tool(*images.export_available())
    SHOTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    with running_app({"CTHB_EXPORT_CACHE": str(tmp_path / "cache")}) as base, \
            launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        block_external(page, blocked)
        page.goto(base + "/gaps?as_of=2007-11-13")
        wait_for_app(page, timeout_ms=60000)
        assert exception_texts(page) == []
        page.locator("[data-testid='stPopover'] button").first.click()
        button = page.get_by_role("button", name="PNG image")
        button.wait_for(timeout=10000)
        page.screenshot(path=str(SHOTS / "download_menu.png"))
        with page.expect_download(timeout=90000) as info:
            button.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.suffix == ".png"
        img = Image.open(io.BytesIO(target.read_bytes()))
        assert img.format == "PNG" and img.size[0] >= 1920 and img.size[1] >= 1080
        assert exception_texts(page) == []
    assert [u for u in blocked if "cdn.plot.ly" in u] == []


def test_deck_page_draws() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app() as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        block_external(page, [])
        page.goto(base + "/deck?lang=ru")
        wait_for_app(page, timeout_ms=60000)
        page.get_by_role("button", name="Использовать этот набор").click()
        wait_for_app(page)
        assert exception_texts(page) == []
        page.get_by_text("Скачать презентацию (.pptx)").wait_for(timeout=30000)
        assert page.get_by_text("Скачать презентацию (.pptx)").count() == 1
        page.screenshot(path=str(SHOTS / "deck_ru.png"), full_page=True)
