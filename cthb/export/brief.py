"""The bilateral-visit brief of one State on one date: a PDF of at most two A4 pages and a 16:9
PowerPoint deck of five slides, in the chosen language.

Both are drawn from the same cthb.profile.Profile the page shows, so the brief says nothing the
page does not, and every line keeps its source id; the last part of each lists the sources with
their URLs. Pure: facts in, bytes out (the page and `python -m cthb brief` write the bytes).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from cthb.facts import Facts
from cthb.i18n import indicator_label, status_label, t
from cthb.profile import (
    Profile,
    action_label,
    membership_text,
    monitoring_text,
    source_line,
    state_profile,
    structure_detail_text,
    structure_status_text,
    treaty_status_text,
)
from cthb.schema import STRUCTURE_KINDS, TREATIES

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf"}


class BriefError(RuntimeError):
    """The brief cannot be made on this machine (a missing font), with what to install."""


# --- shared wording ------------------------------------------------------------------------


def _when(text: str | None, approx: bool, lang: str) -> str:
    if not text:
        return ""
    return t("profile.circa", lang, date=text) if approx else text


def summary_lines(profile: Profile, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the overview, as shown on the page."""
    h = profile.header
    ops = "; ".join(op.name for op in h.field_operations) or t("profile.no_field_ops", lang)
    sv = profile.survey.status
    survey = status_label(sv.status, lang)
    if sv.received_by:
        survey += f" ({sv.received_by})"
    return [
        (t("profile.region", lang), t(f"region.{h.region}", lang)),
        (t("profile.osce", lang), membership_text(h.osce, lang)),
        (t("profile.coe", lang), membership_text(h.coe, lang)),
        (t("profile.eu", lang), membership_text(h.eu, lang)),
        (t("profile.field_ops", lang), ops),
        (t("profile.monitoring", lang), monitoring_text(profile.monitoring, lang)),
        (t("profile.survey", lang), survey),
    ]


def treaty_rows(profile: Profile, lang: str) -> list[list[str]]:
    """Treaty | status on the date | dated actions | source of the status."""
    rows = []
    for line in profile.treaties:
        actions = "; ".join(f"{action_label(a.action, lang)} {a.on}" for a in line.actions)
        rows.append([t(f"indicator_short.{line.treaty}", lang), treaty_status_text(line, lang),
                     actions or t("profile.no_actions", lang),
                     ", ".join(line.source_ids) or "—"])
    return rows


def structure_rows(profile: Profile, lang: str, detail_chars: int = 160) -> list[list[str]]:
    """Structure | status | established | as of | detail | source."""
    rows = []
    for line in profile.structures:
        s = line.status
        detail = structure_detail_text(s, lang)
        if len(detail) > detail_chars:
            detail = detail[: detail_chars - 1].rstrip() + "…"
        rows.append([indicator_label(line.kind, lang), structure_status_text(s, lang),
                     s.established or "", _when(s.evidence_date, s.approximate, lang), detail,
                     s.source_id or "—"])
    return rows


def _point_text(point_text: str, source_ids: list[str]) -> str:
    ids = [i for i in source_ids if i and i not in point_text]
    return point_text + (f" [{', '.join(ids)}]" if ids else "")


# --- PDF -----------------------------------------------------------------------------------


def register_fonts() -> None:
    """Register DejaVu Sans (it has Cyrillic; the PDF base fonts do not)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in FONT_FILES.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = FONT_DIR / filename
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


_FITS = (_Fit(8.5, 200, 10, 60), _Fit(8, 140, 6, 40), _Fit(7.5, 100, 4, 30),
         _Fit(7, 70, 3, 20), _Fit(6.5, 50, 2, 12))


def brief_pdf(facts: Facts, iso3: str, as_of: date, lang: str = "en") -> bytes:
    """A PDF of at most two A4 pages."""
    register_fonts()
    profile = state_profile(facts, iso3, as_of, lang)
    out = b""
    for fit in _FITS:
        out, pages = _pdf(facts, profile, lang, fit)
        if pages <= 2:
            return out
    return out  # the most compact version; only reached with extreme data


def _pdf(facts: Facts, profile: Profile, lang: str, fit: _Fit) -> tuple[bytes, int]:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("base", fontName="DejaVuSans", fontSize=fit.font,
                          leading=fit.font * 1.25)
    small = ParagraphStyle("small", parent=base, fontSize=fit.font - 1.2,
                           leading=(fit.font - 1.2) * 1.25)
    bold = ParagraphStyle("bold", parent=base, fontName="DejaVuSans-Bold")
    h1 = ParagraphStyle("h1", parent=bold, fontSize=16, leading=20, spaceAfter=2)
    h2 = ParagraphStyle("h2", parent=bold, fontSize=fit.font + 2.5,
                        leading=(fit.font + 2.5) * 1.3, spaceBefore=6, spaceAfter=2,
                        textColor=colors.HexColor("#0b3c6b"))

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
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
    story: list[object] = [
        p(t("brief.title", lang, name=profile.name), h1),
        p(f"{t('brief.subtitle', lang)} · {t('brief.as_of', lang, date=as_of)}", bold),
        p(t("brief.prepared", lang, version=profile.data_version), small),
    ]
    if not profile.header.participating:
        key = ("profile.not_participating_since" if profile.header.osce.since
               else "profile.not_participating")
        story.append(p(t(key, lang, name=profile.name, date=as_of,
                         since=profile.header.osce.since), bold))
    story += [p(t("brief.summary", lang), h2),
              table(["", ""], [list(x) for x in summary_lines(profile, lang)],
                    [0.3 * width, 0.7 * width])]
    story.append(p(t("brief.points", lang), h2))
    points = profile.points or []
    if not points:
        story.append(p(t("profile.no_points", lang)))
    for pt in points:
        story.append(p("• " + _point_text(pt.text, pt.source_ids)))
    story += [p(t("brief.treaties", lang), h2),
              table([t("profile.treaty", lang), t("profile.status", lang),
                     t("profile.actions", lang), t("profile.source_id", lang)],
                    treaty_rows(profile, lang),
                    [0.16 * width, 0.26 * width, 0.36 * width, 0.22 * width])]
    story += [p(t("brief.structures", lang), h2),
              table([t("profile.structure", lang), t("profile.status", lang),
                     t("profile.established", lang), t("profile.evidence_as_of", lang),
                     t("profile.detail", lang), t("profile.source_id", lang)],
                    structure_rows(profile, lang, fit.detail_chars),
                    [0.2 * width, 0.11 * width, 0.1 * width, 0.11 * width, 0.3 * width,
                     0.18 * width])]
    if profile.comparisons:
        story.append(p(t("profile.comparison", lang), h2))
        story += [p("• " + c.text, small) for c in profile.comparisons]
    story.append(p(t("brief.engagements", lang), h2))
    if not profile.engagements:
        story.append(p(t("profile.no_engagements", lang)))
    for e in profile.engagements[: fit.max_engagements]:
        when = e.start + (f" – {e.end}" if e.end else "")
        story.append(p(f"• {when}: {e.title} [{e.source_id}]"))
    if len(profile.engagements) > fit.max_engagements:
        story.append(p(t("brief.more_rows", lang,
                         count=len(profile.engagements) - fit.max_engagements), small))
    story.append(p(t("brief.sources", lang), h2))
    for sid in profile.source_ids[: fit.max_sources]:
        story.append(_source_paragraph(facts, sid, small, lang))
    if len(profile.source_ids) > fit.max_sources:
        story.append(p(t("brief.more_sources", lang,
                         count=len(profile.source_ids) - fit.max_sources), small))
    story.append(Spacer(1, 2))

    pages = [0]

    def footer(canvas: object, doc: object) -> None:
        pages[0] = doc.page  # type: ignore[attr-defined]
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("DejaVuSans", 7)  # type: ignore[attr-defined]
        canvas.setFillColor(colors.HexColor("#555555"))  # type: ignore[attr-defined]
        canvas.drawString(15 * mm, 9 * mm,  # type: ignore[attr-defined]
                          f"{profile.name} · {t('brief.as_of', lang, date=as_of)} · "
                          f"{t('brief.page', lang, page=doc.page)}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=13 * mm, bottomMargin=15 * mm,
                            title=t("brief.title", lang, name=profile.name),
                            author="cthb", subject=t("brief.as_of", lang, date=as_of))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue(), pages[0]


def _source_paragraph(facts: Facts, sid: str, style: object, lang: str) -> object:
    from reportlab.platypus import Paragraph

    src = facts.source(sid) or {}
    url = src.get("url")
    text = escape(source_line(facts, sid, lang) if not url else
                  source_line(facts, sid, lang).removesuffix(" " + url))
    if url:
        text += f' <link href="{escape(url, {chr(34): "&quot;"})}" color="#0b3c6b">' \
                f"{escape(url)}</link>"
    return Paragraph(text, style)


# --- PowerPoint ----------------------------------------------------------------------------


def chart_images(facts: Facts, iso3: str, as_of: date, lang: str) -> list[tuple[bytes, str]]:
    """PNG and alt text of the timeline and the locator map; raises if image export fails.
    Drawn by the project's one renderer (cthb.export.images.render_image), like every other
    static picture: never by plotly's own fig.to_image, which bypasses its lock."""
    from cthb.charts.catalog import ChartParams
    from cthb.charts.profile_timeline import build_state_locator, build_state_timeline
    from cthb.export.images import render_image

    params = ChartParams(as_of=as_of, lang=lang, extra=(("iso3", iso3),))
    timeline = build_state_timeline(facts, params)
    locator = build_state_locator(facts, params)
    # Slide pictures are shown at ~9 and ~4 inches wide: larger type keeps them legible.
    timeline.figure.update_layout(font={"size": 17}, margin={"l": 200})
    locator.figure.update_layout(font={"size": 20}, title=None, margin={"t": 10, "b": 40})
    return [
        (render_image(timeline.figure, "png", width=1600, height=700, scale=1),
         timeline.alt_text),
        (render_image(locator.figure, "png", width=1000, height=560, scale=1),
         locator.alt_text),
    ]


def brief_pptx(facts: Facts, iso3: str, as_of: date, lang: str = "en",
               images: list[tuple[bytes, str]] | None = None) -> bytes:
    """A 16:9 deck: summary, treaties, structures, timeline and location, sources.

    `images` (PNG, alt text) may be given by a caller that already has them; otherwise they are
    drawn with kaleido, and if that fails the slide shows the timeline as a table and says so.
    """
    from pptx import Presentation
    from pptx.util import Inches

    profile = state_profile(facts, iso3, as_of, lang)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    if images is None:
        try:
            images = chart_images(facts, iso3, as_of, lang)
        except Exception:  # kaleido/Chrome missing or crashed: the deck must still be made
            images = []
    deck = _Deck(prs, profile, lang)
    deck.summary_slide(images[1] if len(images) > 1 else None)
    deck.table_slide(t("brief.treaties", lang),
                     [t("profile.treaty", lang), t("profile.status", lang),
                      t("profile.actions", lang), t("profile.source_id", lang)],
                     treaty_rows(profile, lang), [1.8, 3.4, 4.7, 2.4], TREATIES)
    deck.table_slide(t("brief.structures", lang),
                     [t("profile.structure", lang), t("profile.status", lang),
                      t("profile.established", lang), t("profile.evidence_as_of", lang),
                      t("profile.detail", lang), t("profile.source_id", lang)],
                     structure_rows(profile, lang, 110), [2.3, 1.5, 1.35, 1.2, 3.85, 2.1],
                     (*STRUCTURE_KINDS, "SURVEY"))
    deck.chart_slide(images[:1])
    deck.sources_slide(facts)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


class _Deck:
    """Slide helpers sharing one look: title top left, as-of date and data version in the
    footer of every slide, DejaVu Sans text."""

    def __init__(self, prs: object, profile: Profile, lang: str) -> None:
        self.prs = prs
        self.profile = profile
        self.lang = lang
        self.as_of_text = t("brief.as_of", lang, date=profile.as_of.isoformat())

    def _slide(self, title: str) -> object:
        from pptx.dml.color import RGBColor
        from pptx.util import Inches, Pt

        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # type: ignore[attr-defined]
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9))
        box.name = "Title"
        tf = box.text_frame
        tf.word_wrap = True
        run = tf.paragraphs[0].add_run()
        run.text = title
        run.font.size, run.font.bold = Pt(28), True
        run.font.color.rgb = RGBColor(0x0B, 0x3C, 0x6B)
        sub = tf.add_paragraph().add_run()
        sub.text = f"{self.profile.name} · {self.as_of_text}"
        sub.font.size = Pt(14)
        sub.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        foot = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.35))
        foot.name = "Footer"
        fr = foot.text_frame.paragraphs[0].add_run()
        fr.text = (f"{self.as_of_text} · "
                   f"{t('brief.prepared', self.lang, version=self.profile.data_version)}")
        fr.font.size = Pt(10)
        fr.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        return slide

    def _text(self, slide: object, left: float, top: float, width: float, height: float,
              lines: list[tuple[str, bool]], size: int) -> None:
        from pptx.util import Inches, Pt

        box = slide.shapes.add_textbox(  # type: ignore[attr-defined]
            Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        for i, (text, bold) in enumerate(lines):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            para.space_after = Pt(4)
            run = para.add_run()
            run.text = text
            run.font.size, run.font.bold = Pt(size), bold

    def summary_slide(self, locator: tuple[bytes, str] | None) -> None:
        from pptx.util import Inches

        lang = self.lang
        slide = self._slide(t("brief.title", lang, name=self.profile.name))
        lines: list[tuple[str, bool]] = []
        if not self.profile.header.participating:
            key = ("profile.not_participating_since" if self.profile.header.osce.since
                   else "profile.not_participating")
            lines.append((t(key, lang, name=self.profile.name,
                            date=self.profile.as_of.isoformat(),
                            since=self.profile.header.osce.since), True))
        lines += [(f"{label}: {value}", False) for label, value in
                  summary_lines(self.profile, lang)]
        self._text(slide, 0.5, 1.4, 5.6, 2.8, [(t("brief.summary", lang), True), *lines], 13)
        if locator is not None:
            png, alt = locator
            pic = slide.shapes.add_picture(  # type: ignore[attr-defined]
                io.BytesIO(png), Inches(0.6), Inches(4.3), height=Inches(2.6))
            pic._element.nvPicPr.cNvPr.set("descr", alt)
        points = self.profile.points
        shown = points[:7]
        plines = [(t("brief.points", lang), True)]
        plines += [("• " + _point_text(p.text, p.source_ids), False) for p in shown]
        if not points:
            plines.append((t("profile.no_points", lang), False))
        if len(points) > len(shown):
            plines.append((t("brief.more_rows", lang, count=len(points) - len(shown)), False))
        self._text(slide, 6.4, 1.4, 6.4, 5.5, plines, 13 if len(shown) < 6 else 11)

    def table_slide(self, title: str, header: list[str], rows: list[list[str]],
                    widths: list[float], compared: tuple[str, ...]) -> None:
        slide = self._slide(title)
        self._table(slide, header, rows, widths, top=1.5, size=12)
        # The subregion comparison for the same indicators, under the table.
        comp = [c for c in self.profile.comparisons if c.indicator in compared]
        if comp:
            region = t(f"region.{comp[0].region}", self.lang)
            parts = [t("brief.compare_short", self.lang,
                       indicator=t(f"indicator_short.{c.indicator}", self.lang),
                       status=status_label(c.status, self.lang), count=c.count, total=c.total)
                     + (t("profile.compare_unknown", self.lang, count=c.unknown)
                        if c.unknown else "") for c in comp]
            # One paragraph: a table's height is not known before rendering, so keep it short.
            text = f"{t('profile.comparison', self.lang)} ({region}): " + "; ".join(parts)
            self._text(slide, 0.5, 5.9, 12.3, 1.0, [(text, False)], 12)

    def chart_slide(self, images: list[tuple[bytes, str]]) -> None:
        from pptx.util import Inches

        slide = self._slide(t("profile.timeline", self.lang))
        if not images:
            self._text(slide, 0.5, 1.4, 12.3, 0.5, [(t("brief.chart_failed", self.lang), True)],
                       14)
            from cthb.charts.profile_timeline import timeline_frame

            df = timeline_frame(self.profile, self.lang).sort_values("date").head(14)
            rows = [[str(r["date"]), str(r["lane"]), str(r["event"])[:90], str(r["source_id"])]
                    for _, r in df.iterrows()]
            self._table(slide, [t("profile.date", self.lang), "", t("profile.detail", self.lang),
                                t("profile.source_id", self.lang)], rows, [1.5, 2.0, 6.5, 2.3],
                        top=2.0, size=10)
            return
        positions = [(0.5, 1.35, 12.3)]
        for (png, alt), (left, top, width) in zip(images, positions, strict=False):
            pic = slide.shapes.add_picture(  # type: ignore[attr-defined]
                io.BytesIO(png), Inches(left), Inches(top), width=Inches(width))
            # Screen readers read cNvPr/@descr as the picture's alternative text.
            pic._element.nvPicPr.cNvPr.set("descr", alt)

    def _table(self, slide: object, header: list[str], rows: list[list[str]],
               widths: list[float], top: float, size: int) -> None:
        from pptx.util import Inches, Pt

        shape = slide.shapes.add_table(  # type: ignore[attr-defined]
            len(rows) + 1, len(header), Inches(0.5), Inches(top), Inches(sum(widths)),
            Inches(0.3 * (len(rows) + 1)))
        for j, w in enumerate(widths):
            shape.table.columns[j].width = Inches(w)
        for i, row in enumerate([header, *rows]):
            for j, value in enumerate(row):
                cell = shape.table.cell(i, j)
                cell.text = value
                for para in cell.text_frame.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(size + 1 if i == 0 else size)
                        run.font.bold = i == 0

    def sources_slide(self, facts: Facts) -> None:
        lang = self.lang
        slide = self._slide(t("brief.sources", lang))
        ids = self.profile.source_ids
        # Nine long entries fill a column at 9 pt; more would run into the footer.
        per_column, max_shown = 9, 18
        shown = ids[:max_shown]
        columns = [shown[:per_column], shown[per_column:]]
        for k, col in enumerate(columns):
            if not col:
                continue
            lines = [(_clip(source_line(facts, sid, lang), 210), False) for sid in col]
            if k == 1 and len(ids) > max_shown:
                lines.append((t("brief.more_sources", lang, count=len(ids) - max_shown), True))
            self._text(slide, 0.5 + k * 6.3, 1.4, 6.1, 5.5, lines, 9)


def _clip(text: str, n: int) -> str:
    """Shorten the title part of a source line but keep its URL, which is what a reader needs."""
    if len(text) <= n or " http" not in text:
        return text
    head, url = text.rsplit(" http", 1)
    keep = max(20, n - len(url) - 6)
    return head[:keep].rstrip() + "… http" + url


def brief_bytes(facts: Facts, iso3: str, as_of: date, fmt: str, lang: str = "en") -> bytes:
    """The brief as `pdf` or `pptx` bytes."""
    if fmt == "pdf":
        return brief_pdf(facts, iso3, as_of, lang)
    if fmt == "pptx":
        return brief_pptx(facts, iso3, as_of, lang)
    raise ValueError(f"unknown brief format {fmt!r}: use pdf or pptx")
