"""The visit brief: the PDF (at most two A4 pages) and the 16:9 deck open, say the State, the
as-of date and the sources, in the chosen language."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader

from cthb.export import brief as brief_mod
from cthb.export.brief import BriefError, brief_pdf, brief_pptx, chart_images
from cthb.facts import Facts
from cthb.i18n import t
from tests.conftest import require_tool

CYRILLIC = re.compile("[\u0400-\u04ff]")
A4 = (595.0, 842.0)


def _pdf_text(data: bytes) -> tuple[int, str, list[tuple[float, float]]]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    return len(reader.pages), text, sizes


def _urls(facts: Facts, iso3: str, on: date) -> list[str]:
    from cthb.profile import state_profile

    p = state_profile(facts, iso3, on)
    return [facts.sources[s]["url"] for s in p.source_ids if facts.sources[s].get("url")]


@pytest.mark.parametrize(("iso3", "on"), [("ALB", date(2007, 11, 13)), ("VAT", date(2026, 1, 1)),
                                          ("KAZ", date(2026, 1, 1)), ("MNG", date(2010, 1, 1)),
                                          ("USA", date(2007, 11, 13)), ("DEU", date(2026, 1, 1))])
def test_pdf_two_pages_with_name_date_and_sources(facts: Facts, iso3: str, on: date) -> None:
    pages, text, sizes = _pdf_text(brief_pdf(facts, iso3, on, "en"))
    assert 1 <= pages <= 2
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", facts.state_name(iso3)) in flat
    assert on.isoformat() in text
    # At least one source URL is printed (extraction may wrap it: compare without spaces).
    assert any(re.sub(r"\s+", "", u) in flat for u in _urls(facts, iso3, on))
    if iso3 == "MNG":
        assert "was not an OSCE participating State" in text


def test_pdf_russian_is_russian(facts: Facts) -> None:
    pages, text, _ = _pdf_text(brief_pdf(facts, "DEU", date(2026, 1, 1), "ru"))
    assert pages <= 2
    assert "Германия" in text and "Справка к визиту" in text
    assert len(CYRILLIC.findall(text)) > 200


def test_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(brief_mod, "FONT_DIR", tmp_path)
    monkeypatch.setattr(brief_mod, "FONT_FILES", {"NoSuchFont": "NoSuchFont.ttf"})
    with pytest.raises(BriefError, match="fonts-dejavu-core"):
        brief_mod.register_fonts()


@pytest.fixture(scope="module")
def kaz_images(facts: Facts) -> list[tuple[bytes, str]]:
    try:
        return chart_images(facts, "KAZ", date(2026, 1, 1), "en")
    except Exception as exc:  # pragma: no cover - depends on Chrome being present
        require_tool(False, f"kaleido cannot export images here: {exc}")
        raise


def _check_deck(data: bytes, name: str, on: date, lang: str) -> Presentation:
    prs = Presentation(io.BytesIO(data))
    assert 3 <= len(prs.slides) <= 5
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    as_of = t("brief.as_of", lang, date=on.isoformat())
    for slide in prs.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert any(as_of in x for x in texts), texts
        for sh in slide.shapes:
            if sh.shape_type == 13:  # picture
                assert sh._element.nvPicPr.cNvPr.get("descr")
    titles = [next(sh.text_frame.text.split("\n")[0] for sh in s.shapes if sh.name == "Title")
              for s in prs.slides]
    assert titles == [t("brief.title", lang, name=name), t("brief.treaties", lang),
                      t("brief.structures", lang), t("profile.timeline", lang),
                      t("brief.sources", lang)]
    return prs


def test_pptx_with_charts(facts: Facts, kaz_images: list[tuple[bytes, str]]) -> None:
    on = date(2026, 1, 1)
    data = brief_pptx(facts, "KAZ", on, "en", images=kaz_images)
    prs = _check_deck(data, "Kazakhstan", on, "en")
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 2  # locator on the summary, timeline on slide 4
    assert {p._element.nvPicPr.cNvPr.get("descr") for p in pictures} == \
        {alt for _, alt in kaz_images}
    sources_text = " ".join(sh.text_frame.text for sh in prs.slides[4].shapes
                            if sh.has_text_frame)
    assert "http" in sources_text


def test_pptx_without_charts_says_so(facts: Facts) -> None:
    on = date(2007, 11, 13)
    data = brief_pptx(facts, "USA", on, "en", images=[])
    prs = _check_deck(data, "United States of America", on, "en")
    slide4 = " ".join(sh.text_frame.text for sh in prs.slides[3].shapes if sh.has_text_frame)
    assert t("brief.chart_failed", "en") in slide4
    assert any(sh.has_table for sh in prs.slides[3].shapes)


def test_pptx_russian(facts: Facts) -> None:
    on = date(2026, 1, 1)
    data = brief_pptx(facts, "DEU", on, "ru", images=[])
    prs = _check_deck(data, "Германия", on, "ru")
    text = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                    if sh.has_text_frame)
    assert len(CYRILLIC.findall(text)) > 200


def test_cli_brief(facts: Facts, tmp_path: Path, real_db: Path,
                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cthb.cli import main

    monkeypatch.setenv("CTHB_DB", str(real_db))
    out = tmp_path / "kaz.pdf"
    assert main(["brief", "KAZ", "--as-of", "2007-11-13", "--out", str(out),
                 "--lang", "ru"]) == 0
    pages, text, _ = _pdf_text(out.read_bytes())
    assert pages <= 2 and "Казахстан" in text and "2007-11-13" in text
    assert main(["brief", "XXX", "--as-of", "2007-11-13", "--out", str(out)]) == 2
    assert main(["brief", "KAZ", "--out", str(tmp_path / "kaz.doc")]) == 2
    assert "not the ISO3 code" in capsys.readouterr().err
