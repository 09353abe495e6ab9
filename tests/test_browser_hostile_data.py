"""Data text is shown as text, never as markup. A copy of data/ gets markdown, HTML and link
syntax appended to every text column of every table; every page, in a real browser, then shows
that text literally (no bold, no link, no image made from it) and makes no request that leaves
127.0.0.1 (an image in a source title would otherwise tell an outside server who looks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cthb import store
from tests.browser_support import (
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)
from tests.hostile_files import LITERAL, MARKERS, hostile_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ("/", "/gaps", "/survey", "/profile?state=KAZ&as_of=2007-11-13",
         "/profile?state=SRB&as_of=2026-01-01", "/deck", "/data")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile")
    data = hostile_copy(root / "data")
    db = root / "cthb.duckdb"
    store.build(data, db)  # the copy must be valid data: only the text changed
    with running_app(env={"CTHB_DATA_DIR": str(data), "CTHB_DB": str(db)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_browser() as b:
        yield b


# Elements whose whole text is a marker: markup made from the payload. Plotly's SVG counts
# too (it renders <b> and <a> in chart text).
RENDERED = """markers => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *, section *')) {
    const own = (el.textContent || '').trim();
    if (markers.includes(own) && el.children.length === 0) out.push(el.tagName + ':' + own);
  }
  for (const el of document.querySelectorAll('img, a, image, [href]')) {
    const ref = el.getAttribute('src') || el.getAttribute('href')
      || el.getAttribute('xlink:href') || '';
    if (ref.includes('evil.invalid')) out.push(el.tagName + ' -> ' + ref);
  }
  return out;
}"""


def _open_expanders(page: Any) -> None:
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        summary.click()
    page.wait_for_timeout(300)


@pytest.mark.parametrize("path", PAGES)
def test_data_text_is_never_markup(app_url: str, browser: Any, path: str) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    blocked: list[str] = []
    block_external(page, blocked)
    try:
        page.goto(app_url + path)
        wait_for_app(page, timeout_ms=90000)
        _open_expanders(page)
        assert exception_texts(page) == []
        assert page.evaluate(RENDERED, list(MARKERS)) == []
        assert blocked == []
        if path.startswith(("/profile", "/survey")):
            # The payload is on the page as the text it is.
            assert LITERAL in page.locator("[data-testid='stMain']").inner_text()
    finally:
        context.close()
