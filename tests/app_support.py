"""Running the app's pages in-process (Streamlit's AppTest) and reading what they show."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, **params: str) -> AppTest:
    """Run app.py with a query string and switch to `page`, as a fresh browser tab would;
    fail on any exception the page raised."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/map.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def elements(at: AppTest, kind: str) -> list[Element]:
    """The elements of one kind ("markdown", "caption", ...) on the page. `AppTest.get` is
    typed for any node, an element or a block (expander, tabs); these kinds are elements."""
    return [cast(Element, node) for node in at.get(kind)]


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page, as their JSON."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def figure_title(spec: dict[str, Any]) -> str:
    layout = spec["layout"]
    assert isinstance(layout, dict)
    return str(layout.get("title", {}).get("text", ""))


def page_texts(at: AppTest) -> str:
    """Everything the page writes as text (markdown, captions, headings), with the escaping
    that keeps data text literal taken off again, so a test reads what a person sees."""
    parts = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption",
                                       "text", "info", "warning")
             for e in elements(at, kind)]
    text = "\n".join(parts).replace("\u2060", "")
    return re.sub(r"\\(.)", r"\1", text)
