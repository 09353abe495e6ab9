"""Static exports of every catalogue chart in every format: the files are what they claim to be
(size, not blank, parseable, titled, offline), and the cache makes a second export free."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from cthb.charts import catalog
from cthb.charts.catalog import ChartParams, ChartResult
from cthb.export import images
from cthb.facts import Facts

AS_OF = date(2007, 11, 13)
# Charts that need more than a date: their parameters for the tests.
EXTRA = {"state_timeline": (("iso3", "KAZ"),), "state_locator": (("iso3", "KAZ"),)}
CHART_IDS = sorted(catalog.load_all())



@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> images.ExportCache:
    return images.ExportCache(tmp_path_factory.mktemp("export-cache"))


def build(facts: Facts, chart_id: str, lang: str = "en") -> ChartResult:
    params = ChartParams(as_of=AS_OF, lang=lang, indicator="UNTOC", view="osce",
                         extra=EXTRA.get(chart_id, ()))
    return catalog.CHARTS[chart_id].build(facts, params)


@pytest.mark.usefixtures("export_server")
@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_png_is_full_hd_and_not_blank(facts: Facts, chart_id: str,
                                      cache: images.ExportCache) -> None:
    data = images.export_chart(build(facts, chart_id), "png", cache=cache)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size[0] >= 1920 and img.size[1] >= 1080
    assert abs(img.size[0] / img.size[1] - 16 / 9) < 0.01
    pixels = np.asarray(img.resize((320, 180))).reshape(-1, 3)
    assert tuple(pixels[0]) == (255, 255, 255)  # white page, not transparent/dark
    non_white = float((pixels.sum(axis=1) < 720).mean())
    assert non_white > 0.02, "the picture is (almost) blank"
    assert len({tuple(p) for p in pixels}) > 20, "too few colours for a chart"


@pytest.mark.usefixtures("export_server")
@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_svg_parses_and_has_title(facts: Facts, chart_id: str,
                                  cache: images.ExportCache) -> None:
    result = build(facts, chart_id)
    data = images.export_chart(result, "svg", cache=cache)
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    text = " ".join("".join(el.itertext()) for el in root.iter())
    # Long titles are wrapped into several text elements: check the first words.
    first_words = " ".join(result.title.split()[:3])
    assert first_words in text or result.title.split()[0] in text


@pytest.mark.usefixtures("export_server")
@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_pdf_has_one_page_with_title(facts: Facts, chart_id: str,
                                     cache: images.ExportCache) -> None:
    result = build(facts, chart_id)
    reader = PdfReader(io.BytesIO(images.export_chart(result, "pdf", cache=cache)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert result.title.split()[0] in text


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_html_is_self_contained(facts: Facts, chart_id: str,
                                cache: images.ExportCache) -> None:
    data = images.export_chart(build(facts, chart_id), "html", cache=cache).decode("utf-8")
    assert "<script src=" not in data  # plotly.js inline
    # The only cdn.plot.ly string left is plotly.js's built-in default topojsonURL, which
    # the config overrides; no script, stylesheet or base map is fetched from it.
    assert data.count("cdn.plot.ly") <= 1
    assert '"topojsonURL": "topojson/"' in data


def test_geo_html_inlines_base_map(facts: Facts, cache: images.ExportCache) -> None:
    result = build(facts, "map")
    data = images.export_chart(result, "html", cache=cache).decode("utf-8")
    assert images.topojson_names(result.figure.to_dict()) == ["world_110m"]
    assert "window.PlotlyGeoAssets" in data


@pytest.mark.usefixtures("export_server")
def test_russian_export_has_cyrillic_title(facts: Facts,
                                           cache: images.ExportCache) -> None:
    result = build(facts, "map", "ru")
    assert any("а" <= ch <= "я" for ch in result.title.lower())
    reader = PdfReader(io.BytesIO(images.export_chart(result, "pdf", cache=cache)))
    assert result.title.split()[0] in reader.pages[0].extract_text()


def test_second_export_comes_from_cache(facts: Facts, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = images.ExportCache(tmp_path)
    result = build(facts, "status_bars")
    calls: list[str] = []

    def fake_render(_spec: object, fmt: str) -> bytes:
        calls.append(fmt)
        return b"PNGDATA"

    monkeypatch.setattr(images, "render", fake_render)
    first = images.export_chart(result, "png", cache=cache, chart_id="status_bars")
    second = images.export_chart(result, "png", cache=cache, chart_id="status_bars")
    assert first == second == b"PNGDATA" and calls == ["png"]
    # A fresh process (new memory) finds it on disk; the file was swapped in whole.
    files = [p for p in tmp_path.rglob("*.png")]
    assert len(files) == 1 and not list(tmp_path.rglob(".tmp-*"))
    assert images.export_chart(result, "png", cache=images.ExportCache(tmp_path),
                               chart_id="status_bars") == b"PNGDATA"
    assert calls == ["png"]


def test_cache_key_depends_on_params_format_and_data_version(facts: Facts) -> None:
    spec = images.export_spec(build(facts, "status_bars").figure)
    p1 = ChartParams(as_of=AS_OF)
    p2 = ChartParams(as_of=date(2008, 1, 1))
    base = images.cache_key("png", spec, "status_bars", p1, "v1")
    assert base == images.cache_key("png", spec, "status_bars", p1, "v1")
    assert base != images.cache_key("svg", spec, "status_bars", p1, "v1")
    assert base != images.cache_key("png", spec, "status_bars", p2, "v1")
    assert base != images.cache_key("png", spec, "status_bars", p1, "v2")


def test_export_spec_forces_16_9_white_page(facts: Facts) -> None:
    fig = build(facts, "status_bars").figure
    fig.update_layout(height=400, width=700, paper_bgcolor="rgba(0,0,0,0)")
    layout = images.export_spec(fig)["layout"]
    assert (layout["width"], layout["height"]) == (1600, 900)
    assert layout["paper_bgcolor"] == "white"


def test_without_chromium_exports_explain(monkeypatch: pytest.MonkeyPatch,
                                          facts: Facts, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("choreographer.browsers.chromium.Chromium.find_browser",
                        classmethod(lambda _cls, **_kw: None))
    ok, reason = images.export_available()
    assert not ok and "chromium" in reason.lower()
    with pytest.raises(images.ExportUnavailable, match="Chromium"):
        images.export_chart(build(facts, "status_bars"), "png",
                            cache=images.ExportCache(tmp_path))
    # HTML needs no browser.
    assert images.export_chart(build(facts, "status_bars"), "html",
                               cache=images.ExportCache(tmp_path))[:200].count(b"<html") == 1
