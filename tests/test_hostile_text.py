"""Data text never becomes markup: with markdown, HTML and link syntax in every text column,
every catalogue chart carries it escaped (Plotly draws <b>, <a href> in its text), and the
markdown helper shows it literally. (tests/test_browser_hostile_data.py checks the pages.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from cthb import store
from cthb.charts.catalog import CHARTS, ChartParams, load_all
from cthb.facts import Facts, load_facts
from cthb.safe_text import md_literal, plotly_literal
from tests.hostile_files import PAYLOAD, RAW_MARKUP, hostile_copy

DATES = (date(2007, 11, 13), date(2026, 1, 1))


@pytest.fixture(scope="module")
def hostile_facts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Facts]:
    root = tmp_path_factory.mktemp("hostile")
    db = root / "cthb.duckdb"
    store.build(hostile_copy(root / "data"), db)
    con = store.connect(db)
    try:
        yield load_facts(con)
    finally:
        con.close()


def _params(chart_id: str, on: date) -> list[ChartParams]:
    extra = (("iso3", "KAZ"),) if chart_id.startswith("state_") else ()
    base = ChartParams(as_of=on, indicator="NRM", view="osce", extra=extra)
    return [base, ChartParams(as_of=on, indicator="SURVEY", view="europe", extra=extra),
            ChartParams(as_of=on, indicator="GAPS", view="osce", extra=extra, lang="ru")]


@pytest.mark.parametrize("chart_id", sorted(load_all()))
def test_charts_carry_data_text_escaped(hostile_facts: Facts, chart_id: str) -> None:
    for on in DATES:
        for params in _params(chart_id, on):
            result = CHARTS[chart_id].build(hostile_facts, params)
            spec = json.dumps(result.figure.to_dict(), default=str)
            found = [m for m in RAW_MARKUP if m.replace("<", "\\u003c") in spec or m in spec]
            assert found == [], (chart_id, params)
            # The data itself (for CSV/XLSX) keeps the text exactly as it is.
            if "state" in result.data.columns:
                assert result.data["state"].astype(str).str.contains("<b>H1</b>",
                                                                     regex=False).all()


def test_md_literal_keeps_every_character_and_breaks_links() -> None:
    shown = md_literal(PAYLOAD)
    for ch in "*_`<>[]()!:$":
        assert f"\\{ch}" in shown
    assert "http://" not in shown and "www." not in shown and "\n" not in md_literal("a\nb")
    assert plotly_literal("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
