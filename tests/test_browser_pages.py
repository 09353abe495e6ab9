"""Every page in a real browser (Playwright + Debian's chromium), in English and in Russian,
on a desktop screen, a phone (iPhone 12: 390x844) and a tablet (iPad Mini: 768x1024).

Each page must load with no Streamlit exception box, no browser console error, and no request
leaving 127.0.0.1 (the app works offline), and the page body must never scroll sideways. On a
phone and a tablet every control lies on the screen and the sidebar's date and language are
reached through its button; the map is drawn across the screen. A full-length screenshot of
every page on every screen is saved under artifacts/screenshots/ (CI keeps the folder as an
artefact). In Russian, no English word may be left (tests/ui_text.py says what counts): not in
the text, not in the tables' cells, and not in the files the download buttons give. The
sidebar controls are reachable by keyboard, and Enter applies a typed date.
"""

from __future__ import annotations

import contextlib
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
    launch_browser_with_devices,
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
# Screen -> Playwright device descriptor (None: a desktop window of 1600x1000).
SCREENS: dict[str, str | None] = {"desktop": None, "phone": "iPhone 12", "tablet": "iPad Mini"}
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
def browser_devices() -> Iterator[tuple[Any, dict[str, Any]]]:
    with launch_browser_with_devices() as pair:
        yield pair


@pytest.fixture(scope="module")
def browser(browser_devices: tuple[Any, dict[str, Any]]) -> Any:
    return browser_devices[0]


@dataclass
class Visit:
    page: Any
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@contextlib.contextmanager
def browser_visit(browser: Any, options: dict[str, Any]) -> Iterator[Visit]:
    """A new browser context and page that records console errors and blocked requests."""
    context = browser.new_context(**options)
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


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    with browser_visit(browser, {"viewport": {"width": 1600, "height": 1000}}) as v:
        yield v


def screen_options(devices: dict[str, Any], screen: str) -> dict[str, Any]:
    name = SCREENS[screen]
    if name is None:
        return {"viewport": {"width": 1600, "height": 1000}, "accept_downloads": True}
    options = {k: v for k, v in devices[name].items() if k != "default_browser_type"}
    return {**options, "accept_downloads": True}


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
      // The charts' text is read below, label by label (innerText would glue the lines of a
      // wrapped label together).
      const noSvg = document.createElement('style');
      noSvg.textContent = 'svg { display: none !important; }';
      document.head.appendChild(noSvg);
      out.push(root.innerText);
      noSvg.remove();
      root.querySelectorAll('svg text').forEach(el => {
        if (el.closest('.modebar-container')) return;
        const s = getComputedStyle(el);
        // A wrapped label is one <text> with a <tspan class="line"> per line: keep the space.
        const lines = el.querySelectorAll('tspan.line');
        const text = lines.length ? [...lines].map(x => x.textContent).join(' ')
                                  : el.textContent;
        if (s.display !== 'none' && s.visibility !== 'hidden' && text.trim())
          out.push(text.trim());
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


# The table cells a reader sees (Streamlit draws tables on a canvas and mirrors the visible
# cells in a table for screen readers), one cell a line.
TABLE_CELLS_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] table')]
  .map(t => [...t.querySelectorAll('th, td')].map(c => c.innerText.trim()).join('\\n'))
  .join('\\n')"""

# How far the page body, or any control of the page, reaches past the right edge of the screen.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const controls = [...document.querySelectorAll(
      '[data-testid="stMain"] :is([data-testid="stSelectbox"], [data-testid="stDateInput"],'
      + ' [data-testid="stTextInput"], [data-testid="stButton"], [data-testid="stPopover"],'
      + ' [data-testid="stDownloadButton"], [data-testid="stRadio"], [data-testid="stCheckbox"],'
      + ' [data-testid="stExpander"], [data-testid="stPlotlyChart"], [data-testid="stDataFrame"])')]
    .map(el => el.getBoundingClientRect())
    .filter(r => r.width > 0);
  return {body: document.documentElement.scrollWidth - width,
          main: main ? main.scrollWidth - main.clientWidth : 0,
          controls: Math.max(0, ...controls.map(r => r.right - width)),
          left: Math.min(0, ...controls.map(r => r.left))};
}"""


def full_screenshot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls its main area, not the document, so the screen is
    made as tall as the page for the picture."""
    size = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, 12000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), scale="css")  # CSS pixels: a phone's 3x would be huge
    page.set_viewport_size(size)


def sidebar_reachable(page: Any, lang: str) -> None:
    """On a narrow screen the sidebar starts closed: its button opens it, and the date and the
    language are then on the screen."""
    width = page.viewport_size["width"]
    page.locator("[data-testid='stExpandSidebarButton']").click()
    date_field = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']").first
    language = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text=t("app.language", lang))
    for control in (date_field, language):
        control.scroll_into_view_if_needed()
        control.wait_for(state="visible", timeout=10000)
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box


def map_readable(page: Any) -> None:
    """Every State drawn, and the map as wide as the screen allows."""
    width = page.viewport_size["width"]
    page.wait_for_function("""() => document.querySelectorAll(
        '[data-testid="stPlotlyChart"] path.choroplethlocation').length >= 57""", timeout=30000)
    chart = page.locator("[data-testid='stPlotlyChart']").first.bounding_box()
    assert chart and chart["width"] >= 0.85 * min(width, 1200) and chart["height"] >= 300


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_browser(app_url: str, browser_devices: tuple[Any, dict[str, Any]], name: str,
                         lang: str, screen: str) -> None:
    browser, devices = browser_devices
    with browser_visit(browser, screen_options(devices, screen)) as visit:
        open_page(visit, app_url, with_lang(PAGES[name], lang))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{name}_{lang}_{screen}.png"
        if screen == "desktop":
            visit.page.screenshot(path=str(shot))
        else:  # the narrow screens are the ones to look at from top to bottom
            full_screenshot(visit.page, shot)

        assert not exception_texts(visit.page), exception_texts(visit.page)
        assert not visit.console_errors, visit.console_errors
        assert not visit.blocked, f"requests leaving 127.0.0.1: {visit.blocked}"
        overflow = visit.page.evaluate(OVERFLOW_JS)
        assert overflow["body"] <= 1 and overflow["main"] <= 1, overflow
        assert overflow["controls"] <= 1 and overflow["left"] >= -1, overflow
        if lang == "ru":
            for what, js in (("text", VISIBLE_TEXT_JS), ("table cells", TABLE_CELLS_JS)):
                left = english_leftovers(visit.page.evaluate(js))
                assert not left, f"English left in the Russian page's {what}:\n" + "\n".join(
                    f"{word}: {line[:200]}" for word, line in left.items())
        if name == "map" and screen != "desktop":
            map_readable(visit.page)
        if screen != "desktop":
            sidebar_reachable(visit.page, lang)


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


# --- downloads on a Russian page ------------------------------------------------------------

DOWNLOAD_PAGES = {"map": "/?compare=2007-11-13", "gaps": "/gaps?gaps_since=2007-11-13",
                  "survey": "/survey", "profile": "/profile?state=KAZ", "data": "/data"}


def _file_text(path: Path, name: str) -> str:
    """The cells of a CSV or XLSX file, one a line (a CSV's own quoting would hide a title)."""
    if name.endswith(".csv"):
        import csv

        with open(path, newline="", encoding="utf-8-sig") as fh:
            return "\n".join(cell for row in csv.reader(fh) for cell in row)
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return "\n".join("" if v is None else str(v)
                     for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row)


@pytest.mark.parametrize("name", list(DOWNLOAD_PAGES))
def test_russian_downloads_are_russian(app_url: str, browser: Any, name: str,
                                       tmp_path: Path) -> None:
    """Every table file a Russian page offers (a list's CSV/XLSX buttons, each chart's data in
    its Download menu) has its headers, coded values and metadata in Russian."""
    with browser_visit(browser, {"viewport": {"width": 1600, "height": 1200},
                                 "accept_downloads": True}) as visit:
        page = visit.page
        open_page(visit, app_url, with_lang(DOWNLOAD_PAGES[name], "ru"))
        checked: list[str] = []

        def fetch(button: Any) -> None:
            with page.expect_download(timeout=60000) as info:
                button.click()
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
            if target.suffix not in (".csv", ".xlsx"):
                return
            left = english_leftovers(_file_text(target, target.name))
            assert not left, f"English left in {target.name}: {left}"
            checked.append(target.name)

        # Buttons on the page: lists (data page: the whole dataset is the data's own words).
        if name != "data":
            for button in page.locator("[data-testid='stMain'] "
                                       "[data-testid='stDownloadButton'] button").all():
                if button.is_visible() and ("CSV" in button.inner_text()
                                            or "XLSX" in button.inner_text()):
                    fetch(button)
        # Each chart's data, from its Download menu (its CSV; the lists above give XLSX too,
        # written by the same code).
        menus = page.locator("[data-testid='stPopover'] button")
        menus.first.wait_for(timeout=30000)
        for k in range(menus.count()):
            menus.nth(k).click()
            menu = page.locator("[data-testid='stPopoverBody']")
            menu.wait_for()
            # Exactly the CSV button: the ZIP's label names CSV files too.
            fetch(menu.get_by_role("button", name=t("export.csv", "ru"), exact=True))
            page.keyboard.press("Escape")
            menu.wait_for(state="hidden")
        assert checked, "no table file was offered"
        assert not visit.console_errors and not visit.blocked


def test_enter_applies_a_typed_date(app_url: str, visit: Visit) -> None:
    """Type a date into the sidebar's date field and press Enter: the page shows that date."""
    open_page(visit, app_url, "/gaps?as_of=2007-11-13")
    field = visit.page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']").first
    field.locator("[data-type='year']").click()
    visit.page.keyboard.type("20100101")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**as_of=2010-01-01*", timeout=15000)
    wait_for_app(visit.page)
    assert "2010" in field.inner_text()
    assert not exception_texts(visit.page)
