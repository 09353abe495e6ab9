"""The profile page in a real browser: find a State by its Russian name, open its profile,
download the PowerPoint brief and read it back; bad links show a warning, never HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pptx import Presentation
from pptx.util import Inches

from cthb.i18n import t
from tests.browser_support import (
    ROOT,
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)

if TYPE_CHECKING:
    from playwright.sync_api import Dialog

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app_url(real_db: Path) -> Iterator[str]:
    with running_app(env={"CTHB_DB": str(real_db)}) as base:
        yield base


@pytest.fixture
def page() -> Iterator[Any]:
    with launch_browser() as browser:
        context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                      accept_downloads=True)
        pg = context.new_page()
        blocked: list[str] = []
        block_external(pg, blocked)
        yield pg
        assert blocked == [], f"requests left 127.0.0.1: {blocked[:5]}"
        context.close()


def test_search_russian_name_and_download_pptx(page: Any, app_url: str,
                                               tmp_path: Path) -> None:
    page.goto(app_url + "/profile?as_of=2026-01-01")
    wait_for_app(page)
    box = page.get_by_role("textbox", name=t("profile.search", "en"))
    box.fill("Казахстан")
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("heading", name="Kazakhstan (KAZ)").wait_for(timeout=30000)
    assert "state=KAZ" in page.url
    assert exception_texts(page) == []

    # The deck is made when its button is clicked (no "prepare" step, nothing made before).
    button = page.get_by_role("button", name=t("profile.download_pptx", "en"))
    button.wait_for(timeout=120000)
    with page.expect_download(timeout=120000) as info:
        button.click()
    target = tmp_path / "brief.pptx"
    info.value.save_as(str(target))
    assert info.value.suggested_filename == "brief-KAZ-2026-01-01-en.pptx"

    prs = Presentation(str(target))
    assert 4 <= len(prs.slides) <= 6
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    text = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                    if sh.has_text_frame).replace("\u2011", "-")  # non-breaking in dates
    assert "Visit brief: Kazakhstan" in text and "As of 2026-01-01" in text
    for s in prs.slides:
        for sh in s.shapes:
            if sh.shape_type == 13:
                assert sh._element.nvPicPr.cNvPr.get("descr")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "profile_search_kaz.png"), full_page=True)


@pytest.mark.parametrize("bad", ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "XXX", ""])
def test_bad_state_link(page: Any, app_url: str, bad: str) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(app_url + f"/profile?state={bad}")
    wait_for_app(page)
    assert exception_texts(page) == []
    warning = page.locator("[data-testid='stAlertContentWarning']")
    assert warning.count() == 1
    assert "No participating State matches" in warning.inner_text()
    if "script" in bad:
        assert "<script>alert(1)</script>" in warning.inner_text()  # shown as text
    # Nothing from the URL became markup: no injected element, no alert.
    assert page.locator("script:has-text('alert(1)')").count() == 0
    assert dialogs == []
