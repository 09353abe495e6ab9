"""Views shared by every session of a process (cthb.viewcache): one build per key even when
sessions ask at the same moment, bounded, and drawn as exactly the element st.plotly_chart
would send; the warm-up fills the entries the pages read."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cthb import viewcache, views, warmup
from cthb.facts import Facts
from cthb.viewcache import ViewCache

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_callers_share_one_build() -> None:
    cache = ViewCache("t", 4)
    calls = []
    start = threading.Barrier(8)

    def build() -> object:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive while it runs
        return object()

    results: list[object] = []

    def session() -> None:
        start.wait()
        results.append(cache.get("map", build))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert (cache.builds, cache.hits) == (1, 7)


def test_failed_build_stores_nothing_and_lru_is_bounded() -> None:
    cache = ViewCache("t", 2)

    def boom() -> object:
        raise RuntimeError("bad data")

    with pytest.raises(RuntimeError):
        cache.get("x", boom)
    assert "x" not in cache
    assert cache.get("x", lambda: 1) == 1
    cache.get("y", lambda: 2)
    cache.get("x", lambda: 0)  # a hit: x becomes the most recent
    cache.get("z", lambda: 3)  # evicts y, the least recent
    assert "x" in cache and "z" in cache and "y" not in cache and len(cache) == 2


def test_warm_up_fills_what_the_pages_read(facts: Facts) -> None:
    on = date(2024, 6, 30)
    built = warmup.warm(facts, on)
    assert {"map/en", "map/ru", "gaps/en", "gaps/ru"} <= set(built)
    before = viewcache.CHART_CACHE.builds
    chart = viewcache.chart(facts, "map", views.map_params(on, "ru"))
    for chart_id, params in views.gaps_chart_params(on, "en", None, None, on).items():
        viewcache.chart(facts, chart_id, params)
    assert viewcache.CHART_CACHE.builds == before  # every one was already there
    assert json.loads(chart.spec_json)["data"]
    # A session's own copy for exports is a separate figure with the same content.
    result = chart.result()
    assert result.figure.to_dict()["layout"]["title"] == json.loads(chart.spec_json)[
        "layout"]["title"]
    assert result.data is not chart.data


SCRIPT = """
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from cthb import webapp

fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name="s"), layout={"height": 333})
config = {"displaylogo": False, "topojsonURL": "/app/static/topojson/"}
st.plotly_chart(fig, width="stretch", theme=None, config=config, key="a", on_select="rerun")
webapp.plotly_json_chart(pio.to_json(fig, validate=False), key="b", on_select="rerun",
                         height=333, config=config)
with st.columns(2)[1]:
    st.plotly_chart(fig, width="stretch", theme=None, config=config, key="c")
    webapp.plotly_json_chart(pio.to_json(fig, validate=False), key="d", height=333,
                             config=config)
"""


def test_json_chart_is_the_element_st_plotly_chart_sends(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text(SCRIPT, encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    for ours, theirs in ((charts[1].proto, charts[0].proto), (charts[3].proto, charts[2].proto)):
        assert json.loads(ours.spec) == json.loads(theirs.spec)
        assert json.loads(ours.config) == json.loads(theirs.config)
        assert list(ours.selection_mode) == list(theirs.selection_mode)
        assert (ours.theme, ours.form_id) == (theirs.theme, theirs.form_id)
        assert ours.id != theirs.id  # different keys, both registered without a clash
    assert list(charts[1].proto.selection_mode)  # the selectable map keeps its selection


def test_second_session_builds_nothing(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sessions (two AppTests in one process, as Streamlit runs them) on the same views:
    the second builds no chart and no table."""
    monkeypatch.setenv("CTHB_DB", str(real_db))
    for page, query in (("pages/map.py", {"as_of": "2024-06-30", "indicator": "NRM"}),
                        ("pages/gaps.py", {"as_of": "2024-06-30"}),
                        ("pages/profile.py", {"as_of": "2024-06-30", "state": "GEO"})):
        runs = []
        for _ in range(2):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            for k, v in query.items():
                at.query_params[k] = v
            at.run()
            at.switch_page(page)
            for k, v in query.items():
                at.query_params[k] = v
            before = (viewcache.CHART_CACHE.builds, viewcache.VIEW_CACHE.builds)
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            runs.append((viewcache.CHART_CACHE.builds - before[0],
                         viewcache.VIEW_CACHE.builds - before[1]))
        assert runs[1] == (0, 0), (page, runs)
