"""Every page in a real browser (Playwright + Debian's chromium), in English and in Russian.

Each page must load with no Streamlit exception box, no browser console error, and no request
leaving 127.0.0.1 (the app works offline). A screenshot of every page is saved under
artifacts/screenshots/ (CI keeps the folder as an artefact). In Russian, no English UI word may
be left (tests/ui_text.py says what counts). The sidebar controls are reachable by keyboard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from cthb.i18n import t
from tests.browser_support import (
    ROOT,
    block_external,
    exception_texts,
    launch_browser,
    running_app,
    wait_for_app,
)
from tests.ui_text import english_leftovers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# name -> path (with the query a page needs to show its content).
PAGES: dict[str, str] = {
    "map": "/",
    "gaps": "/gaps",
    "survey": "/survey",
    "profile": "/profile?state=KAZ",
    "profile_empty": "/profile",
    "deck": "/deck",
    "data": "/data",
}
LANGS = ("en", "ru")
# Console errors that are not errors of the app; add one only when seen, saying why.
# - Opening a page's URL directly (/gaps): Streamlit's frontend first looks for its server under
#   that path (/gaps/_stcore/health, /gaps/_stcore/host-config), gets 404 and then uses the
#   root. The browser logs the two 404s; the page itself loads normally.
PROBE_404 = re.compile(r"^http://127\.0\.0\.1:\d+/[\w-]+/_stcore/(health|host-config)$")


def harmless(msg: Any) -> bool:
    url = (msg.location or {}).get("url", "")
    return msg.text.startswith("Failed to load resource") and bool(PROBE_404.match(url))


@pytest.fixture(scope="module")
def app_url(real_db: Path) -> Iterator[str]:
    with running_app(env={"CTHB_DB": str(real_db)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_browser() as b:
        yield b


@dataclass
class Visit:
    page: Any
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    v = Visit(page)
    block_external(page, v.blocked)

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not harmless(msg):
            url = (msg.location or {}).get("url", "")
            v.console_errors.append(f"{msg.text} [{url}]")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: v.console_errors.append(f"page error: {exc}"))
    try:
        yield v
    finally:
        context.close()


def with_lang(path: str, lang: str) -> str:
    if lang == "en":
        return path
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def wait_for_charts(page: Any) -> None:
    """Plotly draws after Streamlit's script has finished; wait until every chart has its SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))""", timeout=30000)


# Visible text of the sidebar and the main area as a reader sees it: the rendered text
# (innerText keeps a sentence together and drops hidden parts), the charts' SVG text, and the
# placeholders of empty fields. Hidden while reading: Material icons (ligature text such as
# "keyboard_double_arrow_left", not words a reader sees) and code spans (commands and file
# names, typed exactly as shown).
VISIBLE_TEXT_JS = """() => {
  const style = document.createElement('style');
  style.textContent = '[data-testid="stIconMaterial"], .modebar-container, code, pre '
                      + '{ display: none !important; }';
  document.head.appendChild(style);
  const out = [];
  try {
    for (const sel of ['[data-testid="stSidebar"]', '[data-testid="stMain"]']) {
      const root = document.querySelector(sel);
      if (!root) continue;
      out.push(root.innerText);
      root.querySelectorAll('svg text').forEach(el => {
        if (el.closest('.modebar-container')) return;
        const s = getComputedStyle(el);
        if (s.display !== 'none' && s.visibility !== 'hidden' && el.textContent.trim())
          out.push(el.textContent.trim());
      });
      // A placeholder shows only in an empty text field; a selectbox's search input keeps
      // Streamlit's "Choose an option" attribute even when a value is shown.
      root.querySelectorAll('input[placeholder]:not([role="combobox"]), textarea[placeholder]')
          .forEach(i => { if (!i.value) out.push(i.getAttribute('placeholder')); });
    }
  } finally {
    style.remove();
  }
  return out.join('\\n');
}"""


def open_page(v: Visit, base: str, path: str) -> None:
    v.page.goto(base + path)
    wait_for_app(v.page)
    wait_for_charts(v.page)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_browser(app_url: str, visit: Visit, name: str, lang: str) -> None:
    open_page(visit, app_url, with_lang(PAGES[name], lang))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"{name}_{lang}.png"), full_page=True)

    assert not exception_texts(visit.page), exception_texts(visit.page)
    assert not visit.console_errors, visit.console_errors
    assert not visit.blocked, f"requests leaving 127.0.0.1: {visit.blocked}"
    if lang == "ru":
        text = visit.page.evaluate(VISIBLE_TEXT_JS)
        left = english_leftovers(text)
        assert not left, "English left on the Russian page:\n" + "\n".join(
            f"{word}: {line[:200]}" for word, line in left.items())


def test_deep_link_on_a_fresh_server(real_db: Path, browser: Any) -> None:
    """The first request a freshly started server gets may be a shared link to a page: it must
    run inside the app (menu and language switch), not as a bare script of pages/."""
    with running_app(env={"CTHB_DB": str(real_db)}) as base:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(base + "/gaps?lang=ru")
            wait_for_app(page)
            nav = "\n".join(page.locator("[data-testid='stSidebarNav'] a").all_inner_texts())
            assert t("nav.gaps", "ru") in nav, nav
            language_box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']")
            assert language_box.filter(has_text=t("app.language", "ru")).count() == 1
        finally:
            context.close()


def test_russian_is_kept_across_pages(app_url: str, visit: Visit) -> None:
    """Switching pages in the sidebar keeps the chosen language (it lives in the session)."""
    open_page(visit, app_url, "/?lang=ru")
    nav = visit.page.locator("[data-testid='stSidebarNav'] a")
    assert nav.count() >= 6
    for i in range(1, nav.count()):
        link = visit.page.locator("[data-testid='stSidebarNav'] a").nth(i)
        target = urlparse(link.get_attribute("href") or "").path
        link.click()
        # The script writes the language back into the new page's URL while it runs.
        visit.page.wait_for_url(
            lambda url, target=target: urlparse(url).path == target and "lang=ru" in url,
            timeout=15000)
        wait_for_app(visit.page)
        labels = visit.page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert t("nav.map", "ru") in "\n".join(labels)
    assert not exception_texts(visit.page)
    assert not visit.blocked


def test_language_switch_in_sidebar(app_url: str, visit: Visit) -> None:
    open_page(visit, app_url, "/")
    sidebar = visit.page.locator("[data-testid='stSidebar']")
    box = sidebar.locator("[data-testid='stSelectbox']").filter(
        has_text=t("app.language", "en"))
    box.locator("input").click()
    visit.page.get_by_role("option", name="Русский").click()
    visit.page.wait_for_url(re.compile(r"lang=ru"))
    wait_for_app(visit.page)
    nav = "\n".join(visit.page.locator("[data-testid='stSidebarNav'] a").all_inner_texts())
    assert t("nav.map", "ru") in nav and t("nav.gaps", "ru") in nav
    assert not exception_texts(visit.page)


# Identifies the focused element: its Streamlit widget type, whether it is in the sidebar, and
# the widget's label.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const w = el.closest('[data-testid^="st"][class*="stElementContainer"] > div, '
                       + '[data-testid="stSelectbox"], [data-testid="stDateInput"], '
                       + '[data-testid="stButton"], [data-testid="stRadio"], '
                       + '[data-testid="stMultiSelect"], [data-testid="stSidebarNav"]');
  const label = w ? (w.querySelector('label') || {}).innerText || '' : '';
  return {testid: w ? w.getAttribute('data-testid') : el.tagName,
          sidebar: !!el.closest('[data-testid="stSidebar"]'), label: label.trim()};
}"""


def test_sidebar_controls_reachable_by_keyboard(app_url: str, visit: Visit) -> None:
    open_page(visit, app_url, "/")
    # Start from the top of the document, as a keyboard user arriving on the page does.
    visit.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: list[dict[str, Any]] = []
    for _ in range(80):  # bounded: a page has far fewer focusable controls before these
        visit.page.keyboard.press("Tab")
        focused = visit.page.evaluate(FOCUSED_JS)
        if focused:
            reached.append(focused)
        kinds = {(f["testid"], f["label"]) for f in reached if f["sidebar"]}
        if (("stSelectbox", t("app.language", "en")) in kinds
                and ("stDateInput", t("app.as_of", "en")) in kinds):
            break
    in_sidebar = [(f["testid"], f["label"]) for f in reached if f["sidebar"]]
    assert ("stSelectbox", t("app.language", "en")) in in_sidebar, in_sidebar
    assert ("stDateInput", t("app.as_of", "en")) in in_sidebar, in_sidebar
    assert any(testid == "stSidebarNav" for testid, _ in in_sidebar), in_sidebar
