"""Slide decks: several catalogue charts as one PowerPoint file, ready to present.

A deck is a title slide, one 16:9 slide per chart (title, the chart as a picture with its alt
text, then the as-of date and the source line as slide text) and closing slide(s) listing every
source with publisher and URL. All words come from cthb.i18n in the deck's language, and the
charts are built in that language too, so a Russian deck is Russian throughout.

On the slide the title is editable text, so the picture is the chart without the title block
that `frame_figure` draws into stand-alone exports.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as Deck  # the type; `Presentation` is a factory
from pptx.slide import Slide
from pptx.util import Emu, Inches, Length, Pt

from cthb.charts import catalog
from cthb.charts.catalog import ChartParams, ChartResult
from cthb.charts.style import EXPORT_HEIGHT, EXPORT_WIDTH
from cthb.export import images
from cthb.facts import Facts
from cthb.i18n import indicator_label, t
from cthb.sources import ref_of, source_text

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.8)
PICTURE_TOP = Inches(1.15)
FOOTER_HEIGHT = Inches(0.75)
SOURCES_PER_COLUMN = 9  # two columns of 9-pt entries (up to 4 lines each) per slide
DARK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x55, 0x55, 0x55)
TITLE_BLUE = RGBColor(0x0B, 0x3C, 0x6B)  # style.DARK_BLUE


@dataclass(frozen=True)
class DeckItem:
    """One chart of a deck: a catalogue chart id and the parameters it is built with."""

    chart_id: str
    indicator: str | None = None
    view: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def params(self, as_of: date, lang: str) -> ChartParams:
        return ChartParams(as_of=as_of, lang=lang, indicator=self.indicator, view=self.view,
                           extra=self.extra)


# The presets offered in the app and by `python -m cthb deck --preset`. Chart ids are the
# catalogue's; an item whose chart is not registered is left out (and reported), and a
# trailing "*" stands for every registered chart whose id starts with the prefix (the survey
# charts), so a preset picks up a chart added later without a code change here.
PRESETS: dict[str, tuple[DeckItem, ...]] = {
    "treaty-overview": (
        DeckItem("map", "UNTOC", "osce"),
        DeckItem("map", "PALERMO", "osce"),
        DeckItem("map", "COE197", "osce"),
        DeckItem("status_bars"),
        DeckItem("timeline"),
    ),
    "national-structures": (
        DeckItem("map", "NCM", "osce"),
        DeckItem("map", "NAP", "osce"),
        DeckItem("map", "NR", "osce"),
        DeckItem("map", "NRM", "osce"),
        DeckItem("matrix"),
    ),
    "survey-coverage": (
        DeckItem("map", "SURVEY", "osce"),
        DeckItem("survey*"),
    ),
}


def preset_items(preset: str) -> list[DeckItem]:
    """A preset's items with "prefix*" expanded to the registered charts of that prefix."""
    charts = catalog.load_all()
    items: list[DeckItem] = []
    for item in PRESETS[preset]:
        if item.chart_id.endswith("*"):
            prefix = item.chart_id[:-1]
            items += [replace(item, chart_id=cid) for cid in sorted(charts)
                      if cid.startswith(prefix)]
        else:
            items.append(item)
    return items


@dataclass
class DeckSlide:
    """A chart ready for a slide: the built result and the key its picture is cached under."""

    result: ChartResult
    chart_id: str | None = None
    params: ChartParams | None = None


@dataclass
class DeckBuild:
    pptx: bytes
    slides: int  # chart slides
    skipped: list[str]  # preset items left out, with the reason


def resolve_items(items: Sequence[DeckItem]) -> tuple[list[DeckItem], list[str]]:
    """The items whose chart is in the catalogue, and a note for each one that is not."""
    charts = catalog.load_all()
    kept, skipped = [], []
    for item in items:
        spec = charts.get(item.chart_id)
        if spec is None:
            skipped.append(f"{item.chart_id}: chart not available")
            continue
        # Drop parameters the chart does not use, so its cache key does not vary on them.
        kept.append(replace(item, indicator=item.indicator if "indicator" in spec.uses else None,
                            view=item.view if "view" in spec.uses else None))
    return kept, skipped


def build_slides(facts: Facts, items: Sequence[DeckItem], as_of: date,
                 lang: str) -> list[DeckSlide]:
    charts = catalog.load_all()
    slides = []
    for item in items:
        params = item.params(as_of, lang)
        slides.append(DeckSlide(charts[item.chart_id].build(facts, params), item.chart_id,
                                params))
    return slides


def preset_deck(facts: Facts, preset: str, as_of: date, lang: str = "en",
                cache: images.ExportCache | None = None) -> DeckBuild:
    items, skipped = resolve_items(preset_items(preset))
    slides = build_slides(facts, items, as_of, lang)
    title = t(f"deck.preset_{preset.replace('-', '_')}", lang)
    pptx = build_deck(facts, slides, as_of, lang, title=title, cache=cache)
    return DeckBuild(pptx, len(slides), skipped)


# --- the pictures -----------------------------------------------------------------------------


def slide_spec(spec: images.FigureSpec) -> images.FigureSpec:
    """The chart without the title block `frame_figure` drew into it: on a slide the title is
    slide text. The source line stays in the picture: on maps it carries the disclaimer and
    the Kosovo note, which must travel with the map."""
    layout = dict(spec.get("layout") or {})
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        layout["title"] = {**title, "text": ""}
        margin = dict(layout.get("margin") or {})
        margin["t"] = max(20, int(margin.get("t", 90)) - 60)
        layout["margin"] = margin
    return {**spec, "layout": layout}


def slide_picture(slide: DeckSlide, data_version: str,
                  cache: images.ExportCache | None = None) -> bytes:
    return images.export_chart(slide.result, "png", chart_id=f"slide:{slide.chart_id}",
                               params=slide.params, data_version=data_version, cache=cache,
                               transform=slide_spec)


# --- the deck ---------------------------------------------------------------------------------


def _source_ids(ids: Sequence[object]) -> list[str]:
    # Charts take source ids from data frames, where a missing one is NaN, not None.
    return list(dict.fromkeys(s for s in ids if isinstance(s, str) and s))


FOOTER_PUBLISHERS = 4


def source_line(facts: Facts, source_ids: Sequence[object], lang: str) -> str:
    """"Sources: UN Treaty Collection; Council of Europe; … (+3)": the publishers, each once,
    short enough for a slide footer; the closing slides list every source in full."""
    publishers = []
    for sid in _source_ids(source_ids):
        src = facts.source(sid)
        name = str(src.get("publisher") or src.get("title") or sid) if src else sid
        if name not in publishers:
            publishers.append(name)
    if not publishers:
        return ""
    shown = "; ".join(publishers[:FOOTER_PUBLISHERS])
    if len(publishers) > FOOTER_PUBLISHERS:
        shown += f"; … (+{len(publishers) - FOOTER_PUBLISHERS})"
    return f"{t('app.sources', lang)}: {shown}"


def build_deck(facts: Facts, slides: Sequence[DeckSlide], as_of: date, lang: str = "en",
               title: str | None = None, cache: images.ExportCache | None = None,
               progress: Callable[[int, int], None] | None = None) -> bytes:
    """The .pptx bytes: title slide, one slide per chart, source slides."""
    prs = Presentation()
    # python-pptx's default template is 4:3: set 16:9 before adding slides.
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = title or t("deck.title", lang)
    prs.core_properties.language = lang

    _title_slide(prs, title or t("deck.title", lang), as_of, facts.data_version, lang,
                 len(slides))
    for n, slide in enumerate(slides, start=1):
        picture = slide_picture(slide, facts.data_version, cache)
        _chart_slide(prs, slide.result, picture, as_of, facts, lang)
        if progress:
            progress(n, len(slides))
    all_sources = [sid for s in slides for sid in s.result.source_ids]
    _source_slides(prs, facts, all_sources, lang)

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _blank(prs: Deck) -> Slide:
    return prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title placeholder


def _place_title(slide: Slide, text: str, top: Length = TITLE_TOP,
                 height: Length = TITLE_HEIGHT, size: int = 28) -> None:
    # The template positions its placeholders for 4:3; set the box for 16:9 explicitly.
    shape = slide.shapes.title
    assert shape is not None  # layout 5, "Title Only", has a title placeholder
    shape.left, shape.top = MARGIN, top
    shape.width, shape.height = Emu(SLIDE_WIDTH - 2 * MARGIN), height
    frame = shape.text_frame
    frame.text = text
    frame.word_wrap = True
    para = frame.paragraphs[0]
    para.alignment = 1  # left
    for run in para.runs:
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.color.rgb = TITLE_BLUE


# Lengths are ints in EMU (Inches(...) and Emu(...) are both Length, an int subclass).
def _text(slide: Slide, left: int, top: int, width: int, height: int, lines: Sequence[str],
          size: int, colour: RGBColor = DARK, space_after: int = 0) -> None:
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        if space_after:
            para.space_after = Pt(space_after)
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.color.rgb = colour


def _title_slide(prs: Deck, title: str, as_of: date, data_version: str, lang: str,
                 charts: int) -> None:
    slide = _blank(prs)
    _place_title(slide, title, top=Inches(2.4), height=Inches(1.4), size=36)
    _text(slide, MARGIN, Inches(3.9), SLIDE_WIDTH - 2 * MARGIN, Inches(1.6),
          [t("deck.as_of", lang, date=as_of.isoformat()),
           t("deck.subtitle", lang),
           t("deck.generated", lang, date=date.today().isoformat(), version=data_version,
             charts=charts)],
          16, GREY)


def _chart_slide(prs: Deck, result: ChartResult, png: bytes, as_of: date,
                 facts: Facts, lang: str) -> None:
    slide = _blank(prs)
    _place_title(slide, result.title, size=24)
    # The biggest 16:9 picture between title and footer, centred.
    avail_h = SLIDE_HEIGHT - PICTURE_TOP - FOOTER_HEIGHT
    avail_w = SLIDE_WIDTH - 2 * MARGIN
    height = min(avail_h, int(avail_w * EXPORT_HEIGHT / EXPORT_WIDTH))
    width = int(height * EXPORT_WIDTH / EXPORT_HEIGHT)
    pic = slide.shapes.add_picture(io.BytesIO(png), Emu((SLIDE_WIDTH - width) // 2),
                                   PICTURE_TOP, width=Emu(width), height=Emu(height))
    # Alt text: PowerPoint reads it from the picture's cNvPr "descr" attribute.
    # python-pptx has no public API for it (SLF001); its stubs type the child loosely.
    c_nv_pr = pic._element.nvPicPr.cNvPr  # type: ignore[union-attr]  # noqa: SLF001
    c_nv_pr.set("descr", result.alt_text or result.title)
    c_nv_pr.set("title", result.title)
    footer_top = SLIDE_HEIGHT - FOOTER_HEIGHT
    lines = [result.subtitle or t("deck.as_of", lang, date=as_of.isoformat())]
    sources = source_line(facts, result.source_ids, lang)
    if sources:
        lines.append(sources)
    _text(slide, MARGIN, footer_top, SLIDE_WIDTH - 2 * MARGIN, FOOTER_HEIGHT - Inches(0.1),
          lines, 11, GREY)


def _source_slides(prs: Deck, facts: Facts, source_ids: Sequence[object],
                   lang: str) -> None:
    entries = []
    for sid in _source_ids(source_ids):
        src = facts.source(sid)
        if src is None:
            continue
        entries.append(source_text(ref_of(sid, src), lang, with_id=False))
    if not entries:
        entries = [t("deck.no_sources", lang)]
    per_slide = 2 * SOURCES_PER_COLUMN
    pages = [entries[i:i + per_slide] for i in range(0, len(entries), per_slide)]
    column_w = (SLIDE_WIDTH - 2 * MARGIN - Inches(0.3)) // 2
    for n, page in enumerate(pages, start=1):
        slide = _blank(prs)
        heading = t("deck.sources", lang)
        if len(pages) > 1:
            heading += f" ({n}/{len(pages)})"
        _place_title(slide, heading, size=24)
        for col in range(2):
            chunk = page[col * SOURCES_PER_COLUMN:(col + 1) * SOURCES_PER_COLUMN]
            if chunk:
                _text(slide, MARGIN + col * (column_w + Inches(0.3)), PICTURE_TOP, column_w,
                      SLIDE_HEIGHT - PICTURE_TOP - Inches(0.3), chunk, 9, space_after=4)


def item_label(item: DeckItem, lang: str) -> str:
    """How an item is listed in the deck builder: chart name, indicator, view."""
    spec = catalog.CHARTS.get(item.chart_id)
    parts = [t(spec.title_key, lang) if spec else item.chart_id]
    if item.indicator:
        parts.append(indicator_label(item.indicator, lang))
    if item.view:
        parts.append(t(f"map.view_{item.view}", lang))
    return " · ".join(parts)
