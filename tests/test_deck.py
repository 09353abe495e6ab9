"""Slide decks: 16:9, a title slide, one picture per chart with alt text, date and source as
slide text, closing source slides; in the chosen language; renders in LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from cthb.export import deck, images
from cthb.facts import Facts
from tests.conftest import require_tool

AS_OF = date(2007, 11, 13)



@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> images.ExportCache:
    return images.ExportCache(tmp_path_factory.mktemp("deck-cache"))


def pictures(slide: object) -> list[object]:
    return [s for s in slide.shapes if s.shape_type == 13]  # type: ignore[attr-defined]


def texts(slide: object) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes  # type: ignore[attr-defined]
                    if s.has_text_frame)


@pytest.mark.parametrize("preset", sorted(deck.PRESETS))
def test_preset_deck_structure(facts: Facts, preset: str, export_server: None,
                               cache: images.ExportCache) -> None:
    built = deck.preset_deck(facts, preset, AS_OF, "en", cache=cache)
    prs = Presentation(io.BytesIO(built.pptx))
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(prs.slides)
    items, _ = deck.resolve_items(deck.preset_items(preset))
    assert built.slides == len(items) >= 1
    # title slide, one slide per chart, then source slides
    assert "OSCE" in texts(slides[0]) and AS_OF.isoformat() in texts(slides[0])
    chart_slides = slides[1:1 + built.slides]
    for slide in chart_slides:
        pics = pictures(slide)
        assert len(pics) == 1
        c_nv_pr = pics[0]._element.nvPicPr.cNvPr
        assert len(c_nv_pr.get("descr", "")) > 20  # alt text = result.alt_text
        body = texts(slide)
        assert "Sources:" in body
    for slide in slides[1 + built.slides:]:
        assert not pictures(slide) and "Sources" in texts(slide)
    assert len(slides) > 1 + built.slides


def test_treaty_overview_has_the_expected_charts(facts: Facts) -> None:
    items, skipped = deck.resolve_items(deck.preset_items("treaty-overview"))
    assert [(i.chart_id, i.indicator) for i in items] == [
        ("map", "UNTOC"), ("map", "PALERMO"), ("map", "COE197"), ("status_bars", None),
        ("timeline", None)]
    assert skipped == []


def test_missing_chart_is_skipped_not_fatal() -> None:
    items, skipped = deck.resolve_items([deck.DeckItem("no_such_chart"), deck.DeckItem("map")])
    assert [i.chart_id for i in items] == ["map"] and "no_such_chart" in skipped[0]


def test_russian_deck_is_russian(facts: Facts, export_server: None,
                                 cache: images.ExportCache, tmp_path: Path) -> None:
    built = deck.preset_deck(facts, "treaty-overview", AS_OF, "ru", cache=cache)
    prs = Presentation(io.BytesIO(built.pptx))
    slides = list(prs.slides)
    for slide in slides[:1 + built.slides]:
        title = slide.shapes.title.text_frame.text
        assert any("а" <= ch <= "я" for ch in title.lower()), title
    assert "Источники" in texts(slides[2])
    (tmp_path / "ru.pptx").write_bytes(built.pptx)


def test_slide_picture_drops_title_but_keeps_source_and_notes(facts: Facts) -> None:
    from cthb.charts import catalog
    from cthb.charts.catalog import ChartParams

    result = catalog.CHARTS["status_bars"].build(facts, ChartParams(as_of=AS_OF))
    spec = deck.slide_spec(result.figure.to_dict())
    assert spec["layout"]["title"]["text"] == ""
    before = len(result.figure.layout.annotations)
    assert len(spec["layout"].get("annotations", [])) == before


def test_deck_renders_in_libreoffice(facts: Facts, export_server: None,
                                     cache: images.ExportCache, tmp_path: Path) -> None:
    require_tool(bool(shutil.which("soffice") and shutil.which("pdftoppm")),
                 "needs LibreOffice (soffice) and poppler (pdftoppm)")
    built = deck.preset_deck(facts, "treaty-overview", AS_OF, "ru", cache=cache)
    pptx = tmp_path / "deck.pptx"
    pptx.write_bytes(built.pptx)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(pptx)],
                   check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3",
                    str(tmp_path / "deck.pdf"), str(tmp_path / "slide")], check=True,
                   timeout=60)
    from PIL import Image

    shots = sorted(tmp_path.glob("slide-*.png"))
    assert len(shots) == 3
    w, h = Image.open(shots[1]).size
    assert abs(w / h - 16 / 9) < 0.02
