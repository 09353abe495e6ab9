"""A deck exported in Russian is in Russian, and every picture on it has alt text (in Russian)
for screen readers: the issue's "must show" for exports."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pptx import Presentation

from cthb.export import deck, images
from cthb.facts import Facts
from tests.ui_text import english_leftovers

AS_OF = date(2007, 11, 13)
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
PICTURE = 13  # MSO_SHAPE_TYPE.PICTURE



@pytest.mark.usefixtures("export_server")
@pytest.mark.parametrize("preset", sorted(deck.PRESETS))
def test_russian_deck_has_russian_text_and_alt_text(facts: Facts,
                                                    preset: str,
                                                    tmp_path_factory: pytest.TempPathFactory
                                                    ) -> None:
    cache = images.ExportCache(tmp_path_factory.mktemp("deck-ru-cache"))
    built = deck.preset_deck(facts, preset, AS_OF, "ru", cache=cache)
    prs = Presentation(io.BytesIO(built.pptx))
    pictures = 0
    for number, slide in enumerate(prs.slides, start=1):
        text = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for shape in slide.shapes:
            if shape.shape_type == PICTURE:
                pictures += 1
                alt = shape._element.nvPicPr.cNvPr.get("descr", "")
                assert CYRILLIC.search(alt), f"slide {number}: alt text not Russian: {alt!r}"
                text += "\n" + alt
        left = english_leftovers(text)
        assert not left, f"slide {number}: English left: {left}"
    assert pictures >= 1
