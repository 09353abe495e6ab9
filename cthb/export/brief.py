"""The bilateral-visit brief of one State on one date: a PDF of at most two A4 pages to read in
the car, and a 16:9 PowerPoint deck of six slides to take into the room, in the chosen language.

Both only render cthb.profile's model, the one the profile page shows: the headline, points to
raise, data gaps to confirm, treaties with dates, the structures with their evidence date and
stale/expired marks, GRETA, what changed, previous engagements, and the numbered sources. Every
line carries its numbered references ("[2, 5]"); the sources are listed in full at the end.

Slides keep every text at 12 pt or more and inside its box: sizes and cuts are chosen by
measuring the text (cthb.export.textfit), and tables get columns at least as wide as their
longest word, so no word is broken. Charts are drawn through cthb.export.images, at a size
that keeps their type as large as the slide's. Pure: facts in, bytes out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse
from xml.sax.saxutils import escape

from cthb.export import textfit
from cthb.export.textfit import SLIDE_MARGIN_IN, TEXT_INSET_IN, Para
from cthb.facts import Facts
from cthb.i18n import t
from cthb.profile import Profile, state_profile

# The PDF's fonts: the ones textfit measures with, so the PDF wraps where it was measured.
PDF_FONTS = {"DejaVuSans": textfit.FONT_FILES[False], "DejaVuSans-Bold": textfit.FONT_FILES[True]}


class BriefError(RuntimeError):
    """The brief cannot be made on this machine (a missing font), with what to install."""


# --- what both formats print, from the model -----------------------------------------------


def _cited(profile: Profile, text: str, source_ids: list[str]) -> str:
    refs = profile.cite(source_ids)
    return f"{text} {refs}" if refs else text


def point_lines(profile: Profile) -> list[str]:
    return [_cited(profile, p.text, p.source_ids) for p in profile.points]


def confirm_lines(profile: Profile) -> list[str]:
    return [_cited(profile, p.text, p.source_ids) for p in profile.to_confirm]


def change_blocks(profile: Profile) -> list[tuple[str, list[str]]]:
    """(period title, lines) for the last 12 months and the time since the last engagement."""
    blocks = []
    for w in profile.changes:
        lines = [_cited(profile, c.text + (f" ({c.on})" if c.on and c.kind != "record" else ""),
                        c.source_ids) for c in w.changes + w.became_known + w.records]
        blocks.append((w.title, lines))
    return blocks


def engagement_lines(profile: Profile) -> list[str]:
    return [_cited(profile, e.text, [e.source_id]) for e in profile.previous_engagements]


def treaty_rows(profile: Profile) -> list[list[str]]:
    """Treaty | status on the date | dated actions | sources."""
    return [[tl.label, tl.status_text, tl.dates_text, profile.cite(tl.cited)]
            for tl in profile.treaties]


def structure_rows(profile: Profile, detail_chars: int) -> list[list[str]]:
    """Structure | status (stale/expired marked) | as of | detail | sources."""
    rows = []
    for sl in profile.structures:
        when = sl.evidence_text
        if sl.period_text:
            when = f"{when} ({sl.period_text})" if when else sl.period_text
        rows.append([sl.label, sl.status_text, when, textfit.cut(sl.detail_text, detail_chars),
                     profile.cite(sl.cited)])
    return rows


def overview_lines(profile: Profile) -> list[str]:
    """Memberships, field operations and the survey (the names and GRETA are said elsewhere)."""
    return [_cited(profile, f"{o.label}: {o.value}", o.source_ids)
            for o in profile.overview[1:] if o.label != t("profile.monitoring", profile.lang)]


def reference_lines(profile: Profile, hosts: bool = False) -> list[str]:
    """"[3] [Kind] Title (Publisher, date) URL" (with `hosts`, only the site's name)."""
    out = []
    for r in profile.references:
        where = urlparse(r.url).hostname or "" if hosts and r.url else r.url
        out.append(f"[{r.number}] {r.text}" + (f" — {where}" if where else ""))
    return out


# --- PDF -----------------------------------------------------------------------------------


def register_fonts() -> None:
    """Register DejaVu Sans (it has Cyrillic; the PDF base fonts do not)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in PDF_FONTS.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = textfit.FONT_DIR / filename
        if not path.exists():
            raise BriefError(f"font file {path} is missing: install Debian's fonts-dejavu-core "
                             "(apt-get install fonts-dejavu-core) to make PDF briefs")
        pdfmetrics.registerFont(TTFont(name, str(path)))


@dataclass(frozen=True)
class _Fit:
    """How much to show; tried from the most to the least until the PDF fits two pages."""

    font: float
    detail_chars: int
    max_engagements: int
    max_sources: int


_FITS = (_Fit(9, 220, 12, 60), _Fit(8.5, 160, 8, 45), _Fit(8, 120, 6, 35),
         _Fit(7.5, 90, 4, 25), _Fit(7, 60, 3, 18), _Fit(6.5, 40, 2, 12))


def brief_pdf(facts: Facts, iso3: str, as_of: date, lang: str = "en") -> bytes:
    """A PDF of at most two A4 pages."""
    register_fonts()
    profile = state_profile(facts, iso3, as_of, lang)
    out = b""
    for fit in _FITS:
        out, pages = _pdf(profile, fit)
        if pages <= 2:
            return out
    return out  # the most compact version; only reached with extreme data


def _pdf(profile: Profile, fit: _Fit) -> tuple[bytes, int]:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    lang = profile.lang
    base = ParagraphStyle("base", fontName="DejaVuSans", fontSize=fit.font,
                          leading=fit.font * 1.25)
    small = ParagraphStyle("small", parent=base, fontSize=fit.font - 1,
                           leading=(fit.font - 1) * 1.25)
    bold = ParagraphStyle("bold", parent=base, fontName="DejaVuSans-Bold")
    h1 = ParagraphStyle("h1", parent=bold, fontSize=16, leading=20, spaceAfter=2)
    h2 = ParagraphStyle("h2", parent=bold, fontSize=fit.font + 2.5,
                        leading=(fit.font + 2.5) * 1.3, spaceBefore=6, spaceAfter=2,
                        textColor=colors.HexColor("#0b3c6b"))
    h3 = ParagraphStyle("h3", parent=bold, spaceBefore=3)
    bullet = ParagraphStyle("bullet", parent=base, leftIndent=9, bulletIndent=0)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    def bullets(lines: list[str], empty: str) -> list[Paragraph]:
        if not lines:
            return [p(empty)]
        return [Paragraph(escape(line), bullet, bulletText="•") for line in lines]

    def table(header: list[str], rows: list[list[str]], weights: list[float]) -> Table:
        # No column narrower than its longest word (a header cut to "Источник" / "и").
        widths = [w * 72 for w in table_layout(header, rows, width / 72, fit.font, weights)[0]]
        data = [[p(h, bold) for h in header]] + [[p(c) for c in r] for r in rows]
        tab = Table(data, colWidths=widths, repeatRows=1)
        tab.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        return tab

    width = A4[0] - 30 * mm
    as_of = profile.as_of.isoformat()
    refs = t("meeting.col_refs", lang)
    headline = Table([[Paragraph("<br/>".join(escape(x) for x in profile.headline), bold)]],
                     colWidths=[width])
    headline.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#eef3f8")),
                                  ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#0b3c6b"))]))
    story: list[Any] = [
        p(t("brief.title", lang, name=profile.name), h1),
        p(f"{t('brief.subtitle', lang)} · {t('brief.as_of', lang, date=as_of)}", bold),
        p(t("brief.prepared", lang, version=profile.data_version), small),
    ]
    if profile.header.warning:
        story.append(p(profile.header.warning, bold))
    story += [headline, p(t("brief.points", lang), h2),
              *bullets(point_lines(profile), t("profile.no_points", lang)),
              p(t("meeting.to_confirm", lang), h2),
              *bullets(confirm_lines(profile), t(profile.nothing_to_confirm_key, lang)),
              p(t("brief.treaties", lang), h2),
              table([t("profile.treaty", lang), t("profile.status", lang),
                     t("meeting.col_dates", lang), refs], treaty_rows(profile),
                    [0.17, 0.3, 0.45, 0.08]),
              p(t("brief.structures", lang), h2),
              table([t("profile.structure", lang), t("profile.status", lang),
                     t("profile.evidence_as_of", lang), t("profile.detail", lang), refs],
                    structure_rows(profile, fit.detail_chars),
                    [0.12, 0.15, 0.08, 0.6, 0.05]),
              p(t("profile.monitoring", lang), h2),
              p(_cited(profile, profile.monitoring.text, profile.monitoring.cited))]
    story.append(p(t("meeting.changes", lang), h2))
    for title, lines in change_blocks(profile):
        story += [p(title, h3), *bullets(lines, t("meeting.no_changes", lang))]
    story.append(p(t("meeting.previous_engagements", lang), h2))
    engagements = engagement_lines(profile)
    story += bullets(engagements[-fit.max_engagements:], t("profile.no_engagements", lang))
    if len(engagements) > fit.max_engagements:
        story.append(p(t("meeting.earlier_rows", lang,
                         count=len(engagements) - fit.max_engagements), small))
    story += [p(t("profile.header", lang), h2), *bullets(overview_lines(profile), "")]
    if profile.comparisons:
        story.append(p(t("profile.comparison", lang), h3))
        story += [p("• " + c.text, small) for c in profile.comparisons]
    story.append(p(t("brief.sources", lang), h2))
    for ref in profile.references[: fit.max_sources]:
        story.append(_reference_paragraph(ref, small))
    if len(profile.references) > fit.max_sources:
        story.append(p(t("brief.more_sources", lang,
                         count=len(profile.references) - fit.max_sources), small))

    pages = [0]

    def footer(canvas: Any, doc: Any) -> None:
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(15 * mm, 9 * mm, f"{profile.name} · {t('brief.as_of', lang, date=as_of)}"
                                           f" · {t('brief.page', lang, page=doc.page)}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=15 * mm,
                            title=t("brief.title", lang, name=profile.name),
                            author="cthb", subject=t("brief.as_of", lang, date=as_of))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue(), pages[0]


def _reference_paragraph(ref: Any, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    text = f"[{ref.number}] {escape(ref.text)}"
    if ref.url:
        text += f' <link href="{escape(ref.url, {chr(34): "&quot;"})}" color="#0b3c6b">' \
                f"{escape(ref.url)}</link>"
    return Paragraph(text, style)


# --- PowerPoint ----------------------------------------------------------------------------

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
BODY_TOP, BODY_BOTTOM = 1.3, 6.95
FOOTER_TOP = 7.0
MIN_PT = 12  # the smallest type on any slide
SIZES = (16, 15, 14, 13, 12)
TIMELINE_PX = (1230, 420)  # drawn at 100 px per inch of the slide
LOCATOR_PX = (380, 260)


def chart_images(facts: Facts, iso3: str, as_of: date, lang: str) -> list[tuple[bytes, str]]:
    """PNG and alt text of the timeline and the locator map, drawn through the app's renderer
    (cthb.export.images) with type no smaller than the slide's; raises if export fails."""
    from cthb.charts.catalog import ChartParams
    from cthb.charts.profile_timeline import build_state_locator, build_state_timeline
    from cthb.charts.style import SOURCE_ANNOTATION
    from cthb.export import images
    from cthb.export.slidestyle import lift_fonts

    params = ChartParams(as_of=as_of, lang=lang, extra=(("iso3", iso3),))
    timeline = build_state_timeline(facts, params)
    locator = build_state_locator(facts, params)
    # 100 px per inch: 12 pt on the slide is 17 px of the figure.
    floor = round(MIN_PT * 100 / 72) + 1

    def on_slide(spec: dict[str, Any]) -> dict[str, Any]:
        layout = dict(spec.get("layout") or {})
        layout["title"] = {"text": ""}  # the slide says what the chart is
        layout["annotations"] = [a for a in layout.get("annotations", [])
                                 if a.get("name") != SOURCE_ANNOTATION]
        layout["margin"] = {"t": 30, "b": 70, "l": 190, "r": 20}
        layout["legend"] = {**(layout.get("legend") or {}), "y": -0.13}
        return lift_fonts({**spec, "layout": layout}, floor, floor)

    def locator_spec(spec: dict[str, Any]) -> dict[str, Any]:
        layout = dict(spec.get("layout") or {})
        layout["title"] = {"text": ""}
        layout["annotations"] = []  # the disclaimer is slide text
        layout["margin"] = {"t": 4, "b": 4, "l": 4, "r": 4}
        return lift_fonts({**spec, "layout": layout}, floor, floor)

    data_version = facts.data_version
    return [
        (images.export_chart(timeline, "png", chart_id="brief:timeline", params=params,
                             data_version=data_version, transform=on_slide,
                             size=TIMELINE_PX), timeline.alt_text),
        (images.export_chart(locator, "png", chart_id="brief:locator", params=params,
                             data_version=data_version, transform=locator_spec,
                             size=LOCATOR_PX), locator.alt_text),
    ]


def brief_pptx(facts: Facts, iso3: str, as_of: date, lang: str = "en",
               images: list[tuple[bytes, str]] | None = None) -> bytes:
    """Six 16:9 slides: the point of the visit, questions and news, treaties and GRETA,
    structures, timeline, sources.

    `images` (PNG, alt text) may be given by a caller that already has them; otherwise they are
    drawn, and if that fails the timeline slide shows the same facts as a table and says so.
    """
    from pptx import Presentation
    from pptx.util import Inches

    profile = state_profile(facts, iso3, as_of, lang)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = t("brief.title", lang, name=profile.name)
    prs.core_properties.language = lang
    if images is None:
        try:
            images = chart_images(facts, iso3, as_of, lang)
        except Exception:
            images = []
    deck = _Slides(prs, profile)
    deck.points_slide(images[1] if len(images) > 1 else None)
    deck.questions_slide()
    deck.treaties_slide()
    deck.structures_slide()
    deck.timeline_slide(images[0] if images else None)
    deck.sources_slide()
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Block:
    """A heading and its lines, as one part of a text box."""

    heading: str
    lines: list[str]
    empty: str = ""
    more_key: str = "brief.more_rows"
    bullets: bool = True
    bold: bool = False


def _paras(blocks: list[Block], limits: list[int], lang: str) -> list[Para]:
    paras: list[Para] = []
    for block, limit in zip(blocks, limits, strict=True):
        if block.heading:
            paras.append(Para(block.heading, bold=True, scale=1.1, space_after=0.25))
        lines = block.lines[:limit] or ([block.empty] if block.empty else [])
        bullet = "• " if block.lines and block.bullets else ""
        paras += [Para(bullet + textfit.keep_dates_whole(x), bold=block.bold) for x in lines]
        if len(block.lines) > limit:
            paras.append(Para(t(block.more_key, lang, count=len(block.lines) - limit)))
        if paras:
            paras[-1] = Para(paras[-1].text, paras[-1].bold, paras[-1].scale, space_after=0.8)
    return paras


def blocks_height(blocks: list[Block], width_in: float, size: int, lang: str) -> float:
    """Inches the blocks take at `size`, with nothing cut."""
    paras = _paras(blocks, [len(b.lines) for b in blocks], lang)
    # A hair more than measured, so the same measure in fit_blocks cannot round it away.
    pad = 2 * TEXT_INSET_IN
    return textfit.paras_height(paras, (width_in - pad) * 72, size) / 72 + pad + 0.02


def fit_blocks(blocks: list[Block], width_in: float, height_in: float, lang: str,
               sizes: tuple[int, ...] = SIZES) -> tuple[int, list[Para]]:
    """The largest size at which the blocks fit the box; at the smallest size, the longest
    blocks lose lines from the end (the PDF brief has them all)."""
    width_pt = (width_in - 2 * TEXT_INSET_IN) * 72
    height_pt = (height_in - 2 * TEXT_INSET_IN) * 72
    limits = [len(b.lines) for b in blocks]
    for size in sizes:
        paras = _paras(blocks, limits, lang)
        if textfit.paras_height(paras, width_pt, size) <= height_pt:
            return size, paras
    size = sizes[-1]
    while True:
        paras = _paras(blocks, limits, lang)
        if textfit.paras_height(paras, width_pt, size) <= height_pt or not any(limits):
            return size, paras
        longest = max(range(len(limits)), key=lambda k: limits[k])
        limits[longest] -= 1


def table_layout(header: list[str], rows: list[list[str]], width_in: float, size: float,
                 weights: list[float]) -> tuple[list[float], list[float]]:
    """Column widths (no column narrower than its longest word) and row heights, in inches."""
    pad = 2 * TEXT_INSET_IN
    minimum = [max([textfit.longest_word(header[j], size, True)]
                   + [textfit.longest_word(r[j], size) for r in rows]) / 72 + pad + 0.02
               for j in range(len(header))]
    spare = max(0.0, width_in - sum(minimum))
    total = sum(weights)
    widths = [m + spare * w / total for m, w in zip(minimum, weights, strict=True)]
    heights = []
    for i, row in enumerate([header, *rows]):
        lines = max(len(textfit.wrap(c, (w - pad) * 72, size, i == 0))
                    for c, w in zip(row, widths, strict=True))
        # Cell margins, and a little air: LibreOffice's rows come out a touch taller.
        heights.append(lines * size * textfit.LINE_HEIGHT / 72 + 2 * 0.05 + 0.06)
    return widths, heights


class _Slides:
    """The brief's slides: title top left with the State and date, data version in the footer
    of every slide, Arial (measured as the wider DejaVu Sans) at 12 pt or more."""

    def __init__(self, prs: Any, profile: Profile) -> None:
        self.prs = prs
        self.profile = profile
        self.lang = profile.lang
        self.as_of_text = t("brief.as_of", self.lang, date=profile.as_of.isoformat())

    # --- building blocks ---

    def _slide(self, title: str) -> Any:
        from pptx.dml.color import RGBColor

        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        box = self._box(slide, SLIDE_MARGIN_IN, 0.25, SLIDE_W - 2 * SLIDE_MARGIN_IN, 1.0, "Title")
        self._run(box.text_frame.paragraphs[0], title, 26, bold=True,
                  colour=RGBColor(0x0B, 0x3C, 0x6B))
        self._run(box.text_frame.add_paragraph(), f"{self.profile.name} · {self.as_of_text}", 14,
                  colour=RGBColor(0x55, 0x55, 0x55))
        foot = self._box(slide, SLIDE_MARGIN_IN, FOOTER_TOP, SLIDE_W - 2 * SLIDE_MARGIN_IN, 0.4,
                         "Footer")
        self._run(foot.text_frame.paragraphs[0],
                  f"{self.as_of_text} · "
                  f"{t('brief.prepared', self.lang, version=self.profile.data_version)}",
                  MIN_PT, colour=RGBColor(0x55, 0x55, 0x55))
        return slide

    @staticmethod
    def _box(slide: Any, left: float, top: float, width: float, height: float,
             name: str = "") -> Any:
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Inches

        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        if name:
            box.name = name
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, Inches(TEXT_INSET_IN))
        return box

    @staticmethod
    def _run(para: Any, text: str, size: float, bold: bool = False, colour: Any = None) -> None:
        from pptx.util import Pt

        run = para.add_run()
        run.text = textfit.keep_dates_whole(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = textfit.SLIDE_FONT
        if colour is not None:
            run.font.color.rgb = colour

    def _text(self, slide: Any, left: float, top: float, width: float, height: float,
              blocks: list[Block], sizes: tuple[int, ...] = SIZES, name: str = "") -> None:
        from pptx.util import Pt

        size, paras = fit_blocks(blocks, width, height, self.lang, sizes)
        box = self._box(slide, left, top, width, height, name)
        for i, para in enumerate(paras):
            p = box.text_frame.paragraphs[0] if i == 0 else box.text_frame.add_paragraph()
            p.space_after = Pt(para.space_after * size)
            self._run(p, para.text, round(size * para.scale), bold=para.bold)

    def _table(self, slide: Any, top: float, height: float, header: list[str],
               rows: list[list[str]], weights: list[float], trim: int | None = None) -> float:
        """A table no taller than `height` (the `trim` column is cut first, then the type made
        smaller); returns its height in inches."""
        from pptx.util import Inches, Pt

        width = SLIDE_W - 2 * SLIDE_MARGIN_IN
        chars = [200, 150, 110, 80, 60, 45]
        for size in (14, 13, 12):
            for limit in chars if trim is not None else [0]:
                shown = [[textfit.keep_dates_whole(textfit.cut(c, limit) if j == trim else c)
                          for j, c in enumerate(r)] for r in rows]
                widths, heights = table_layout(header, shown, width, size, weights)
                if sum(heights) <= height:
                    break
            if sum(heights) <= height:
                break
        shape = slide.shapes.add_table(len(shown) + 1, len(header), Inches(SLIDE_MARGIN_IN),
                                       Inches(top), Inches(width), Inches(sum(heights)))
        shape.name = "Table"
        table = shape.table
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
        for i, h in enumerate(heights):
            table.rows[i].height = Inches(h)
        for i, row in enumerate([header, *shown]):
            for j, value in enumerate(row):
                cell = table.cell(i, j)
                for side in ("margin_left", "margin_right"):
                    setattr(cell, side, Inches(TEXT_INSET_IN))
                cell.margin_top = cell.margin_bottom = Inches(0.05)
                para = cell.text_frame.paragraphs[0]
                self._run(para, value, size, bold=i == 0)
                cell.text_frame.word_wrap = True
                para.space_after = Pt(0)
        return sum(heights)

    # --- the six slides ---

    def points_slide(self, locator: tuple[bytes, str] | None) -> None:
        from pptx.util import Inches

        p, lang = self.profile, self.lang
        slide = self._slide(t("brief.title", lang, name=p.name))
        lines = ([p.header.warning] if p.header.warning else []) + p.headline
        headline = [Block("", lines, bullets=False, bold=True)]
        head_h = blocks_height(headline, SLIDE_W - 2 * SLIDE_MARGIN_IN, 14, lang)
        self._text(slide, SLIDE_MARGIN_IN, BODY_TOP, SLIDE_W - 2 * SLIDE_MARGIN_IN, head_h,
                   headline, sizes=(14,), name="Headline")
        top = BODY_TOP + head_h + 0.1
        width = SLIDE_W - 2 * SLIDE_MARGIN_IN - (4.1 if locator else 0)
        self._text(slide, SLIDE_MARGIN_IN, top, width, BODY_BOTTOM - top,
                   [Block(t("brief.points", lang), point_lines(p), t("profile.no_points", lang),
                          "meeting.more_in_pdf")], name="Points")
        if locator is not None:
            png, alt = locator
            pic = slide.shapes.add_picture(io.BytesIO(png), Inches(SLIDE_W - SLIDE_MARGIN_IN - 3.9),
                                           Inches(top + 0.1), width=Inches(3.8))
            pic._element.nvPicPr.cNvPr.set("descr", alt)
            under = top + 0.1 + 3.8 * LOCATOR_PX[1] / LOCATOR_PX[0] + 0.05
            self._text(slide, SLIDE_W - SLIDE_MARGIN_IN - 3.9, under, 3.8, BODY_BOTTOM - under,
                       [Block("", [t("app.disclaimer", lang)], bullets=False)], sizes=(12,),
                       name="Disclaimer")

    def questions_slide(self) -> None:
        p, lang = self.profile, self.lang
        slide = self._slide(t("meeting.slide_questions", lang))
        half = (SLIDE_W - 2 * SLIDE_MARGIN_IN - 0.3) / 2
        changes = [Block(title, lines, t("meeting.no_changes", lang), "meeting.more_in_pdf")
                   for title, lines in change_blocks(p)]
        self._text(slide, SLIDE_MARGIN_IN, BODY_TOP, half, BODY_BOTTOM - BODY_TOP,
                   [Block(t("meeting.to_confirm", lang), confirm_lines(p),
                          t(p.nothing_to_confirm_key, lang), "meeting.more_in_pdf"),
                    Block(t("meeting.changes", lang), [], ""), *changes], name="Questions")
        engagements = engagement_lines(p)[::-1]  # the latest first: the one the room remembers
        self._text(slide, SLIDE_MARGIN_IN + half + 0.3, BODY_TOP, half, BODY_BOTTOM - BODY_TOP,
                   [Block(t("meeting.previous_engagements", lang), engagements,
                          t("profile.no_engagements", lang), "meeting.more_in_pdf")],
                   name="Engagements")

    def treaties_slide(self) -> None:
        p, lang = self.profile, self.lang
        slide = self._slide(t("meeting.slide_treaties", lang))
        used = self._table(slide, BODY_TOP, 2.6,
                           [t("profile.treaty", lang), t("profile.status", lang),
                            t("meeting.col_dates", lang), t("meeting.col_refs", lang)],
                           treaty_rows(p), [0.5, 2.0, 3.0, 0.1], trim=2)
        top = BODY_TOP + used + 0.25
        self._text(slide, SLIDE_MARGIN_IN, top, SLIDE_W - 2 * SLIDE_MARGIN_IN, BODY_BOTTOM - top,
                   [Block(t("profile.monitoring", lang),
                          [_cited(p, p.monitoring.text, p.monitoring.cited)]),
                    Block(t("profile.header", lang), overview_lines(p), "",
                          "meeting.more_in_pdf")], sizes=(14, 13, 12), name="Monitoring")

    def structures_slide(self) -> None:
        p, lang = self.profile, self.lang
        slide = self._slide(t("brief.structures", lang))
        self._table(slide, BODY_TOP, BODY_BOTTOM - BODY_TOP,
                    [t("profile.structure", lang), t("profile.status", lang),
                     t("profile.evidence_as_of", lang), t("profile.detail", lang),
                     t("meeting.col_refs", lang)],
                    structure_rows(p, 400), [0.6, 0.6, 0.3, 5.0, 0.1], trim=3)

    def timeline_slide(self, image: tuple[bytes, str] | None) -> None:
        from pptx.util import Inches

        from cthb.charts.profile_timeline import events_frame, timeline_key

        lang = self.lang
        slide = self._slide(t("profile.timeline", lang))
        if image is None:
            self._text(slide, SLIDE_MARGIN_IN, BODY_TOP, SLIDE_W - 2 * SLIDE_MARGIN_IN, 0.5,
                       [Block("", [t("brief.chart_failed", lang)], bullets=False)],
                       sizes=(14, 13, 12))
            df = events_frame(self.profile, lang).sort_values("date").tail(10)
            rows = [[str(r["date"]), str(r["lane"]), textfit.cut(str(r["event"]), 90),
                     self.profile.cite([str(r["source_id"])])] for _, r in df.iterrows()]
            self._table(slide, BODY_TOP + 0.6, BODY_BOTTOM - BODY_TOP - 0.6,
                        [t("profile.date", lang), t("profile.structure", lang) + " / "
                         + t("profile.treaty", lang), t("profile.detail", lang),
                         t("meeting.col_refs", lang)], rows, [1.0, 1.4, 5.0, 0.6], trim=2)
            return
        png, alt = image
        width = SLIDE_W - 2 * SLIDE_MARGIN_IN
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(SLIDE_MARGIN_IN), Inches(BODY_TOP),
                                       width=Inches(width))
        pic._element.nvPicPr.cNvPr.set("descr", alt)
        top = BODY_TOP + width * TIMELINE_PX[1] / TIMELINE_PX[0] + 0.05
        self._text(slide, SLIDE_MARGIN_IN, top, width, BODY_BOTTOM - top,
                   [Block("", [timeline_key(lang)], bullets=False)], sizes=(12,), name="Key")

    def sources_slide(self) -> None:
        lang = self.lang
        slide = self._slide(t("brief.sources", lang))
        # A full URL is one word wider than a column: the slide names the site, the notes
        # and the PDF brief give the address.
        lines = [textfit.cut(x, 200) for x in reference_lines(self.profile, hosts=True)]
        half = (SLIDE_W - 2 * SLIDE_MARGIN_IN - 0.3) / 2
        height = BODY_BOTTOM - BODY_TOP
        # Fill the left column, then the right one, at 12 pt; what does not fit goes to the
        # slide notes (all of them are in the PDF brief too).
        width_pt = (half - 2 * TEXT_INSET_IN) * 72
        columns: list[list[str]] = [[], []]
        k = 0
        for line in lines:
            trial = columns[k] + [line]
            if textfit.paras_height([Para(x, space_after=0.3) for x in trial], width_pt,
                                    MIN_PT) > (height - 2 * TEXT_INSET_IN) * 72 - MIN_PT * 2:
                if k == 1:
                    break
                k = 1
                trial = [line]
            columns[k] = trial
        shown = len(columns[0]) + len(columns[1])
        if shown < len(lines):
            columns[1].append(t("meeting.more_sources_notes", lang, count=len(lines) - shown))
        for k, col in enumerate(columns):
            if col:
                self._text(slide, SLIDE_MARGIN_IN + k * (half + 0.3), BODY_TOP, half, height,
                           [Block("", col, bullets=False)], sizes=(MIN_PT,),
                           name=f"Sources {k + 1}")
        notes = slide.notes_slide.notes_text_frame
        notes.text = "\n".join(reference_lines(self.profile))


def brief_bytes(facts: Facts, iso3: str, as_of: date, fmt: str, lang: str = "en") -> bytes:
    """The brief as `pdf` or `pptx` bytes."""
    if fmt == "pdf":
        return brief_pdf(facts, iso3, as_of, lang)
    if fmt == "pptx":
        return brief_pptx(facts, iso3, as_of, lang)
    raise ValueError(f"unknown brief format {fmt!r}: use pdf or pptx")

