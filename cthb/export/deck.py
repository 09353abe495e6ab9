"""Slide decks: several catalogue charts as one PowerPoint file, ready to present.

A deck is a title slide, one 16:9 slide per chart (title, the chart as a picture with its alt
text, then the as-of date, the publishers and the map's notes as slide text; every source in
full in the slide's notes) and one compact closing slide of the publishers cited. All words
come from cthb.i18n in the deck's language, and the charts are built in that language too, so
a Russian deck is Russian throughout.

Slides are read from the back of a room: each chart is drawn for its place on the slide, with
its type at 14 pt or more and its legend at 12 pt or more (cthb.export.slidestyle), and a
matrix of more States than a slide can hold in such type is split over several slides. On the
slide the title is editable text, so the picture is the chart without the title block and the
source line that `frame_figure` draws into stand-alone exports.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.presentation import Presentation as Deck  # the type; `Presentation` is a factory
from pptx.slide import Slide
from pptx.util import Emu, Inches, Length, Pt

from cthb.charts import catalog
from cthb.charts.catalog import ChartParams, ChartResult
from cthb.charts.style import SOURCE_ANNOTATION
from cthb.export import images, textfit
from cthb.export.slidestyle import lift_fonts, wrap_legend_names
from cthb.export.textfit import SLIDE_MARGIN_IN, TEXT_INSET_IN
from cthb.facts import Facts
from cthb.i18n import indicator_label, t
from cthb.sources import ref_of, source_text

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
SIDE_MARGIN = Inches(SLIDE_MARGIN_IN)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.8)
PICTURE_TOP = Inches(1.15)
FOOTER_HEIGHT = Inches(0.75)
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
    slides: int  # chart slides (a long matrix counts once per part)
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
    slides = for_slides(facts, build_slides(facts, items, as_of, lang))
    title = t(f"deck.preset_{preset.replace('-', '_')}", lang)
    pptx = build_deck(facts, slides, as_of, lang, title=title, cache=cache)
    return DeckBuild(pptx, len(slides), skipped)


# --- the pictures -----------------------------------------------------------------------------
# A chart is drawn for its place on the slide: PICTURE_PX_PER_IN pixels per inch of the slide,
# so type of CHART_PT (legends LEGEND_PT) on the slide is a known number of pixels.

CHART_PT = 14  # every text of a chart on a slide, at least
LEGEND_PT = 12  # legend entries, at least
FOOTER_PT = 12  # the slide's own small print (date, sources, the map's notes)
PICTURE_PX_PER_IN = 100
MATRIX_ROWS_PER_SLIDE = 12  # rows of the State x indicator matrix one slide can hold


def slide_spec(spec: images.FigureSpec, chart_id: str | None = None) -> images.FigureSpec:
    """The chart as a slide shows it: without the title block and the source line that
    `frame_figure` drew into it (on a slide both are slide text, the map's disclaimer and
    Kosovo note included), with its type raised to CHART_PT, legends to LEGEND_PT, and laid
    out by the chart's own slide layout (cthb.charts.catalog.ChartSpec.slide) if it has one."""
    layout = dict(spec.get("layout") or {})
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        layout["title"] = {**title, "text": ""}
    layout["annotations"] = [a for a in layout.get("annotations", [])
                             if a.get("name") != SOURCE_ANNOTATION]
    margin = dict(layout.get("margin") or {})
    margin["t"] = min(int(margin.get("t", 90)), 40)
    layout["margin"] = margin
    px = PICTURE_PX_PER_IN / 72
    # Text inside bars shrinks to fit its bar; below the slide's size it is hidden instead
    # (the axis still tells the value).
    layout["uniformtext"] = {"minsize": math.ceil(CHART_PT * px), "mode": "hide"}
    out = wrap_legend_names(lift_fonts({**spec, "layout": layout}, math.ceil(CHART_PT * px),
                                       math.ceil(LEGEND_PT * px)))
    chart = catalog.CHARTS.get(chart_id or "")
    return chart.slide(out) if chart is not None and chart.slide is not None else out


def frame_notes(result: ChartResult) -> list[str]:
    """The lines of the source note `frame_figure` drew into the chart, as plain text."""
    for a in result.figure.layout.annotations or ():
        if a.name == SOURCE_ANNOTATION and a.text:
            return [html.unescape(re.sub(r"<[^>]+>", "", x)) for x in a.text.split("<br>")]
    return []


def slide_picture(slide: DeckSlide, data_version: str,
                  cache: images.ExportCache | None = None,
                  size: tuple[int, int] = (1233, 540)) -> bytes:
    return images.export_chart(slide.result, "png", chart_id=f"slide:{slide.chart_id}",
                               params=slide.params, data_version=data_version, cache=cache,
                               transform=functools.partial(slide_spec,
                                                           chart_id=slide.chart_id),
                               size=size)


def for_slides(facts: Facts, slides: Sequence[DeckSlide]) -> list[DeckSlide]:
    """The slides as shown: a matrix of more than MATRIX_ROWS_PER_SLIDE States is split into
    parts of the same order, one slide each (rebuilt from its chart id and parameters)."""
    from cthb.charts.gaps import matrix_part

    out: list[DeckSlide] = []
    for slide in slides:
        rows = len(dict.fromkeys(slide.result.data.get("iso3", [])))
        if (slide.chart_id != "matrix" or slide.params is None or rows <= MATRIX_ROWS_PER_SLIDE
                or matrix_part(slide.params.option("part"))[1] > 1):
            out.append(slide)
            continue
        parts = -(-rows // MATRIX_ROWS_PER_SLIDE)
        for k in range(1, parts + 1):
            params = replace(slide.params, extra=(*slide.params.extra, ("part", f"{k}/{parts}")))
            out.append(DeckSlide(catalog.CHARTS["matrix"].build(facts, params), "matrix",
                                 params))
    return out


# --- the deck ---------------------------------------------------------------------------------


def _source_ids(ids: Sequence[object]) -> list[str]:
    # Charts take source ids from data frames, where a missing one is NaN, not None.
    return list(dict.fromkeys(s for s in ids if isinstance(s, str) and s))


FOOTER_PUBLISHERS = 2  # a slide names a few; its notes and the last slide name them all


def _publisher(facts: Facts, sid: str) -> str:
    src = facts.source(sid)
    return str(src.get("publisher") or src.get("title") or sid) if src else sid


def footer_sources(facts: Facts, source_ids: Sequence[object], lang: str) -> str:
    """"Sources: UN Treaty Collection; Council of Europe; … (+3)": the first publishers, each
    once, short enough for a slide footer; the closing slide and the notes list them all."""
    publishers = list(dict.fromkeys(_publisher(facts, s) for s in _source_ids(source_ids)))
    if not publishers:
        return ""
    shown = "; ".join(textfit.cut(p, 70) for p in publishers[:FOOTER_PUBLISHERS])
    if len(publishers) > FOOTER_PUBLISHERS:
        shown += f"; … (+{len(publishers) - FOOTER_PUBLISHERS})"
    return f"{t('app.sources', lang)}: {shown}"


def build_deck(facts: Facts, slides: Sequence[DeckSlide], as_of: date, lang: str = "en",
               title: str | None = None, cache: images.ExportCache | None = None,
               progress: Callable[[int, int], None] | None = None) -> bytes:
    """The .pptx bytes: title slide, one slide per chart (a long matrix in parts), and one
    compact sources slide; every chart slide lists its sources in full in its notes."""
    prs = Presentation()
    # python-pptx's default template is 4:3: set 16:9 before adding slides.
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = title or t("deck.title", lang)
    prs.core_properties.language = lang

    shown = for_slides(facts, slides)
    _title_slide(prs, title or t("deck.title", lang), as_of, facts.data_version, lang,
                 len(shown))
    for n, slide in enumerate(shown, start=1):
        _chart_slide(prs, slide, as_of, facts, lang, cache)
        if progress:
            progress(n, len(shown))
    all_sources = [sid for s in shown for sid in s.result.source_ids]
    _sources_slide(prs, facts, all_sources, lang)

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _blank(prs: Deck) -> Slide:
    slide: Slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title
    return slide


def _place_title(slide: Slide, text: str, top: Length = TITLE_TOP,
                 height: Length = TITLE_HEIGHT, size: int = 28) -> None:
    # The template positions its placeholders for 4:3; set the box for 16:9 explicitly.
    shape = slide.shapes.title
    assert shape is not None  # layout 5, "Title Only", has a title placeholder
    shape.left, shape.top = SIDE_MARGIN, top
    shape.width, shape.height = Emu(SLIDE_WIDTH - 2 * SIDE_MARGIN), height
    frame = shape.text_frame
    frame.text = textfit.keep_dates_whole(text)
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(TEXT_INSET_IN))
    para = frame.paragraphs[0]
    para.alignment = 1  # left
    for run in para.runs:
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.name = textfit.SLIDE_FONT
        run.font.color.rgb = TITLE_BLUE


# Lengths are ints in EMU (Inches(...) and Emu(...) are both Length, an int subclass).
def _text(slide: Slide, left: int, top: int, width: int, height: int, lines: Sequence[str],
          size: int, colour: RGBColor = DARK, space_after: int = 0, name: str = "") -> None:
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(TEXT_INSET_IN))
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = textfit.keep_dates_whole(line)
        if space_after:
            para.space_after = Pt(space_after)
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.name = textfit.SLIDE_FONT
            run.font.color.rgb = colour




def _lines_height(lines: Sequence[str], width: int, size: int, space_after: int = 0,
                  bold: bool = False) -> int:
    """EMU the lines take in a text box `width` EMU wide at `size` points."""
    width_pt = (Emu(width).inches - 2 * TEXT_INSET_IN) * 72
    pts = sum(textfit.text_height(textfit.keep_dates_whole(x), width_pt, size, bold,
                                  space_after_pt=space_after) for x in lines)
    return int(Inches(pts / 72 + 2 * TEXT_INSET_IN + 0.03))


def _title_slide(prs: Deck, title: str, as_of: date, data_version: str, lang: str,
                 charts: int) -> None:
    slide = _blank(prs)
    _place_title(slide, title, top=Inches(2.4), height=Inches(1.4), size=36)
    _text(slide, SIDE_MARGIN, Inches(3.9), SLIDE_WIDTH - 2 * SIDE_MARGIN, Inches(1.6),
          [t("deck.as_of", lang, date=as_of.isoformat()),
           t("deck.subtitle", lang),
           t("deck.generated", lang, date=date.today().isoformat(), version=data_version,
             charts=charts)],
          16, GREY, name="Subtitle")


def _chart_slide(prs: Deck, slide_item: DeckSlide, as_of: date, facts: Facts, lang: str,
                 cache: images.ExportCache | None) -> None:
    result = slide_item.result
    slide = _blank(prs)
    width = SLIDE_WIDTH - 2 * SIDE_MARGIN
    title_h = _lines_height([result.title], width, 24, bold=True)
    _place_title(slide, result.title, size=24, height=Emu(title_h))
    # Small print under the picture: the date, the publishers, and what the chart's own source
    # note said beyond its source ids (a map's disclaimer and Kosovo note travel with it).
    lines = [result.subtitle or t("deck.as_of", lang, date=as_of.isoformat())]
    sources = footer_sources(facts, result.source_ids, lang)
    if sources:
        lines.append(sources)
    lines += frame_notes(result)[1:]
    footer_h = _lines_height(lines, width, FOOTER_PT, space_after=2)
    top = TITLE_TOP + title_h + Inches(0.05)
    bottom = SLIDE_HEIGHT - Inches(0.15) - footer_h
    height = int(bottom - top)
    size = (round(Emu(width).inches * PICTURE_PX_PER_IN),
            round(Emu(height).inches * PICTURE_PX_PER_IN))
    png = slide_picture(slide_item, facts.data_version, cache, size)
    pic = slide.shapes.add_picture(io.BytesIO(png), SIDE_MARGIN, Emu(top), width=Emu(width),
                                   height=Emu(height))
    # Alt text: PowerPoint reads it from the picture's cNvPr "descr" attribute.
    # python-pptx has no public API for it (SLF001); its stubs type the child loosely.
    c_nv_pr = pic._element.nvPicPr.cNvPr  # type: ignore[union-attr]
    c_nv_pr.set("descr", result.alt_text or result.title)
    c_nv_pr.set("title", result.title)
    _text(slide, SIDE_MARGIN, bottom, width, footer_h, lines, FOOTER_PT, GREY, space_after=2,
          name="Footer")
    _notes(slide, [f"{t('deck.sources', lang)}:",
                   *_full_sources(facts, result.source_ids, lang)])


def _notes(slide: Slide, lines: list[str]) -> None:
    frame = slide.notes_slide.notes_text_frame
    assert frame is not None  # every notes slide has a body placeholder
    frame.text = "\n".join(lines)


def _full_sources(facts: Facts, source_ids: Sequence[object], lang: str) -> list[str]:
    return [source_text(ref_of(sid, src), lang, with_id=False)
            for sid in _source_ids(source_ids) if (src := facts.source(sid)) is not None]


def _sources_slide(prs: Deck, facts: Facts, source_ids: Sequence[object], lang: str) -> None:
    """One compact slide: the publishers with how many of their documents the charts cite,
    most cited first; every document in full in the notes."""
    ids = _source_ids(source_ids)
    counts: dict[str, int] = {}
    for sid in ids:
        if facts.source(sid) is not None:
            name = _publisher(facts, sid)
            counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    entries = [t("meeting.publisher_count", lang, publisher=textfit.cut(name, 90), count=n)
               for name, n in ranked] or [t("deck.no_sources", lang)]
    slide = _blank(prs)
    _place_title(slide, t("deck.sources", lang), size=24)
    column_w = (SLIDE_WIDTH - 2 * SIDE_MARGIN - Inches(0.3)) // 2
    room = SLIDE_HEIGHT - PICTURE_TOP - Inches(0.9)
    columns: list[list[str]] = [[], []]
    k = 0
    shown = 0
    for entry in entries:
        if _lines_height([*columns[k], entry], column_w, FOOTER_PT, 2) > room:
            if k == 1:
                break
            k = 1
        columns[k].append(entry)
        shown += 1
    for col, chunk in enumerate(columns):
        if chunk:
            _text(slide, SIDE_MARGIN + col * (column_w + Inches(0.3)), PICTURE_TOP, column_w, room,
                  chunk, FOOTER_PT, space_after=2, name=f"Sources {col + 1}")
    tail = t("meeting.sources_tail", lang, documents=len(ids), publishers=len(counts))
    if shown < len(entries):
        tail += " " + t("meeting.sources_more", lang, count=len(entries) - shown)
    _text(slide, SIDE_MARGIN, PICTURE_TOP + room, SLIDE_WIDTH - 2 * SIDE_MARGIN, Inches(0.7),
          [tail], FOOTER_PT, GREY, name="Sources note")
    _notes(slide, _full_sources(facts, ids, lang))


def item_label(item: DeckItem, lang: str) -> str:
    """How an item is listed in the deck builder: chart name, indicator, view."""
    spec = catalog.CHARTS.get(item.chart_id)
    parts = [t(spec.title_key, lang) if spec else item.chart_id]
    if item.indicator:
        parts.append(indicator_label(item.indicator, lang))
    if item.view:
        parts.append(t(f"map.view_{item.view}", lang))
    return " · ".join(parts)
