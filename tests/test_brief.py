"""The visit brief, checked on the real files: the PDF (at most two A4 pages) and the 16:9 deck
(4-6 slides) name the State, the date and every point to raise and data gap, in the chosen
language; the deck, drawn by LibreOffice, has no text under 12 pt, none outside its box and no
word broken inside. Done for a Council of Europe member (Germany), a Central Asian State
(Kazakhstan) and a microstate (the Holy See); the slide PNGs are kept in
artifacts/briefs/ to be looked at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pptx.presentation
import pytest
from pptx import Presentation
from pptx.util import Inches

from cthb.export import brief as brief_mod
from cthb.export import textfit
from cthb.export.brief import BriefError, brief_pdf, brief_pptx, chart_images
from cthb.facts import Facts
from cthb.i18n import t
from cthb.profile import state_profile
from tests import slide_check
from tests.conftest import require_tool

CYRILLIC = re.compile("[\u0400-\u04ff]")
A4 = (595.0, 842.0)
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "briefs"
TODAY_CASE = date(2026, 1, 1)
THREE = ["DEU", "KAZ", "VAT"]  # a CoE member, a Central Asian State, a microstate


def flat(text: str) -> str:
    """Text without any white space or hyphen (extraction wraps lines and may drop a hyphen
    at a line end), and non-breaking hyphens read as hyphens."""
    return re.sub(r"[\s\-\u2011]+", "", text)


def pdftotext(data: bytes, tmp: Path) -> tuple[int, str]:
    require_tool(bool(shutil.which("pdftotext") and shutil.which("pdfinfo")),
                 "needs poppler (pdftotext)")
    path = tmp / "brief.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size and abs(float(size[1]) - A4[0]) < 1 and abs(float(size[2]) - A4[1]) < 1
    return pages, text


def _urls(facts: Facts, iso3: str, on: date) -> list[str]:
    p = state_profile(facts, iso3, on)
    return [r.url for r in p.references if r.url]


@pytest.mark.parametrize(("iso3", "on", "lang"), [
    *((iso3, TODAY_CASE, "en") for iso3 in THREE), ("KAZ", TODAY_CASE, "ru"),
    ("ALB", date(2007, 11, 13), "en"), ("MNG", date(2010, 1, 1), "en"),
    ("USA", date(2007, 11, 13), "en")])
def test_pdf_says_state_date_points_and_sources(facts: Facts, tmp_path: Path, iso3: str,
                                                on: date, lang: str) -> None:
    pages, text = pdftotext(brief_pdf(facts, iso3, on, lang), tmp_path)
    assert 1 <= pages <= 2
    profile = state_profile(facts, iso3, on, lang)
    body = flat(text)
    assert flat(profile.name) in body and on.isoformat().replace("-", "") in body
    for line in profile.headline:
        assert flat(line) in body, line
    # Every point to raise and every data gap, each with its numbered sources.
    for point in profile.points + profile.to_confirm:
        assert flat(f"{point.text} {profile.cite(point.source_ids)}".strip()) in body, point
    assert flat(t("brief.points", lang)) in body and flat(t("meeting.to_confirm", lang)) in body
    # The sources listed in full, with their addresses.
    for ref in profile.references[:10]:
        assert f"[{ref.number}]" in text
    assert any(flat(u) in body for u in _urls(facts, iso3, on))
    if iso3 == "MNG":
        assert "was not an OSCE participating State" in text
    if lang == "ru":
        assert len(CYRILLIC.findall(text)) > 300


def test_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(textfit, "FONT_DIR", tmp_path)
    monkeypatch.setattr(brief_mod, "PDF_FONTS", {"NoSuchFont": "NoSuchFont.ttf"})
    with pytest.raises(BriefError, match="fonts-dejavu-core"):
        brief_mod.register_fonts()


def _deck_text(prs: object) -> str:
    return "\n".join(sh.text_frame.text if sh.has_text_frame else
                     "\n".join(c.text for row in sh.table.rows for c in row.cells)
                     for s in prs.slides for sh in s.shapes  # type: ignore[attr-defined]
                     if sh.has_text_frame or sh.has_table)


def _check_deck(data: bytes, facts: Facts, iso3: str, on: date, lang: str
                ) -> pptx.presentation.Presentation:
    prs = Presentation(io.BytesIO(data))
    assert 4 <= len(prs.slides) <= 6
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    profile = state_profile(facts, iso3, on, lang)
    as_of = t("brief.as_of", lang, date=on.isoformat())
    for slide in prs.slides:
        texts = [sh.text_frame.text.replace("\u2011", "-") for sh in slide.shapes
                 if sh.has_text_frame]
        assert any(as_of in x and profile.name in x for x in texts), texts
        for sh in slide.shapes:
            if sh.shape_type == 13:  # picture: alternative text for screen readers
                assert sh._element.nvPicPr.cNvPr.get("descr")
    body = flat(_deck_text(prs))
    for point in profile.points + profile.to_confirm:
        assert flat(point.text) in body, point.text
    for line in profile.headline:
        assert flat(line) in body
    return prs


@pytest.fixture(scope="module")
def brief_images(facts: Facts,
                 export_server: None,  # noqa: ARG001 - its side effect: the renderer
                 ) -> dict[str, list[tuple[bytes, str]]]:
    return {iso3: chart_images(facts, iso3, TODAY_CASE, "en") for iso3 in THREE}


def test_chart_pictures_come_from_the_renderer_at_slide_size(
        brief_images: dict[str, list[tuple[bytes, str]]]) -> None:
    from PIL import Image

    from cthb.export.images import PNG_SCALE

    timeline, locator = brief_images["KAZ"]
    for (png, alt), size in ((timeline, brief_mod.TIMELINE_PX), (locator, brief_mod.LOCATOR_PX)):
        assert Image.open(io.BytesIO(png)).size == (round(size[0] * PNG_SCALE),
                                                    round(size[1] * PNG_SCALE))
        assert alt


@pytest.mark.slow
@pytest.mark.parametrize("iso3", THREE)
def test_deck_fits_its_boxes_in_libreoffice(facts: Facts, iso3: str, tmp_path: Path,
                                            brief_images: dict[str, list[tuple[bytes, str]]]
                                            ) -> None:
    slide_check.require_libreoffice()
    data = brief_pptx(facts, iso3, TODAY_CASE, "en", images=brief_images[iso3])
    prs = _check_deck(data, facts, iso3, TODAY_CASE, "en")
    assert len([sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]) == 2
    assert slide_check.small_runs(data, brief_mod.MIN_PT) == []
    rendering = slide_check.render(data, tmp_path)
    text = rendering.text
    assert flat(state_profile(facts, iso3, TODAY_CASE).name) in flat(text)
    assert slide_check.broken_words(data, text) == []
    assert slide_check.overflow(rendering) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slide_check.to_pngs(rendering.pdf, ARTIFACTS / f"brief-{iso3}-en", dpi=60)


@pytest.mark.slow
def test_russian_deck_without_pictures_fits_and_is_russian(facts: Facts, tmp_path: Path) -> None:
    slide_check.require_libreoffice()
    data = brief_pptx(facts, "KAZ", TODAY_CASE, "ru", images=[])
    prs = _check_deck(data, facts, "KAZ", TODAY_CASE, "ru")
    text = _deck_text(prs)
    assert len(CYRILLIC.findall(text)) > 400
    # No picture: the timeline slide says so and shows the events as a table.
    assert t("brief.chart_failed", "ru") in text
    assert slide_check.small_runs(data, brief_mod.MIN_PT) == []
    rendering = slide_check.render(data, tmp_path)
    assert slide_check.broken_words(data, rendering.text) == []
    assert slide_check.overflow(rendering) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slide_check.to_pngs(rendering.pdf, ARTIFACTS / "brief-KAZ-ru", dpi=60)


def test_sources_slide_lists_what_fits_and_the_notes_have_all(facts: Facts) -> None:
    data = brief_pptx(facts, "DEU", TODAY_CASE, "en", images=[])
    prs = Presentation(io.BytesIO(data))
    last = prs.slides[-1]
    notes = last.notes_slide.notes_text_frame.text
    profile = state_profile(facts, "DEU", TODAY_CASE)
    assert all(f"[{r.number}]" in notes for r in profile.references)
    assert all(r.url in notes for r in profile.references if r.url)


def test_cli_brief(tmp_path: Path, real_db: Path,
                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cthb.cli import main

    monkeypatch.setenv("CTHB_DB", str(real_db))
    out = tmp_path / "kaz.pdf"
    assert main(["brief", "KAZ", "--as-of", "2007-11-13", "--out", str(out),
                 "--lang", "ru"]) == 0
    pages, text = pdftotext(out.read_bytes(), tmp_path)
    assert pages <= 2 and "Казахстан" in text and "2007-11-13" in text
    assert main(["brief", "XXX", "--as-of", "2007-11-13", "--out", str(out)]) == 2
    assert main(["brief", "KAZ", "--out", str(tmp_path / "kaz.doc")]) == 2
    assert "not the ISO3 code" in capsys.readouterr().err


def test_two_sessions_make_briefs_at_once(facts: Facts) -> None:
    """Streamlit runs each session in a thread of one process: two briefs made at the same time
    (different States and languages, sharing the fonts that measure the slides' text) come out
    exactly as when made one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    cases = [("KAZ", "ru"), ("DEU", "en"), ("VAT", "ru"), ("LIE", "en")] * 2

    def slide_texts(iso3: str, lang: str) -> list[str]:
        prs = Presentation(io.BytesIO(brief_pptx(facts, iso3, TODAY_CASE, lang, images=[])))
        return [_deck_text_of(slide) for slide in prs.slides]

    alone = {case: slide_texts(*case) for case in set(cases)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda case: (case, slide_texts(*case)), cases))
    for case, texts in together:
        assert texts == alone[case], case


def _deck_text_of(slide: object) -> str:
    return "\n".join(sh.text_frame.text if sh.has_text_frame else
                     "\n".join(c.text for row in sh.table.rows for c in row.cells)
                     for sh in slide.shapes  # type: ignore[attr-defined]
                     if sh.has_text_frame or sh.has_table)
