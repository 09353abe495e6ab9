"""Slide decks: 16:9, a title slide, one picture per chart with alt text, date and sources as
slide text and every source in the notes, one compact closing sources slide; charts drawn with
text of at least 14 pt and legends of at least 12 pt at their size on the slide; in the chosen
language; every slide rendered by LibreOffice with no text outside its box (PNGs kept in
artifacts/decks/ to be looked at)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.shapes.picture import Picture
from pptx.slide import Slide
from pptx.util import Inches

from cthb.export import deck, images
from cthb.facts import Facts
from tests import slide_check

AS_OF = date(2007, 11, 13)
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "decks"



@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> images.ExportCache:
    return images.ExportCache(tmp_path_factory.mktemp("deck-cache"))


def pictures(slide: Slide) -> list[Picture]:
    # Every shape of type 13 (MSO_SHAPE_TYPE.PICTURE) is a Picture; isinstance tells mypy so.
    return [s for s in slide.shapes if isinstance(s, Picture) and s.shape_type == 13]


def texts(slide: object) -> str:
    # Dates on slides use non-breaking hyphens (no line break inside a date): read them as "-".
    return " ".join(s.text_frame.text for s in slide.shapes  # type: ignore[attr-defined]
                    if s.has_text_frame).replace("\u2011", "-")


@pytest.mark.usefixtures("export_server")
@pytest.mark.parametrize("preset", sorted(deck.PRESETS))
def test_preset_deck_structure(facts: Facts, preset: str,
                               cache: images.ExportCache) -> None:
    built = deck.preset_deck(facts, preset, AS_OF, "en", cache=cache)
    prs = Presentation(io.BytesIO(built.pptx))
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(prs.slides)
    items, _ = deck.resolve_items(deck.preset_items(preset))
    assert built.slides >= len(items) >= 1
    # title slide, one slide per chart (a long matrix in parts), then ONE sources slide
    assert len(slides) == 1 + built.slides + 1
    assert "OSCE" in texts(slides[0]) and AS_OF.isoformat() in texts(slides[0])
    for slide in slides[1:-1]:
        pics = pictures(slide)
        assert len(pics) == 1
        # python-pptx types the p:nvPicPr child as its descriptor class (OneAndOnlyOne).
        c_nv_pr = pics[0]._element.nvPicPr.cNvPr  # type: ignore[union-attr]
        assert len(c_nv_pr.get("descr", "")) > 20  # alt text = result.alt_text
        assert "Sources:" in texts(slide)
        # Every source of the chart in full in the notes, and the footer never under the picture.
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith("Sources:") and len(notes.splitlines()) >= 2
        footer = next(sh for sh in slide.shapes if sh.name == "Footer")
        assert pics[0].top + pics[0].height <= footer.top
    last = slides[-1]
    assert not pictures(last) and "Sources" in texts(last)
    assert "documents from" in texts(last)
    assert last.notes_slide.notes_text_frame.text.count("\n") >= 1


def test_treaty_overview_has_the_expected_charts() -> None:
    items, skipped = deck.resolve_items(deck.preset_items("treaty-overview"))
    assert [(i.chart_id, i.indicator) for i in items] == [
        ("map", "UNTOC"), ("map", "PALERMO"), ("map", "COE197"), ("status_bars", None),
        ("timeline", None)]
    assert skipped == []


def test_missing_chart_is_skipped_not_fatal() -> None:
    items, skipped = deck.resolve_items([deck.DeckItem("no_such_chart"), deck.DeckItem("map")])
    assert [i.chart_id for i in items] == ["map"] and "no_such_chart" in skipped[0]


@pytest.mark.usefixtures("export_server")
def test_russian_deck_is_russian(facts: Facts,
                                 cache: images.ExportCache, tmp_path: Path) -> None:
    built = deck.preset_deck(facts, "treaty-overview", AS_OF, "ru", cache=cache)
    prs = Presentation(io.BytesIO(built.pptx))
    slides = list(prs.slides)
    for slide in slides[:1 + built.slides]:
        title = slide.shapes.title.text_frame.text
        assert any("а" <= ch <= "я" for ch in title.lower()), title
    assert "Источники" in texts(slides[2])
    (tmp_path / "ru.pptx").write_bytes(built.pptx)


@pytest.mark.parametrize("chart_id", ["map", "tiles", "status_bars", "matrix", "timeline",
                                      "survey_regions", "survey_crosstab", "survey_others",
                                      "evidence_age"])
def test_slide_picture_type_is_large_enough(facts: Facts, chart_id: str) -> None:
    """On the slide (PICTURE_PX_PER_IN pixels per inch), every text of the chart is at least
    14 pt and every legend entry at least 12 pt; the title block and the source line, which
    are slide text there, are gone from the picture."""
    from math import ceil

    from cthb.charts import catalog
    from cthb.charts.catalog import ChartParams
    from cthb.charts.style import SOURCE_ANNOTATION
    from cthb.export.slidestyle import smallest_font

    params = ChartParams(as_of=AS_OF, indicator="NRM" if chart_id in ("map", "tiles") else None,
                         view="osce" if chart_id == "map" else None)
    result = catalog.load_all()[chart_id].build(facts, params)
    spec = deck.slide_spec(result.figure.to_dict(), chart_id)
    px_per_pt = deck.PICTURE_PX_PER_IN / 72
    assert spec["layout"]["title"]["text"] == ""
    assert not any(a.get("name") == SOURCE_ANNOTATION
                   for a in spec["layout"].get("annotations", []))
    legend = spec["layout"]["legend"]["font"]["size"]
    assert legend >= ceil(deck.LEGEND_PT * px_per_pt)
    outside_legend = {**spec, "layout": {k: v for k, v in spec["layout"].items()
                                         if k != "legend"}}
    assert smallest_font(outside_legend) >= ceil(deck.CHART_PT * px_per_pt)
    assert spec["layout"]["uniformtext"]["minsize"] >= ceil(deck.CHART_PT * px_per_pt)


def test_map_names_the_microstates(facts: Facts) -> None:
    from cthb.charts import catalog
    from cthb.charts.catalog import ChartParams
    from cthb.charts.map import MICROSTATE_PANEL_NAME

    result = catalog.load_all()["map"].build(facts, ChartParams(as_of=AS_OF, indicator="UNTOC",
                                                                view="osce"))
    panel = next(a for a in result.figure.layout.annotations if a.name == MICROSTATE_PANEL_NAME)
    for name in ("Andorra", "Holy See", "Liechtenstein", "Luxembourg", "Malta", "Monaco",
                 "San Marino"):
        assert name in panel.text
    on_slide = deck.slide_spec(result.figure.to_dict(), "map")
    moved = next(a for a in on_slide["layout"]["annotations"]
                 if a.get("name") == MICROSTATE_PANEL_NAME)
    # Beside the map, in the legend's strip: not over any State.
    assert moved["x"] >= on_slide["layout"]["geo"]["domain"]["x"][1]
    assert on_slide["layout"]["legend"]["x"] >= on_slide["layout"]["geo"]["domain"]["x"][1]


def test_matrix_is_split_to_readable_parts(facts: Facts) -> None:
    from cthb.charts import catalog
    from cthb.charts.catalog import ChartParams

    params = ChartParams(as_of=AS_OF)
    whole = catalog.load_all()["matrix"].build(facts, params)
    parts = deck.for_slides(facts, [deck.DeckSlide(whole, "matrix", params)])
    rows = [len(dict.fromkeys(p.result.data["iso3"])) for p in parts]
    assert sum(rows) == 56 and max(rows) <= deck.MATRIX_ROWS_PER_SLIDE
    order = [a3 for p in parts for a3 in dict.fromkeys(p.result.data["iso3"])]
    assert order == list(dict.fromkeys(whole.data["iso3"]))  # same order, nothing lost
    assert parts[0].result.title.endswith(f"(1/{len(parts)})")


@pytest.mark.usefixtures("export_server")
@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(deck.PRESETS))
def test_deck_renders_in_libreoffice(facts: Facts, preset: str,
                                     cache: images.ExportCache, tmp_path: Path) -> None:
    from PIL import Image

    slide_check.require_libreoffice()
    lang = "ru" if preset == "treaty-overview" else "en"
    built = deck.preset_deck(facts, preset, AS_OF, lang, cache=cache)
    assert slide_check.small_runs(built.pptx, deck.FOOTER_PT) == []
    rendering = slide_check.render(built.pptx, tmp_path)
    assert slide_check.overflow(rendering) == []
    assert slide_check.broken_words(built.pptx, rendering.text) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = slide_check.to_pngs(rendering.pdf, ARTIFACTS / f"deck-{preset}-{lang}", dpi=60)
    assert len(shots) == len(Presentation(io.BytesIO(built.pptx)).slides)
    w, h = Image.open(shots[1]).size
    assert abs(w / h - 16 / 9) < 0.02
