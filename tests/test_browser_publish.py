"""The static edition (`python -m cthb publish`): every page opens in Chromium with no request
leaving the machine, no missing file, no console error and no broken link; maps are drawn;
the State list is searchable by name in any language. A subset of States keeps CI quick (the
whole edition is written by `python -m cthb publish OUT/`, timed in README)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

import pytest

from cthb.export import images
from cthb.facts import Facts
from cthb.publish import PUBLISHED_MAPS, publish
from tests.browser_support import block_external, launch_browser
from tests.conftest import require_tool

if TYPE_CHECKING:
    from playwright.sync_api import Request, Route

pytestmark = pytest.mark.browser
STATES = ["KAZ", "MNG"]
TODAY = date(2026, 6, 30)
HREF = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def site(facts: Facts, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ok, reason = images.export_available()
    require_tool(ok, reason)
    out = tmp_path_factory.mktemp("site")
    done = publish(facts, out, today=TODAY, states=STATES)
    assert len(done.pages) == 2 * len(PUBLISHED_MAPS) + len(STATES) + 1
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_every_link_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    linked: set[str] = set()
    for page in pages:
        base = "http://site/" + page.relative_to(site).as_posix()
        for ref in HREF.findall(page.read_text(encoding="utf-8")):
            url = urlparse(urljoin(base, ref))
            if url.scheme in ("http", "https") and url.netloc != "site":
                continue  # a source's own address: a link out, never loaded by the page
            target = url.path.lstrip("/")
            assert target in files, f"{page.relative_to(site)} links to missing {ref}"
            linked.add(target)
    # Everything written is reachable from the pages: briefs, data downloads, every State.
    for iso3 in STATES:
        assert f"states/{iso3}.html" in linked
        assert f"briefs/{iso3}-{TODAY}-en.pdf" in linked
        assert f"briefs/{iso3}-{TODAY}-en.pptx" in linked
    assert any(t.startswith("data/") and t.endswith(".zip") for t in linked)


def test_every_page_opens_offline(site: Path, served: str) -> None:
    blocked: list[str] = []
    with launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        block_external(page, blocked)
        failed: list[str] = []
        errors: list[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        # A missing file is a 404 response; ERR_ABORTED is a request the browser dropped itself
        # (the favicon, when the test moves on to the next page).
        page.on("requestfailed", lambda r: failed.append(f"failed {r.url} {r.failure}")
                if "ERR_ABORTED" not in (r.failure or "") else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for html in sorted(site.rglob("*.html")):
            rel = html.relative_to(site).as_posix()
            page.goto(served + rel)
            if rel.startswith(("maps/", "states/")):
                page.wait_for_function(
                    "() => document.querySelectorAll('path.choroplethlocation').length > 0",
                    timeout=30000)
            # Everything the page asks for (the favicon too) has come before the next page.
            page.wait_for_load_state("networkidle")
        assert not blocked, blocked
        assert not failed, failed
        assert not errors, errors


def test_opens_from_files_and_searches(site: Path) -> None:
    """Copied to a USB stick: file:// pages draw their maps (the base map is preloaded; a
    browser refuses file:// fetches) and the search finds a State by its Russian name."""
    blocked: list[str] = []
    with launch_browser() as browser:
        page = browser.new_page()
        failed: list[str] = []
        # A request the next navigation cancelled (net::ERR_ABORTED, e.g. a favicon still
        # loading when a link is clicked) is not a missing file (net::ERR_FILE_NOT_FOUND).
        def on_failed(request: Request) -> None:
            if request.failure != "net::ERR_ABORTED":
                failed.append(f"{request.url} {request.failure}")

        def only_files(route: Route) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.on("requestfailed", on_failed)
        page.route("**/*", only_files)
        page.goto((site / "maps" / f"UNTOC-{TODAY}.html").as_uri())
        page.wait_for_function(
            "() => document.querySelectorAll('path.choroplethlocation').length >= 56",
            timeout=30000)
        page.goto((site / "index.html").as_uri())
        assert page.locator("#count").inner_text() == str(len(STATES))
        page.fill("#q", "Монгол")
        assert page.locator("#count").inner_text() == "1"
        page.get_by_role("link", name="Mongolia").click()
        page.wait_for_function(
            "() => document.querySelectorAll('path.choroplethlocation').length > 0",
            timeout=30000)
        assert "Mongolia" in page.title()
        assert not blocked and not failed, (blocked, failed)
